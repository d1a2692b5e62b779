import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { type LogsConfig } from '../config/signals-config.ts';
import type * as LogsProto from '@opentelemetry/exporter-logs-otlp-proto';
import type * as MetricExporterModule from '../metrics/metric-exporter.ts';

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
  #lastFailed = false;
  #final = false;
  readonly #factory: (final: boolean) => LogRecordExporter;
  readonly #hooks: LogExportHooks;

  /** `factory(true)` builds the exporter for the batches flushed at shutdown (short timeout). */
  constructor(factory: (final: boolean) => LogRecordExporter, hooks: LogExportHooks) {
    this.#factory = factory;
    this.#hooks = hooks;
  }

  /** Same reasoning as the metrics exporter: an exiting process must not wait out a dead backend. */
  prepareForShutdown(): void {
    if (this.#final) return;
    this.#final = true;
    const previous = this.#exporter;
    this.#exporter = undefined;
    this.#failed = false;
    void previous?.shutdown().catch(() => {});
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.#hooks.onHanded(records.length);
    if (this.#final && this.#lastFailed) {
      this.#hooks.onLost(
        records.length,
        new Error('the logs backend was unreachable; records flushed at shutdown were dropped'),
      );
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    if (!this.#exporter && !this.#failed) {
      try {
        this.#exporter = this.#factory(this.#final);
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
      this.#lastFailed = result.code !== ExportResultCode.SUCCESS;
      if (this.#lastFailed)
        this.#hooks.onLost(records.length, result.error ?? new Error('logs export failed'));
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

export function createOtlpLogExporter(config: LogsConfig, final = false): LogRecordExporter {
  const { OTLPLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto') as typeof LogsProto;
  const { FINAL_EXPORT_TIMEOUT_MS } = require('../metrics/metric-exporter.ts') as typeof MetricExporterModule;
  const options: { url?: string; timeoutMillis: number } = {
    timeoutMillis: final ? Math.min(config.exportTimeoutMs, FINAL_EXPORT_TIMEOUT_MS) : config.exportTimeoutMs,
  };
  if (config.endpointOverride) options.url = config.endpointOverride;
  return new OTLPLogExporter(options) as unknown as LogRecordExporter;
}

export function createConsoleLogExporter(): LogRecordExporter {
  return new (require('@opentelemetry/sdk-logs').ConsoleLogRecordExporter)() as LogRecordExporter;
}
