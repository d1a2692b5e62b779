import { type ExportResult } from '@opentelemetry/core';
import { ShutdownAwareExporter } from '../export/shutdown-aware-exporter.ts';
import { type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { type LogsConfig, type OtlpProtocol } from '../config/signals-config.ts';
import type * as LogsProto from '@opentelemetry/exporter-logs-otlp-proto';
import { FINAL_EXPORT_TIMEOUT_MS } from '../export/final-export.ts';

export interface LogExportHooks {
  /** Records leaving the queue (the bounded processor's accounting). */
  onHanded(count: number): void;
  /** A batch the backend did not take: those records are gone (the batch processor does not retry). */
  onLost(count: number, error: unknown): void;
}

/** Logs over the shared shutdown-aware transport (see ShutdownAwareExporter), with record accounting. */
export class LazyLogExporter implements LogRecordExporter {
  readonly #transport: ShutdownAwareExporter<ReadableLogRecord[]>;
  readonly #hooks: LogExportHooks;

  /** `factory(true)` builds the exporter for the batches flushed at shutdown (short timeout). */
  constructor(factory: (final: boolean) => LogRecordExporter, hooks: LogExportHooks) {
    this.#transport = new ShutdownAwareExporter(factory, {
      finalSkipped: 'the logs backend was unreachable; records flushed at shutdown were dropped',
      failed: 'logs export failed',
    });
    this.#hooks = hooks;
  }

  prepareForShutdown(): void {
    this.#transport.prepareForShutdown();
  }

  export(records: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.#hooks.onHanded(records.length);
    this.#transport.send(records, (error) => this.#hooks.onLost(records.length, error), resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.#transport.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#transport.shutdown();
  }
}

/** The official exporter module for the protocol (each is bundled, and loaded only when used). */
function logExporterModule(protocol: OtlpProtocol): typeof LogsProto {
  // Literal require() calls, so the bundler sees and includes each package.
  switch (protocol) {
    case 'grpc':
      return require('@opentelemetry/exporter-logs-otlp-grpc') as typeof LogsProto;
    case 'http/json':
      return require('@opentelemetry/exporter-logs-otlp-http') as typeof LogsProto;
    case 'http/protobuf':
      return require('@opentelemetry/exporter-logs-otlp-proto') as typeof LogsProto;
  }
}

/** Loads the OTLP exporter's code ahead of the first batch (in the worker, where start-up costs the app nothing). */
export function preloadOtlpLogExporter(protocol: OtlpProtocol): void {
  logExporterModule(protocol);
}

export function createOtlpLogExporter(config: LogsConfig, final = false): LogRecordExporter {
  const { OTLPLogExporter } = logExporterModule(config.protocol);
  const options: { url?: string; timeoutMillis: number } = {
    timeoutMillis: final ? Math.min(config.exportTimeoutMs, FINAL_EXPORT_TIMEOUT_MS) : config.exportTimeoutMs,
  };
  if (config.endpointOverride) options.url = config.endpointOverride;
  return new OTLPLogExporter(options) as unknown as LogRecordExporter;
}

export function createConsoleLogExporter(): LogRecordExporter {
  return new (require('@opentelemetry/sdk-logs').ConsoleLogRecordExporter)() as LogRecordExporter;
}
