import { SpanKind, type Context } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface ServiceGraphHintOptions {
  /** Name database nodes after their system (postgresql, redis) rather than their host. */
  dbPeerService: boolean;
  /**
   * `peer.service` for root SERVER spans (no parent): Tempo names the caller of a root span after its
   * first peer attribute, and HTTP server spans carry `server.address` — the server's own Host header —
   * so without this the entry edge would read `localhost → gateway` instead of Pinpoint's USER node.
   * Empty string: leave root spans alone.
   */
  rootPeerService: string;
}

/**
 * Adds the attributes Tempo's service-graph processor reads to name nodes, while the span is still
 * writable; never overrides a `peer.service` the app or an instrumentation already set.
 */
export class ServiceGraphHintsProcessor implements SpanProcessor {
  readonly #options: ServiceGraphHintOptions;

  constructor(options: ServiceGraphHintOptions) {
    this.#options = options;
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    const attributes = span.attributes;
    if (attributes['peer.service'] !== undefined) return;
    if (span.kind === SpanKind.CLIENT) {
      if (!this.#options.dbPeerService) return;
      const system = attributes['db.system.name'] ?? attributes['db.system'];
      if (typeof system === 'string' && system) span.setAttribute('peer.service', system);
    } else if (span.kind === SpanKind.SERVER && this.#options.rootPeerService && !span.parentSpanContext) {
      span.setAttribute('peer.service', this.#options.rootPeerService);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
