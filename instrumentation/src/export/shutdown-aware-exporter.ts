import { ExportResultCode, type ExportResult } from '@opentelemetry/core';

export interface BatchExporter<Batch> {
  export(batch: Batch, resultCallback: (result: ExportResult) => void): void;
  forceFlush?(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The transport state shared by the traces, metrics and logs exporters (on the export worker, and for the
 * console metrics exporter on the main thread):
 * - the real OTLP exporter is built on the first batch, off the app's start-up path;
 * - before shutdown, `prepareForShutdown()` swaps in an exporter with a short timeout, and skips the final
 *   batch altogether when the previous one failed: the exporter's retries run on timers that would keep an
 *   exiting process alive for the whole export timeout;
 * - every batch is acknowledged as a success to the SDK after `onFailure` has counted it, because the SDK
 *   would only hand the error to the global (trace-oriented) error handler;
 * - `settled()` tells when every batch handed over since `prepareForShutdown()` is answered (the exit
 *   hand-off waits for exactly that).
 */
export class ShutdownAwareExporter<Batch> {
  #exporter: BatchExporter<Batch> | undefined;
  #failed = false;
  #lastFailed = false;
  #final = false;
  /** Final batches not answered yet. */
  readonly #finalPending = new Set<Promise<void>>();
  readonly #factory: (final: boolean) => BatchExporter<Batch>;
  readonly #finalSkippedMessage: string;
  readonly #failedMessage: string;

  constructor(
    factory: (final: boolean) => BatchExporter<Batch>,
    messages: { finalSkipped: string; failed: string },
  ) {
    this.#factory = factory;
    this.#finalSkippedMessage = messages.finalSkipped;
    this.#failedMessage = messages.failed;
  }

  prepareForShutdown(): void {
    if (this.#final) return;
    this.#final = true;
    const previous = this.#exporter;
    this.#exporter = undefined;
    this.#failed = false;
    void previous?.shutdown().catch(() => {});
  }

  send(
    batch: Batch,
    onFailure: (error: unknown) => void,
    resultCallback: (result: ExportResult) => void,
  ): void {
    if (this.#final && this.#lastFailed) {
      onFailure(new Error(this.#finalSkippedMessage));
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    if (!this.#exporter && !this.#failed) {
      try {
        this.#exporter = this.#factory(this.#final);
      } catch (error) {
        this.#failed = true;
        onFailure(error);
      }
    }
    const exporter = this.#exporter;
    if (!exporter) {
      resultCallback({ code: ExportResultCode.SUCCESS });
      return;
    }
    let answered: () => void = () => {};
    if (this.#final) {
      const pending = new Promise<void>((resolve) => (answered = resolve));
      this.#finalPending.add(pending);
      void pending.then(() => this.#finalPending.delete(pending));
    }
    let finished = false;
    const finish = (result: ExportResult): void => {
      if (finished) return;
      finished = true;
      this.#lastFailed = result.code !== ExportResultCode.SUCCESS;
      if (this.#lastFailed) onFailure(result.error ?? new Error(this.#failedMessage));
      resultCallback({ code: ExportResultCode.SUCCESS });
      answered();
    };
    try {
      exporter.export(batch, finish);
    } catch (error) {
      // The OTLP exporters serialize before their first callback and let a serializer error escape: on the
      // export worker that would end the thread, and with it every signal's export.
      finish({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  /** Resolves once every batch sent since prepareForShutdown() has been answered. */
  async settled(): Promise<void> {
    while (this.#finalPending.size) await Promise.all(this.#finalPending);
  }

  forceFlush(): Promise<void> {
    return this.#exporter?.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.#exporter?.shutdown() ?? Promise.resolve();
  }
}
