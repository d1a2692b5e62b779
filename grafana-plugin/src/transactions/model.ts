/** Transaction-list logic: what a selection contains, how it sorts, and the data-quality numbers. */
import { distinctTraceCount, type Transaction, type TransactionSet } from '../scatter/dots';
import { selectInRect, type DataRect } from '../scatter/selection';

export type SortKey =
  'start' | 'transaction' | 'name' | 'duration' | 'status' | 'exception' | 'client' | 'service' | 'traceId';
export type SortDir = 'asc' | 'desc';

export function transactionLabel(t: Transaction): string {
  return t.route ? `${t.method ?? ''} ${t.route}`.trim() : t.name;
}

/** Pinpoint's "Transaction": the name of the request that started the trace (its root span). */
export function rootLabel(t: Transaction): string {
  return t.rootName ?? transactionLabel(t);
}

/**
 * A trace id short enough for a column yet distinct: leading zeros (64-bit ids padded to 128 bits) dropped, then
 * head and tail kept, as ids that share a prefix still differ at the end.
 */
export function shortTraceId(id: string): string {
  const trimmed = id.replace(/^0+(?=[0-9a-f]{16})/i, '');
  return trimmed.length <= 16 ? trimmed : `${trimmed.slice(0, 6)}…${trimmed.slice(-8)}`;
}

const compare: Record<SortKey, (a: Transaction, b: Transaction) => number> = {
  start: (a, b) => a.startMs - b.startMs,
  transaction: (a, b) => rootLabel(a).localeCompare(rootLabel(b)),
  exception: (a, b) => (a.exception ?? '').localeCompare(b.exception ?? ''),
  client: (a, b) => (a.clientAddress ?? '').localeCompare(b.clientAddress ?? ''),
  name: (a, b) => transactionLabel(a).localeCompare(transactionLabel(b)),
  duration: (a, b) => a.durationMs - b.durationMs,
  status: (a, b) => Number(a.failed) - Number(b.failed) || (a.httpStatus ?? 0) - (b.httpStatus ?? 0),
  service: (a, b) => a.service.localeCompare(b.service),
  traceId: (a, b) => a.traceId.localeCompare(b.traceId),
};

/** Stable sort (ties keep input order) without touching the input. */
export function sortTransactions(list: readonly Transaction[], key: SortKey, dir: SortDir): Transaction[] {
  const sign = dir === 'asc' ? 1 : -1;
  const n = list.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    order[i] = i;
  }
  if (key === 'duration' || key === 'start') {
    // Numeric keys in a typed array: selections can hold tens of thousands of rows.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      keys[i] = key === 'duration' ? list[i]!.durationMs : list[i]!.startMs;
    }
    order.sort((a, b) => sign * (keys[a]! - keys[b]!) || a - b);
  } else {
    const cmp = compare[key];
    order.sort((a, b) => sign * cmp(list[a]!, list[b]!) || a - b);
  }
  const out = new Array<Transaction>(n);
  for (let i = 0; i < n; i++) {
    out[i] = list[order[i]!]!;
  }
  return out;
}

/** Tempo's `limit` counts traces: a result with as many distinct traces as the limit may be cut short. */
export function isTruncated(set: TransactionSet, limit: number): boolean {
  return distinctTraceCount(set.transactions) >= limit;
}

export function transactionsInRect(
  set: TransactionSet,
  rect: DataRect,
  visible: readonly [boolean, boolean] = [true, true]
): Transaction[] {
  const idx = selectInRect(set.points, rect, visible);
  const out = new Array<Transaction>(idx.length);
  for (let i = 0; i < idx.length; i++) {
    out[i] = set.transactions[idx[i]!]!;
  }
  return out;
}

/** Tempo answers a band query at second/ms granularity; keep exactly what the rectangle covers. */
export function withinRect(
  list: readonly Transaction[],
  rect: DataRect,
  visible: readonly [boolean, boolean] = [true, true]
): Transaction[] {
  return list.filter(
    (t) =>
      t.startMs >= rect.x0 &&
      t.startMs <= rect.x1 &&
      t.durationMs >= rect.y0 &&
      t.durationMs <= rect.y1 &&
      visible[t.failed ? 1 : 0]
  );
}

/**
 * Share of requests that reached Tempo: transactions Tempo counted (TraceQL metrics) ÷ requests the SDK's
 * HTTP server histogram counted (not subject to trace sampling). Undefined when either side is unknown.
 */
export function samplingEstimate(stored: number | undefined, requests: number | undefined): number | undefined {
  if (stored === undefined || requests === undefined || !(requests > 0) || !(stored >= 0)) {
    return undefined;
  }
  return Math.min(1, stored / requests);
}

export function formatShare(ratio: number): string {
  const pct = ratio * 100;
  return `${pct >= 10 || pct === 0 ? Math.round(pct) : pct.toFixed(1)}%`;
}
