import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  AggregationTemporality,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { type MetricsConfig } from '../config/signals-config.ts';
import { type ExportWorkerHost } from '../export/worker-host.ts';
import { type FromWorker } from '../export/worker-protocol.ts';
import { MetricWireEncoder } from './metric-wire.ts';
import { type ToMetricsWorker } from './worker-protocol.ts';

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
  readonly #host: ExportWorkerHost;
  readonly #config: MetricsConfig;
  readonly #onError: (error: unknown) => void;
  readonly #pending = new Map<number, (error?: string) => void>();
  readonly #encoder = new MetricWireEncoder();
  #initialized = false;
  #final = false;
  #nextId = 1;
  #closed = false;

  constructor(host: ExportWorkerHost, config: MetricsConfig, onError: (error: unknown) => void) {
    this.#host = host;
    this.#config = config;
    this.#onError = onError;
    host.attach('metrics', {
      onMessage: (message) => this.#onMessage(message),
      onFailed: (error) => {
        this.#onError(new Error(`the export worker stopped, metrics are no longer pushed: ${error.message}`));
        for (const settle of this.#pending.values()) settle();
        this.#pending.clear();
      },
    });
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  /** The next exports are the process's last: short timeout, skipped if the previous one failed. */
  prepareForShutdown(): void {
    if (this.#final) return;
    this.#final = true;
    if (this.#initialized) this.#send({ t: 'final' });
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.#closed || this.#host.failed) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    const id = this.#nextId++;
    const release = this.#final ? this.#host.hold() : () => {};
    this.#pending.set(id, (error) => {
      release();
      if (error !== undefined) {
        // The worker may have dropped its copy of the attribute sets (see MetricWireDecoder): resend them.
        this.#encoder.reset();
        this.#onError(new Error(error));
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    });
    try {
      // The resource stays behind: the worker has the same attributes since it started.
      this.#send({ t: 'export', id, metrics: this.#encoder.encode(metrics.scopeMetrics) });
    } catch (error) {
      this.#encoder.reset();
      this.#pending.get(id)?.((error as Error).message);
      this.#pending.delete(id);
    }
  }

  async forceFlush(): Promise<void> {
    // Every export already waits for its answer (the SDK awaits export()); nothing is buffered here.
  }

  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#initialized && !this.#host.failed) {
      const release = this.#host.hold();
      try {
        await new Promise<void>((resolve) => {
          const id = this.#nextId++;
          this.#pending.set(id, () => resolve());
          this.#send({ t: 'shutdown', id });
        });
      } finally {
        release();
      }
    }
    await this.#host.detach('metrics');
  }

  #send(message: ToMetricsWorker): void {
    if (!this.#initialized) {
      this.#initialized = true;
      this.#host.post({ channel: 'metrics', t: 'init', config: this.#config });
      if (this.#final) this.#host.post({ channel: 'metrics', t: 'final' });
    }
    this.#host.post({ channel: 'metrics', ...message });
  }

  #onMessage(message: FromWorker): void {
    if (message.channel !== 'metrics') return;
    const settle = this.#pending.get(message.id);
    this.#pending.delete(message.id);
    settle?.(message.t === 'result' ? message.error : undefined);
  }
}
