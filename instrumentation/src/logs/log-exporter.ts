import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { type LogsConfig } from '../config/signals-config.ts';

export interface LogExportHooks {
  /** Records leaving the queue (the bounded processor's accounting). */
  onHanded(count: number): void;
  /** A batch the backend did not take: those records are gone (the batch processor does not retry). */
  onLost(count: number, error: unknown): void;
}

/**
 * Builds the OTLP exporter on the first batch, off the app's start-up path. A failed batch is counted
 * and reported by the kit (once a minute), then acknowledged so the SDK does not report it again
 * through the trace-oriented global error handler.
 */
export class LazyLogExporter implements LogRecordExporter {
  #exporter: LogRecordExporter | undefined;
  #failed = false;
  readonly #factory: () => LogRecordExporter;
  readonly #hooks: LogExportHooks;

  constructor(factory: () => LogRecordExporter, hooks: LogExportHooks) {
    this.#factory = factory;
    this.#hooks = hooks;
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.#hooks.onHanded(records.length);
    if (!this.#exporter && !this.#failed) {
      try {
        this.#exporter = this.#factory();
      } catch (error) {
        this.#failed = true;
        this.#hooks.onLost(records.length, error);
      }
    }
    const exporter = this.#exporter;
    if (!exporter) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    exporter.export(records, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.#hooks.onLost(records.length, result.error ?? new Error('logs export failed'));
      resultCallback({ code: ExportResultCode.SUCCESS });
    });
  }

  forceFlush(): Promise<void> {
    return this.#exporter?.forceFlush() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#exporter?.shutdown() ?? Promise.resolve();
  }
}

export function createOtlpLogExporter(config: LogsConfig): LogRecordExporter {
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto') as typeof import('@opentelemetry/exporter-logs-otlp-proto');
  const options: { url?: string; timeoutMillis: number } = { timeoutMillis: config.exportTimeoutMs };
  if (config.endpointOverride) options.url = config.endpointOverride;
  return new OTLPLogExporter(options) as unknown as LogRecordExporter;
}

export function createConsoleLogExporter(): LogRecordExporter {
  return new (require('@opentelemetry/sdk-logs').ConsoleLogRecordExporter)() as LogRecordExporter;
}
