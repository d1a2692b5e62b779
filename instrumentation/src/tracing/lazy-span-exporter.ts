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

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const exporter = this.#get();
    if (!exporter) {
      this.#onLost(spans.length);
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('trace exporter unavailable') });
      return;
    }
    exporter.export(spans, (result) => {
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
