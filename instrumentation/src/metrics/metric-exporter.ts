import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { type MetricsConfig } from '../config/signals-config.ts';

/**
 * Builds the OTLP http/protobuf exporter on the first export (one interval after start), so neither the
 * app's start-up nor an app that exits early pays for the transport code. Temporality is cumulative
 * whatever OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE says: Mimir rejects delta by default.
 *
 * Failures are counted and reported here and the reader is told the export succeeded: the reader would
 * only forward the error to the global (trace-oriented) handler, and with cumulative temporality the
 * next export carries the same totals anyway, so nothing is lost but resolution.
 */
export class LazyMetricExporter implements PushMetricExporter {
  #exporter: PushMetricExporter | undefined;
  #failed = false;
  readonly #factory: () => PushMetricExporter;
  readonly #onError: (error: unknown) => void;
  exports = 0;

  constructor(factory: () => PushMetricExporter, onError: (error: unknown) => void) {
    this.#factory = factory;
    this.#onError = onError;
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (!this.#exporter && !this.#failed) {
      try {
        this.#exporter = this.#factory();
      } catch (error) {
        this.#failed = true;
        this.#onError(error);
      }
    }
    const exporter = this.#exporter;
    if (!exporter) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    this.exports += 1;
    exporter.export(metrics, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.#onError(result.error ?? new Error('metrics export failed'));
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

export function createOtlpMetricExporter(config: MetricsConfig): PushMetricExporter {
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto');
  const { AggregationTemporalityPreference } = require('@opentelemetry/exporter-metrics-otlp-http') as typeof import('@opentelemetry/exporter-metrics-otlp-http');
  const options: { url?: string; timeoutMillis: number; temporalityPreference: number } = {
    timeoutMillis: config.otlpTimeoutMs,
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
  };
  if (config.endpointOverride) options.url = config.endpointOverride;
  return new OTLPMetricExporter(options) as unknown as PushMetricExporter;
}

export function createConsoleMetricExporter(): PushMetricExporter {
  return new (require('@opentelemetry/sdk-metrics').ConsoleMetricExporter)() as PushMetricExporter;
}
