import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { type MetricsConfig } from '../config/signals-config.ts';
import type * as MetricsProto from '@opentelemetry/exporter-metrics-otlp-proto';
import type * as MetricsHttp from '@opentelemetry/exporter-metrics-otlp-http';

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
  #lastFailed = false;
  #final = false;
  readonly #factory: (final: boolean) => PushMetricExporter;
  readonly #onError: (error: unknown) => void;
  exports = 0;

  /** `factory(true)` builds the exporter for the last export at shutdown (short timeout). */
  constructor(factory: (final: boolean) => PushMetricExporter, onError: (error: unknown) => void) {
    this.#factory = factory;
    this.#onError = onError;
  }

  /**
   * Before the provider's shutdown. An exiting process must not wait out a dead backend: the exporter's
   * retries run on timers that keep Node alive for up to the full export timeout. So the last export gets
   * its own exporter with a short timeout, and none at all if the previous export had failed.
   */
  prepareForShutdown(): void {
    if (this.#final) return;
    this.#final = true;
    const previous = this.#exporter;
    this.#exporter = undefined;
    this.#failed = false;
    void previous?.shutdown().catch(() => {});
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.#final && this.#lastFailed) {
      this.#onError(
        new Error('the metrics backend was unreachable; the last export at shutdown was skipped'),
      );
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    if (!this.#exporter && !this.#failed) {
      try {
        this.#exporter = this.#factory(this.#final);
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
      this.#lastFailed = result.code !== ExportResultCode.SUCCESS;
      if (this.#lastFailed) this.#onError(result.error ?? new Error('metrics export failed'));
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

/**
 * Timeout of the exports made while the process exits. Below the OTLP transport's smallest retry backoff
 * (1 s − 20 % jitter), so a refused connection is not retried and cannot hold the process; a healthy
 * backend takes milliseconds for one request.
 */
export const FINAL_EXPORT_TIMEOUT_MS = 750;

export function createOtlpMetricExporter(config: MetricsConfig, final = false): PushMetricExporter {
  const { OTLPMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto') as typeof MetricsProto;
  const { AggregationTemporalityPreference } =
    require('@opentelemetry/exporter-metrics-otlp-http') as typeof MetricsHttp;
  const options: { url?: string; timeoutMillis: number; temporalityPreference: number } = {
    timeoutMillis: final ? Math.min(config.otlpTimeoutMs, FINAL_EXPORT_TIMEOUT_MS) : config.otlpTimeoutMs,
    temporalityPreference: AggregationTemporalityPreference.CUMULATIVE,
  };
  if (config.endpointOverride) options.url = config.endpointOverride;
  return new OTLPMetricExporter(options) as unknown as PushMetricExporter;
}

export function createConsoleMetricExporter(): PushMetricExporter {
  return new (require('@opentelemetry/sdk-metrics').ConsoleMetricExporter)() as PushMetricExporter;
}
