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
  readonly #factory: () => SpanExporter;
  readonly #onError: (error: unknown) => void;
  readonly #onLost: (count: number) => void;
  /** Set while the process exits: batches are kept for exit-flush.ts instead of being sent. */
  #exitCapture: ReadableSpan[] | undefined;
  /** Batches handed to the real exporter and not answered yet: an exit would cut their request off. */
  readonly #inFlight = new Set<ReadableSpan[]>();

  constructor(factory: () => SpanExporter, onError: (error: unknown) => void, onLost: (count: number) => void = () => {}) {
    this.#factory = factory;
    this.#onError = onError;
    this.#onLost = onLost;
  }

  #get(): SpanExporter | undefined {
    if (!this.#exporter && !this.#failed) {
      try {
        this.#exporter = this.#factory();
      } catch (error) {
        this.#failed = true;
        this.#onError(error);
      }
    }
    return this.#exporter;
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
    const exporter = this.#get();
    if (!exporter) {
      this.#onLost(spans.length);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('trace exporter unavailable') });
      return;
    }
    this.#inFlight.add(spans);
    exporter.export(spans, (result) => {
      this.#inFlight.delete(spans);
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
