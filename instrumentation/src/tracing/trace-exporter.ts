import { type SpanExporter } from '@opentelemetry/sdk-trace';
import { type KitConfig } from '../config/config.ts';
import { FINAL_EXPORT_TIMEOUT_MS } from '../export/final-export.ts';

export const DEFAULT_TRACES_ENDPOINT = {
  grpc: 'http://localhost:4317',
  'http/protobuf': 'http://localhost:4318/v1/traces',
  'http/json': 'http://localhost:4318/v1/traces',
} as const;

/**
 * The official OTLP exporters. They read OTEL_EXPORTER_OTLP_* (endpoint, headers, compression,
 * certificates) themselves; the kit passes a URL only when the user's value was invalid, so the
 * standard precedence rules of each exporter stay intact.
 */
export function createOtlpTraceExporter(config: KitConfig, final = false): SpanExporter {
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
