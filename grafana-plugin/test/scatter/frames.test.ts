import { distinctTraceCount, transactionsFromFrames } from '../../src/scatter/dots';
import { FrameFormatError, fromDataFrameJSON } from '../../src/scatter/frameLike';
import { heatmapFromFrames, runtimeSeriesFromFrames } from '../../src/scatter/heatmap';
import { framesOf, readFixture } from '../fixtures/tempo/load';

type Envelope = Parameters<typeof framesOf>[0];
const frames = (name: string) => framesOf(readFixture<Envelope>(name)).map((f) => fromDataFrameJSON(f as never));

describe('search frames → transactions', () => {
  it('reads the Spans table: one transaction per span, ns → ms, status → failed, time-sorted', () => {
    const raw = readFixture<Envelope>('search-spans.json');
    const frame = framesOf(raw)[0] as { data: { values: unknown[][] }; schema: { fields: Array<{ name: string }> } };
    const col = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)]!;
    const set = transactionsFromFrames(frames('search-spans.json'), 'orders');
    expect(set.transactions).toHaveLength(300);
    expect(set.skipped).toBe(0);
    expect(set.points.n).toBe(300);
    expect(set.transactions.filter((t) => t.failed)).toHaveLength(col('status').filter((s) => s === 'error').length);
    const first = set.transactions[0]!;
    const i = col('spanID').indexOf(first.spanId);
    expect(first.durationMs).toBeCloseTo((col('duration')[i] as number) / 1e6, 9);
    expect(first.startMs).toBe(col('time')[i]);
    expect(first.route).toBe(col('http.route')[i]);
    expect(first.service).toBe('orders');
    expect(first.rootService).toBe('gateway');
    for (let k = 1; k < set.transactions.length; k++) {
      expect(set.transactions[k]!.startMs).toBeGreaterThanOrEqual(set.transactions[k - 1]!.startMs);
    }
    expect(set.points.y[0]).toBe(first.durationMs);
    expect(distinctTraceCount(set.transactions)).toBe(300);
  });

  it('reads the Traces table with nested span-set frames', () => {
    const set = transactionsFromFrames(frames('search-traces-nested.json'), 'orders');
    expect(set.transactions).toHaveLength(5);
    expect(set.transactions.every((t) => t.rootService === 'gateway' && t.durationMs > 0)).toBe(true);
  });

  it('ignores the streaming progress frame and returns nothing for an empty result', () => {
    const progress = { name: 'Streaming Progress', refId: 'streaming-progress', fields: [{ name: 'state', values: ['Done'] }] };
    const set = transactionsFromFrames([...frames('search-spans-empty.json'), progress], 'orders');
    expect(set.transactions).toHaveLength(0);
  });

  it('skips rows without a number and reports them', () => {
    const frame = {
      name: 'Spans',
      fields: [
        { name: 'traceIdHidden', values: ['a', 'b', ''] },
        { name: 'spanID', values: ['1', '2', '3'] },
        { name: 'time', values: [1000, 'garbage', 3000] },
        { name: 'duration', values: [1e6, 2e6, 3e6], config: { unit: 'ns' } },
      ],
    };
    const set = transactionsFromFrames([frame], 'orders');
    expect(set.transactions.map((t) => t.traceId)).toEqual(['a']);
    expect(set.skipped).toBe(2);
  });

  it('reads the root span name, the exception message and the client address where the spans carry them', () => {
    const frame = {
      name: 'Spans',
      fields: [
        { name: 'traceIdHidden', values: ['a', 'b'] },
        { name: 'traceName', values: ['GET /checkout', 'GET /checkout'] },
        { name: 'spanID', values: ['1', '2'] },
        { name: 'time', values: [1000, 2000] },
        { name: 'name', values: ['GET /orders', 'GET /orders'] },
        { name: 'statusMessage', values: ['TypeError: price is undefined', ''] },
        { name: 'client.address', values: ['10.0.0.7', null] },
        { name: 'duration', values: [1e6, 2e6], config: { unit: 'ns' } },
      ],
    };
    const [a, b] = transactionsFromFrames([frame], 'orders').transactions;
    expect(a).toMatchObject({ rootName: 'GET /checkout', name: 'GET /orders', exception: 'TypeError: price is undefined', clientAddress: '10.0.0.7' });
    expect(b!.exception).toBeUndefined();
    expect(b!.clientAddress).toBeUndefined();
  });

  it('rejects a frame that is not a Tempo search result with a clear message', () => {
    const bogus = { name: 'A', fields: [{ name: 'Value', values: [1, 2] }] };
    expect(() => transactionsFromFrames([bogus], 'orders')).toThrow(FrameFormatError);
    expect(() => transactionsFromFrames([bogus], 'orders')).toThrow(/no span rows/);
    const missing = { name: 'Spans', fields: [{ name: 'spanID', values: ['1'] }, { name: 'duration', values: [1] }] };
    expect(() => transactionsFromFrames([missing], 'orders')).toThrow(/missing field "traceIdHidden"/);
  });

  it('surfaces Tempo errors from the query envelope', () => {
    expect(() => framesOf(readFixture<Envelope>('search-error.json'))).toThrow(/context deadline exceeded/);
  });
});

describe('histogram frames → heatmap grid', () => {
  it('counts every transaction once across power-of-two buckets', () => {
    const grid = heatmapFromFrames(frames('histogram.json'))!;
    expect(grid.total).toBe(300);
    expect(grid.stepMs).toBe(30_000);
    for (let i = 1; i < grid.bucketsMs.length; i++) {
      const ratio = Math.log2(grid.bucketsMs[i]! / grid.bucketsMs[0]!);
      expect(Math.abs(ratio - Math.round(ratio))).toBeLessThan(1e-9);
      expect(grid.bucketsMs[i]).toBeGreaterThan(grid.bucketsMs[i - 1]!);
    }
    const sum = grid.counts.reduce((a, b) => a + b, 0);
    expect(sum).toBe(300);
    expect(grid.maxCount).toBeGreaterThan(0);
  });

  it('returns undefined when no frame is a histogram series and rejects a bad bucket label', () => {
    expect(heatmapFromFrames([{ fields: [{ name: 'time', type: 'time', values: [1] }] }])).toBeUndefined();
    expect(() =>
      heatmapFromFrames([{ fields: [{ name: 'time', type: 'time', values: [1] }, { name: 'x', type: 'number', values: [1], labels: { __bucket: 'abc' } }] }])
    ).toThrow(/invalid __bucket/);
  });
});

describe('runtime overlay series', () => {
  it('reads the Prometheus range frame', () => {
    const s = runtimeSeriesFromFrames(frames('runtime-eventloop.json'))!;
    expect(s.t.length).toBe(61);
    expect(s.max).toBeGreaterThan(0.5);
    expect(Math.min(...s.v)).toBeLessThan(0.03);
  });
});
