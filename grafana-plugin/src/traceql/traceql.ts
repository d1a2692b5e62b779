/**
 * TraceQL strings for the scatter, the selection band and the heatmap underlay.
 *
 * A "transaction" is what Pinpoint draws as one dot: one request received by the selected application.
 * In OpenTelemetry terms that is a SERVER span whose resource is the selected service. We do not restrict
 * to trace roots (`nestedSetParent < 0`): in the demo, `orders` is never a trace root, so a root-only query
 * would show nothing for it. Every query is checked with `@grafana/lezer-traceql` in unit tests.
 */
import { linkSpanset, type TraceLink } from './link';
import { traceqlString } from './literals';

export { traceqlString };

/**
 * Extra attributes returned with every dot; only the span id, start and duration always come back. A real
 * Tempo v3.0.3 leaves `name` out of search results unless it is selected, and the list needs it for spans
 * that are not HTTP (no route).
 */
export const DOT_SELECT_FIELDS = [
  'name',
  'status',
  'span.http.route',
  'span.http.request.method',
  'span.http.response.status_code',
  // The transaction list's Exception and Client columns (Pinpoint's): the error status message the SDK sets
  // from a thrown exception, and the caller's address (HTTP semantic conventions, old and new names).
  'statusMessage',
  'span.client.address',
  'span.net.sock.peer.addr',
] as const;

/**
 * A TraceQL duration literal for a millisecond value. Sub-millisecond values use `us` so that a selection
 * starting at 0.4 ms does not round down to 0; values are integers in their unit so the literal is exact
 * enough for a band filter (the client re-filters exactly anyway).
 */
export function traceqlDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new Error(`Invalid duration: ${ms}`);
  }
  if (ms < 1) {
    return `${Math.floor(ms * 1000)}us`;
  }
  if (ms >= 1000 && Number.isInteger(ms / 1000)) {
    return `${ms / 1000}s`;
  }
  return `${Math.floor(ms)}ms`;
}

export interface TransactionFilter {
  /** The service whose spans are the dots (for a link, `linkSpanService(link)`). */
  service: string;
  /** Only the calls along this server-map link (the caller's client spans, see `linkSpanset`). */
  link?: TraceLink;
  /** Inclusive lower bound on span duration, ms. */
  minMs?: number;
  /** Inclusive upper bound on span duration, ms. */
  maxMs?: number;
  /** Only failed (`status = error`) or only non-failed transactions. */
  status?: 'error' | 'ok';
}

/**
 * The span-set filter `{ ... }` selecting the service's transactions (or a link's calls), optionally within a
 * duration band.
 */
export function transactionSpanset(filter: TransactionFilter): string {
  const service = filter.service.trim();
  if (!service) {
    throw new Error('A service name is required to query its transactions');
  }
  const conditions: string[] = [];
  if (filter.minMs !== undefined) {
    conditions.push(`duration >= ${traceqlDuration(filter.minMs)}`);
  }
  if (filter.maxMs !== undefined) {
    // Round the upper bound up so the band never loses the dot on its edge; the client filters exactly.
    conditions.push(`duration <= ${traceqlDuration(Math.ceil(filter.maxMs))}`);
  }
  if (filter.status === 'error') {
    conditions.push('status = error');
  } else if (filter.status === 'ok') {
    conditions.push('status != error');
  }
  if (filter.link) {
    return linkSpanset(filter.link, conditions);
  }
  return `{ ${[`resource.service.name = ${traceqlString(service)}`, 'kind = server', ...conditions].join(' && ')} }`;
}

/** Dots: every transaction of the service with the attributes the list and the colours need. */
export function buildDotsQuery(filter: TransactionFilter): string {
  return `${transactionSpanset(filter)} | select(${DOT_SELECT_FIELDS.join(', ')})`;
}

/**
 * Heatmap underlay: a TraceQL metrics histogram of the same transactions. Tempo answers with one series per
 * power-of-two duration bucket (label `__bucket`, seconds), which is what the underlay draws.
 */
export function buildHistogramQuery(filter: TransactionFilter): string {
  return `${transactionSpanset(filter)} | histogram_over_time(duration)`;
}
