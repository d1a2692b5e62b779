import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * Defers building the real exporter (gRPC or HTTP client, serializers) to the first export, which
 * happens from the batch timer after the app is already serving: the app's start-up does not wait
 * for transport code, and an app that never makes a span never loads it.
 */
export class LazySpanExporter implements SpanExporter {
  #exporter: SpanExporter | undefined;
  #failed = false;
  /** Set by prepareForShutdown(): exports from now on are the process's last. */
  #final = false;
  #lastFailed = false;
  readonly #factory: (final: boolean) => SpanExporter;
  readonly #onError: (error: unknown) => void;
  readonly #onLost: (count: number) => void;
  /** Set while the process exits: batches are kept for exit-flush.ts instead of being sent. */
  #exitCapture: ReadableSpan[] | undefined;
  /** Batches handed to the real exporter and not answered yet: an exit would cut their request off. */
  readonly #inFlight = new Set<ReadableSpan[]>();

  /** `factory(true)` builds the exporter for the exports made at shutdown (short timeout, no retry). */
  constructor(
    factory: (final: boolean) => SpanExporter,
    onError: (error: unknown) => void,
    onLost: (count: number) => void = () => {},
  ) {
    this.#factory = factory;
    this.#onError = onError;
    this.#onLost = onLost;
  }

  #get(): SpanExporter | undefined {
    if (!this.#exporter && !this.#failed) {
      try {
        this.#exporter = this.#factory(this.#final);
      } catch (error) {
        this.#failed = true;
        this.#onError(error);
      }
    }
    return this.#exporter;
  }

  /**
   * The next exports are the last ones: they get a new exporter with the short final timeout (the current
   * one may be stuck in a long request or retry backoff), and are skipped at once when the previous export
   * failed, so a dead backend costs an exiting process nothing.
   */
  prepareForShutdown(): void {
    if (this.#final) return;
    this.#final = true;
    const previous = this.#exporter;
    this.#exporter = undefined;
    this.#failed = false;
    void previous?.shutdown().catch(() => {});
  }

  /** From now on, batches handed to export() are kept (see takeCapturedForExit) rather than sent. */
  captureForExit(): void {
    this.#exitCapture ??= [];
  }

  /**
   * The batches kept since captureForExit(), plus those whose request was still open: the process is about
   * to end, so that request never completes (if the backend did get it, it sees those spans twice; Tempo
   * merges duplicate span ids when it reads a trace).
   */
  takeCapturedForExit(): ReadableSpan[] {
    const spans = [...this.#inFlight].flat();
    this.#inFlight.clear();
    for (const span of this.#exitCapture ?? []) spans.push(span);
    this.#exitCapture = [];
    return spans;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.#exitCapture) {
      for (const span of spans) this.#exitCapture.push(span);
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    if (this.#final && this.#lastFailed) {
      this.#onLost(spans.length);
      resultCallback({
        code: ExportResultCode.FAILED,
        error: new Error('the trace backend was unreachable; the spans flushed at shutdown were dropped'),
      });
      return;
    }
    const exporter = this.#get();
    if (!exporter) {
      this.#onLost(spans.length);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('trace exporter unavailable') });
      return;
    }
    this.#inFlight.add(spans);
    exporter.export(spans, (result) => {
      this.#inFlight.delete(spans);
      this.#lastFailed = result.code !== ExportResultCode.SUCCESS;
      // The batch processor does not retry a failed batch: those spans are gone.
      if (result.code !== ExportResultCode.SUCCESS) this.#onLost(spans.length);
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.#exporter?.shutdown() ?? Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return this.#exporter?.forceFlush?.() ?? Promise.resolve();
  }
}
