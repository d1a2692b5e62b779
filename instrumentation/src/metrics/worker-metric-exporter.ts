import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { type MetricsConfig } from '../config/signals-config.ts';
import { type ExportWorkerHost } from '../export/worker-host.ts';
import { WorkerChannel } from '../export/worker-channel.ts';
import { MetricWireEncoder } from './metric-wire.ts';

/**
 * OTLP metric export with the protobuf serialization and the HTTP request on the export worker: the main
 * thread collects (prom-client and the OTel instruments live there) and hands the data over in the compact
 * form of metric-wire.ts, which costs less than cloning or serializing it (README "Benchmarks: metrics and
 * logs"). Temporality is
 * cumulative, as for the in-thread exporter. Every export is acknowledged as a success to the SDK after
 * `onError` has counted a failure (see ShutdownAwareExporter). Only the exports made at shutdown hold the
 * worker (so the last one is waited for, bounded by the short final timeout): a periodic export to a backend
 * that never answers must not keep an app that has finished its work alive, and with an interval no longer
 * than the timeout one is always in flight.
 */
export class WorkerMetricExporter implements PushMetricExporter {
  readonly #channel: WorkerChannel<'metrics'>;
  readonly #onError: (error: unknown) => void;
  readonly #encoder = new MetricWireEncoder();
  #final = false;
  #closed = false;

  constructor(host: ExportWorkerHost, config: MetricsConfig, onError: (error: unknown) => void) {
    this.#onError = onError;
    this.#channel = new WorkerChannel(host, 'metrics', {
      init: { t: 'init', config },
      onFailed: (error) =>
        onError(new Error(`the export worker stopped, metrics are no longer pushed: ${error.message}`)),
    });
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  /** The next exports are the process's last: short timeout, skipped if the previous one failed. */
  prepareForShutdown(): void {
    if (this.#final) return;
    this.#final = true;
    if (this.#channel.used) this.#channel.post({ t: 'final' });
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.#closed || this.#channel.failed) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    if (this.#final && !this.#channel.used) this.#channel.post({ t: 'final' });
    let encoded;
    try {
      // The resource stays behind: the worker has the same attributes since it started.
      encoded = this.#encoder.encode(metrics.scopeMetrics);
    } catch (error) {
      this.#encoder.reset();
      this.#onError(error);
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    void this.#channel
      .request((id) => ({ t: 'export', id, metrics: encoded }), { hold: this.#final })
      .then((reply) => {
        if (reply?.t === 'result' && reply.error !== undefined) {
          // The worker may have dropped its copy of the attribute sets (see MetricWireDecoder): resend them.
          this.#encoder.reset();
          this.#onError(new Error(reply.error));
        }
        resultCallback({ code: ExportResultCode.SUCCESS });
      });
  }

  async forceFlush(): Promise<void> {
    // Every export already waits for its answer (the SDK awaits export()); nothing is buffered here.
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#channel.used && !this.#channel.failed)
      await this.#channel.request((id) => ({ t: 'shutdown', id }), { hold: true });
    await this.#channel.detach();
  }
}
