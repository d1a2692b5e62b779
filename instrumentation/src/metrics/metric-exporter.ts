import { type ExportResult } from '@opentelemetry/core';
import { FINAL_EXPORT_TIMEOUT_MS } from '../export/final-export.ts';
import { ShutdownAwareExporter } from '../export/shutdown-aware-exporter.ts';
import {
  AggregationTemporality,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { type MetricsConfig } from '../config/signals-config.ts';
import type * as MetricsProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as MetricsHttp from '@opentelemetry/exporter-metrics-otlp-http';
import type * as MetricsGrpc from '@opentelemetry/exporter-metrics-otlp-grpc';

/** What a skipped or failed metrics export is reported as (here and on the export worker). */
export const METRICS_TRANSPORT_MESSAGES = {
  finalSkipped: 'the metrics backend was unreachable; the last export at shutdown was skipped',
  failed: 'metrics export failed',
};

/**
 * Metrics over the shared shutdown-aware transport (see ShutdownAwareExporter). Temporality is cumulative
 * whatever OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE says: Mimir rejects delta by default. With
 * cumulative temporality a failed export loses resolution only: the next one carries the same totals.
 */
export class LazyMetricExporter implements PushMetricExporter {
  readonly #transport: ShutdownAwareExporter<ResourceMetrics>;
  readonly #onError: (error: unknown) => void;

  /** `factory(true)` builds the exporter for the last export at shutdown (short timeout). */
  constructor(factory: (final: boolean) => PushMetricExporter, onError: (error: unknown) => void) {
    this.#transport = new ShutdownAwareExporter(factory, METRICS_TRANSPORT_MESSAGES);
    this.#onError = onError;
  }

  prepareForShutdown(): void {
    this.#transport.prepareForShutdown();
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.#transport.send(metrics, this.#onError, resultCallback);
  }

  forceFlush(): Promise<void> {
    return this.#transport.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#transport.shutdown();
  }
}

/** The official exporter for the configured protocol; each is bundled and loaded only when used. */
export function createOtlpMetricExporter(config: MetricsConfig, final = false): PushMetricExporter {
  const { AggregationTemporalityPreference } =
    require('@opentelemetry/exporter-metrics-otlp-http') as typeof MetricsHttp;
  const options: { url?: string; timeoutMillis: number; temporalityPreference: number } = {
    timeoutMillis: final ? Math.min(config.otlpTimeoutMs, FINAL_EXPORT_TIMEOUT_MS) : config.otlpTimeoutMs,
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
  };
  if (config.endpointOverride) options.url = config.endpointOverride;
  switch (config.protocol) {
    case 'grpc': {
      const { OTLPMetricExporter } =
        require('@opentelemetry/exporter-metrics-otlp-grpc') as typeof MetricsGrpc;
      return new OTLPMetricExporter(options) as unknown as PushMetricExporter;
    }
    case 'http/json': {
      const { OTLPMetricExporter } =
        require('@opentelemetry/exporter-metrics-otlp-http') as typeof MetricsHttp;
      return new OTLPMetricExporter(options) as unknown as PushMetricExporter;
    }
    case 'http/protobuf': {
      const { OTLPMetricExporter } =
        require('@opentelemetry/exporter-metrics-otlp-proto') as typeof MetricsProto;
      return new OTLPMetricExporter(options) as unknown as PushMetricExporter;
    }
  }
}

export function createConsoleMetricExporter(): PushMetricExporter {
  return new (require('@opentelemetry/sdk-metrics').ConsoleMetricExporter)() as PushMetricExporter;
}
