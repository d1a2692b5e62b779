import { performance } from 'node:perf_hooks';
import { SpanKind, type Context, type Meter } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ActiveRequestTracker } from './tracker.ts';
import { type ActiveRequestsConfig } from '../config/signals-config.ts';
import { type Warner } from '../diagnostics/warner.ts';

export const ACTIVE_REQUESTS_METRIC = 'lgtm_apm_active_requests';

export interface StuckRequestInfo {
  span: Span;
  method: string;
  route: string;
  elapsedMs: number;
  traceId: string;
}

export interface ActiveRequestsOptions {
  config: ActiveRequestsConfig;
  warner: Warner;
  /** Called once per stuck request (e.g. to send a WARN log record to Loki with the request's trace id). */
  onStuck?: (info: StuckRequestInfo) => void;
  now?: () => number;
}

function describe(span: Span): { method: string; route: string } {
  const a = span.attributes;
  const method = String(a['http.request.method'] ?? a['http.method'] ?? '');
  // http.route is often only known at the end; the span name and path are what is known while it hangs.
  const route = String(a['http.route'] ?? a['url.path'] ?? a['http.target'] ?? span.name);
  return { method, route };
}

/**
 * Tracks in-flight SERVER spans (one per incoming request) for the `lgtm_apm_active_requests{age}` gauge
 * and the stuck-request warning. Only sampled (recording) spans reach a span processor, so with a ratio
 * sampler the gauge counts the sampled share of requests.
 */
export class ActiveRequestsProcessor implements SpanProcessor {
  readonly tracker: ActiveRequestTracker<Span>;
  readonly #config: ActiveRequestsConfig;
  readonly #warner: Warner;
  readonly #onStuck: ((info: StuckRequestInfo) => void) | undefined;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ActiveRequestsOptions) {
    this.#config = options.config;
    this.#warner = options.warner;
    this.#onStuck = options.onStuck;
    this.#now = options.now ?? (() => performance.now());
    this.tracker = new ActiveRequestTracker<Span>(options.config.thresholdsMs, options.config.maxTracked);
    if (options.config.stuckRequestMs > 0) {
      const every = Math.max(50, Math.min(1000, Math.floor(options.config.stuckRequestMs / 2)));
      this.#timer = setInterval(() => this.checkStuck(), every);
      this.#timer.unref();
    }
  }

  onStart(span: Span, _parentContext: Context): void {
    if (span.kind !== SpanKind.SERVER) return;
    if (!this.tracker.start(span, this.#now())) {
      this.#warner.warn(
        'active-requests-overflow',
        `more than ${this.#config.maxTracked} requests in flight; the ages of the others are not tracked ` +
          `(${this.tracker.overflowTotal} so far; LGTM_APM_ACTIVE_REQUESTS_MAX raises the bound)`,
      );
    }
  }

  onEnd(span: ReadableSpan): void {
    if (span.kind !== SpanKind.SERVER) return;
    this.tracker.end(span as Span);
  }

  checkStuck(): void {
    for (const { key: span, elapsedMs } of this.tracker.takeNewlyStuck(
      this.#now(),
      this.#config.stuckRequestMs,
    )) {
      const { method, route } = describe(span);
      const traceId = span.spanContext().traceId;
      const elapsed = Math.round(elapsedMs);
      this.#warner.warn(
        'stuck-request',
        `request still running after ${elapsed} ms (LGTM_APM_STUCK_REQUEST_MS=${this.#config.stuckRequestMs}): ` +
          `${method} ${route} trace_id=${traceId}`,
      );
      try {
        this.#onStuck?.({ span, method, route, elapsedMs: elapsed, traceId });
      } catch {
        // reporting must never disturb the request
      }
    }
  }

  /** Registers the gauge; every age label is observed (zeros too) so dashboards see 0, not "no data". */
  observeWith(meter: Meter): void {
    const gauge = meter.createObservableGauge(ACTIVE_REQUESTS_METRIC, {
      description: 'In-flight server requests by age bucket (Pinpoint active requests)',
      unit: '{request}',
    });
    gauge.addCallback((result) => {
      for (const { label, count } of this.tracker.countByAge(this.#now()))
        result.observe(count, { age: label });
    });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    return Promise.resolve();
  }
}
