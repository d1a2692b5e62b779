import { pointsOf, type Transaction } from '../../src/scatter/dots';
import { scatterOptionsOf, SCATTER_DEFAULTS } from '../../src/scatter/options';
import {
  formatShare,
  isTruncated,
  samplingEstimate,
  rootLabel,
  shortTraceId,
  sortTransactions,
  transactionLabel,
  transactionsInRect,
  withinRect,
} from '../../src/transactions/model';

function tx(id: string, startMs: number, durationMs: number, extra: Partial<Transaction> = {}): Transaction {
  return { traceId: id, spanId: `s${id}`, startMs, durationMs, failed: false, name: `GET /${id}`, service: 'orders', ...extra };
}

const list = [
  tx('a', 1000, 30),
  tx('b', 2000, 3000, { failed: true, httpStatus: 500 }),
  tx('c', 3000, 30, { route: '/orders/:id', method: 'GET' }),
  tx('d', 4000, 900),
];

describe('transaction list model', () => {
  it('sorts by each column, stable for ties, without touching the input', () => {
    expect(sortTransactions(list, 'duration', 'desc').map((t) => t.traceId)).toEqual(['b', 'd', 'a', 'c']);
    expect(sortTransactions(list, 'duration', 'asc').map((t) => t.traceId)).toEqual(['a', 'c', 'd', 'b']);
    expect(sortTransactions(list, 'start', 'desc').map((t) => t.traceId)).toEqual(['d', 'c', 'b', 'a']);
    expect(sortTransactions(list, 'status', 'desc')[0]!.traceId).toBe('b');
    expect(sortTransactions(list, 'name', 'asc').map((t) => transactionLabel(t))).toEqual(['GET /a', 'GET /b', 'GET /d', 'GET /orders/:id']);
    expect(list.map((t) => t.traceId)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('takes rectangle members from the loaded dots and trims Tempo band answers to the rectangle', () => {
    const set = { transactions: list, points: pointsOf(list), skipped: 0 };
    const rect = { x0: 1500, x1: 4000, y0: 500, y1: Number.POSITIVE_INFINITY };
    expect(transactionsInRect(set, rect).map((t) => t.traceId)).toEqual(['b', 'd']);
    expect(transactionsInRect(set, rect, [true, false]).map((t) => t.traceId)).toEqual(['d']);
    expect(withinRect(list, rect).map((t) => t.traceId)).toEqual(['b', 'd']);
    expect(withinRect(list, { ...rect, y1: 1000 }, [true, true]).map((t) => t.traceId)).toEqual(['d']);
  });

  it('calls a result truncated when it has as many distinct traces as the limit', () => {
    const set = { transactions: list, points: pointsOf(list), skipped: 0 };
    expect(isTruncated(set, 4)).toBe(true);
    expect(isTruncated(set, 5)).toBe(false);
    const twoSpansOneTrace = [tx('x', 1, 1), tx('x', 2, 1)];
    expect(isTruncated({ transactions: twoSpansOneTrace, points: pointsOf(twoSpansOneTrace), skipped: 0 }, 2)).toBe(false);
  });

  it('estimates sampling from stored transactions over counted requests', () => {
    expect(samplingEstimate(300, 600)).toBe(0.5);
    expect(samplingEstimate(700, 600)).toBe(1);
    expect(samplingEstimate(undefined, 600)).toBeUndefined();
    expect(samplingEstimate(300, 0)).toBeUndefined();
    expect(formatShare(0.5)).toBe('50%');
    expect(formatShare(0.012)).toBe('1.2%');
  });
});

describe('scatter options', () => {
  it('fills defaults and sanitises bad values', () => {
    expect(scatterOptionsOf({})).toEqual(SCATTER_DEFAULTS);
    expect(scatterOptionsOf({ scatterYScale: 'log', scatterYMax: 2000, scatterDotLimit: 100.7 })).toMatchObject({
      scatterYScale: 'log',
      scatterYMax: 2000,
      scatterDotLimit: 100,
    });
    expect(scatterOptionsOf({ scatterYScale: 'cubic', scatterYMax: -5, scatterDotLimit: 0, scatterRuntimeOverlay: 'x', mimirDatasource: '' })).toEqual({
      ...SCATTER_DEFAULTS,
      scatterRuntimeOverlay: 'off',
    });
  });
});

describe('transaction list columns', () => {
  it('names the transaction after the trace root, falling back to the span', () => {
    expect(rootLabel(tx('a', 0, 1, { rootName: 'GET /checkout' }))).toBe('GET /checkout');
    expect(rootLabel(tx('a', 0, 1, { route: '/orders/:id', method: 'GET' }))).toBe('GET /orders/:id');
    const sorted = sortTransactions([tx('a', 0, 1, { rootName: 'POST /pay' }), tx('b', 0, 1, { rootName: 'GET /cart' })], 'transaction', 'asc');
    expect(sorted.map((t) => t.traceId)).toEqual(['b', 'a']);
  });

  it('shortens trace ids so that ids sharing a prefix stay apart', () => {
    const a = '4bf92f3577b34da6a3ce929d0e0e4736';
    const b = '4bf92f3577b34da6a3ce929d0e0e9999';
    expect(shortTraceId(a)).toBe('4bf92f…0e0e4736');
    expect(shortTraceId(a)).not.toBe(shortTraceId(b));
    // 64-bit ids padded to 128 bits: the zeros say nothing.
    expect(shortTraceId('0000000000000000a3ce929d0e0e4736')).toBe('a3ce929d0e0e4736');
    expect(shortTraceId('abc')).toBe('abc');
  });
});
