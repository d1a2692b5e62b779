import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { type ExportWorkerHost } from '../export/worker-host.ts';
import { WorkerChannel } from '../export/worker-channel.ts';
import { toWireSpans, type WireSpans } from './span-wire.ts';
import { type TracesWorkerConfig } from './worker-protocol.ts';

export interface SpanExportEvents {
  /** An export failed or the worker stopped (one warning line per kind, see ExportHealth). */
  onError(error: unknown): void;
  /** Spans in a batch the backend did not take, or that could not be sent. */
  onLost(count: number): void;
  /** Spans refused because too many are already waiting for the worker. */
  onDropped(count: number): void;
}

/**
 * OTLP trace export on the export worker (worker-traces.ts): the app thread only turns each batch into
 * plain data (span-wire.ts) and posts it; serialization and the request run on the worker, so an export
 * stuck on a backend that never answers holds no socket and no timer on the app's thread.
 *
 * Each batch is acknowledged to the batch processor as soon as it is posted: the processor's own export
 * timer (OTEL_BSP_EXPORT_TIMEOUT) is ref'd, and waiting for the worker's answer would keep a finished app
 * alive that long. Failures are counted when the worker answers, and the spans waiting for the worker are
 * bounded by `maxQueued` (beyond it batches are dropped and counted, as the processor's own queue does).
 * Only exports made at the end hold the process (the final flush at shutdown waits for them).
 */
export class WorkerSpanExporter implements SpanExporter {
  readonly #channel: WorkerChannel<'traces'>;
  readonly #events: SpanExportEvents;
  readonly #maxQueued: number;
  /** Spans posted and not answered yet. */
  #waiting = 0;
  #final = false;
  #closed = false;
  /** Answers of the batches posted since prepareForShutdown(), awaited by shutdown(). */
  readonly #finalAnswers = new Set<Promise<unknown>>();

  constructor(
    host: ExportWorkerHost,
    config: TracesWorkerConfig,
    events: SpanExportEvents,
    maxQueued: number,
  ) {
    this.#events = events;
    this.#maxQueued = maxQueued;
    this.#channel = new WorkerChannel(host, 'traces', {
      init: { t: 'init', config },
      onFailed: (error) =>
        events.onError(new Error(`the export worker stopped, spans are no longer sent: ${error.message}`)),
    });
  }

  /** Spans posted to the worker and not answered yet. */
  get waitingSpans(): number {
    return this.#waiting;
  }

  /** The next exports are the process's last: short timeout, skipped if the previous one failed. */
  prepareForShutdown(): void {
    if (this.#final) return;
    this.#final = true;
    if (this.#channel.used) this.#postFinal();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    resultCallback({ code: ExportResultCode.SUCCESS });
    if (this.#closed || this.#channel.failed) {
      this.#events.onLost(spans.length);
      return;
    }
    if (this.#waiting + spans.length > this.#maxQueued) {
      this.#events.onDropped(spans.length);
      return;
    }
    let wire: WireSpans;
    try {
      wire = toWireSpans(spans);
    } catch (error) {
      this.#events.onLost(spans.length);
      this.#events.onError(error);
      return;
    }
    this.#post(wire, spans.length);
  }

  /**
   * Posts one batch. Only its span count is kept until the worker answers: a closure waiting for the answer
   * that could reach the batch (the SDK's spans, or the wire form) would keep it alive for the whole export,
   * through the young generation's collections, which promote it to the old one — and V8 grows the young
   * generation by what survives there (bench/memory-split.mjs).
   */
  #post(wire: WireSpans, count: number): void {
    if (this.#final && !this.#channel.used) this.#postFinal();
    this.#waiting += count;
    const once = handOver(wire);
    const answer = this.#channel
      .request((id) => ({ t: 'export', id, spans: once() }), { hold: this.#final })
      .then((reply) => {
        this.#waiting -= count;
        if (reply?.t === 'result' && reply.error === undefined) return;
        this.#events.onLost(count);
        // No answer: the worker stopped (reported once by onFailed) or the channel closed at shutdown.
        if (reply?.t === 'result') this.#events.onError(new Error(reply.error));
      });
    if (this.#final) {
      this.#finalAnswers.add(answer);
      void answer.then(() => this.#finalAnswers.delete(answer));
    }
  }

  /** Every batch is posted when export() returns; answers are waited for at shutdown only. */
  async forceFlush(): Promise<void> {}

  /**
   * Waits until the worker has answered every batch (bounded by the kit's shutdown deadline, which races
   * this), then lets the worker go. Batches still unanswered after that are counted as lost.
   */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#channel.used && !this.#channel.failed) {
      await this.#channel.request((id) => ({ t: 'shutdown', id }), { hold: true });
      await Promise.all(this.#finalAnswers);
    }
    await this.#channel.detach();
  }

  #postFinal(): void {
    try {
      this.#channel.post({ t: 'final' });
    } catch {
      // A plain message always clones.
    }
  }
}

/** Gives `wire` out once and forgets it, so whatever keeps the caller's closure does not keep the batch. */
function handOver(wire: WireSpans): () => WireSpans {
  let held: WireSpans | undefined = wire;
  return () => {
    const out = held!;
    held = undefined;
    return out;
  };
}
