import { type Context } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';

/** The part of a span processor the kit's own steps use; each one is called only where it has work. */
export type SpanStep = Pick<SpanProcessor, 'onStart' | 'onEnd' | 'shutdown'> & {
  onEnding?(span: Span): void;
};

/**
 * The kit's own span work — service-graph hints and redaction while the span ends, the active-request
 * bookkeeping at its start and end — as one processor placed before the exporting ones, so that the SDK
 * calls one object per span event instead of each of them for every event (most of those calls were empty).
 * Order is kept: the hints are added before redaction runs, as when they were separate processors.
 */
export class KitSpanProcessor implements SpanProcessor {
  readonly #ending: ReadonlyArray<NonNullable<SpanStep['onEnding']>>;
  readonly #bookkeeping: SpanStep | undefined;
  readonly #steps: readonly SpanStep[];

  /** `endingSteps` run in order while the span is still writable; `bookkeeping` sees start and end. */
  constructor(endingSteps: readonly SpanStep[], bookkeeping?: SpanStep) {
    this.#ending = endingSteps.flatMap((step) => (step.onEnding ? [step.onEnding.bind(step)] : []));
    this.#bookkeeping = bookkeeping;
    this.#steps = bookkeeping ? [...endingSteps, bookkeeping] : endingSteps;
  }

  onStart(span: Span, parentContext: Context): void {
    this.#bookkeeping?.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    for (let i = 0; i < this.#ending.length; i++) this.#ending[i]!(span);
  }

  onEnd(span: ReadableSpan): void {
    this.#bookkeeping?.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.#steps.map((step) => step.shutdown()));
  }
}
