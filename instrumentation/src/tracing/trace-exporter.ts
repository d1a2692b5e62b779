import { type SpanExporter } from '@opentelemetry/sdk-trace';
import { FINAL_EXPORT_TIMEOUT_MS } from '../export/final-export.ts';
import { type TracesWorkerConfig } from './worker-protocol.ts';

export const DEFAULT_TRACES_ENDPOINT = {
  grpc: 'http://localhost:4317',
  'http/protobuf': 'http://localhost:4318/v1/traces',
  'http/json': 'http://localhost:4318/v1/traces',
} as const;

/** What a skipped or failed trace export is reported as. */
export const TRACES_TRANSPORT_MESSAGES = {
  finalSkipped: 'the trace backend was unreachable; the spans flushed at shutdown were dropped',
  failed: 'trace export failed',
};

/**
 * The official OTLP exporters (run on the export worker, see worker-traces.ts). They read OTEL_EXPORTER_OTLP_* (endpoint, headers, compression,
 * certificates) themselves; the kit passes a URL only when the user's value was invalid, so the
 * standard precedence rules of each exporter stay intact.
 */
export function createOtlpTraceExporter(config: TracesWorkerConfig, final = false): SpanExporter {
  const timeoutMillis = final
    ? Math.min(config.exportTimeoutMs, FINAL_EXPORT_TIMEOUT_MS)
    : config.exportTimeoutMs;
  const options: { url?: string; timeoutMillis: number } = { timeoutMillis };
  if (config.tracesEndpointInvalid) options.url = DEFAULT_TRACES_ENDPOINT[config.traceProtocol];
  switch (config.traceProtocol) {
    case 'grpc':
      return new (require('@opentelemetry/exporter-trace-otlp-grpc').OTLPTraceExporter)(options);
    case 'http/json':
      return new (require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter)(options);
    case 'http/protobuf':
      return new (require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter)(options);
  }
}

export function createConsoleTraceExporter(): SpanExporter {
  return new (require('@opentelemetry/sdk-trace').ConsoleSpanExporter)();
}
