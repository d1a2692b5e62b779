import { buildServerMap, type FrameLike, type ServerMap } from '../../src/servermap/model';
import {
  diffMaps,
  prepareCompareSide,
  type CompareEdge,
  type CompareMap,
  type CompareSide,
  type MapDiff,
} from '../../src/compare';
import { demoTopology, prometheusResponse, bucketsFrom, type Topology } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { BASELINE_RANGE_SECONDS, CURRENT_RANGE_SECONDS, demoAfterBadRelease } from '../fixtures/compare';

function mapOf(topology: Topology, rangeSeconds: number): ServerMap {
  const result = buildServerMap(framesFromResponse(prometheusResponse(topology, { rangeSeconds })), { rangeSeconds });
  if (!result.ok) {
    throw new Error(`expected a map, got: ${result.error}`);
  }
  return result.map;
}

function diffOf(current: CompareSide, baseline: CompareSide, thresholds = {}): MapDiff {
  const result = diffMaps(current, baseline, thresholds);
  if (!result.ok) {
    throw new Error(`expected a diff, got: ${result.error}`);
  }
  return result.diff;
}

/** Every number anywhere in the diff is finite: no Infinity or NaN reaches the panel. */
function expectAllFinite(value: unknown, path = 'diff'): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new Error(`${path} is ${value}`);
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => expectAllFinite(v, `${path}[${i}]`));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      expectAllFinite(v, `${path}.${k}`);
    }
  }
}

/** A small hand-made map: edges `client>server` with calls, errors and an optional p95. */
function tiny(edges: Array<[string, string, number, number?, number?]>): CompareMap {
  const names = new Set(edges.flatMap(([s, t]) => [s, t]));
  const compareEdges: CompareEdge[] = edges.map(([source, target, calls, errors, p95Ms]) => ({
    id: `${source}->${target}`,
    source,
    target,
    connectionType: '',
    stats: { calls, errors, p95Ms },
  }));
  return {
    nodes: [...names].map((id) => {
      const inbound = compareEdges.filter((e) => e.target === id);
      return { id, name: id, kind: 'service', inbound: { calls: inbound.reduce((sum, e) => sum + e.stats.calls, 0) } };
    }),
    edges: compareEdges,
  };
}

const link = (diff: MapDiff, id: string) => {
  const found = diff.links.find((l) => l.id === id);
  if (!found) {
    throw new Error(`no link ${id} in ${diff.links.map((l) => l.id).join(', ')}`);
  }
  return found;
};

describe('diffMaps on the demo before and after a bad release', () => {
  const baseline = mapOf(demoTopology(), BASELINE_RANGE_SECONDS);
  const current = mapOf(demoAfterBadRelease(), CURRENT_RANGE_SECONDS);
  // A ServerMap is passed as it is: compare/ declares the subset it reads, structurally.
  const diff = diffOf(
    { map: current, rangeSeconds: CURRENT_RANGE_SECONDS },
    { map: baseline, rangeSeconds: BASELINE_RANGE_SECONDS }
  );

  it('ranks the slowed link at the top of the biggest changes, by p95, worse', () => {
    expect(diff.biggestChanges.map((r) => r.linkId)).toEqual([
      'demo/orders->demo/payments',
      'user->demo/gateway',
      'demo/gateway->demo/orders',
    ]);
    expect(diff.biggestChanges[0]).toMatchObject({ by: 'p95', direction: 'worse' });
    // Its callers slowed too, but diluted by their other work: a smaller ratio, a lower score.
    expect(diff.biggestChanges[0]!.score).toBeGreaterThan(2 * diff.biggestChanges[1]!.score);
  });

  it('gives Δ and ratio of calls/min normalised by each range length', () => {
    const gw = link(diff, 'user->demo/gateway');
    // 18000 calls / 60 min vs 12600 calls / 30 min.
    expect(gw.callsPerMinute).toMatchObject({ baseline: 300, current: 420, delta: 120, significant: false });
    expect(gw.callsPerMinute.ratio).toBeCloseTo(1.4);
  });

  it('gives Δ (points) and ratio of error % and p95, with the p95 marked as an estimate and its buckets', () => {
    const pay = link(diff, 'demo/orders->demo/payments');
    expect(pay.errorPercent.baseline).toBeCloseTo(0.5);
    expect(pay.errorPercent.current).toBeCloseTo(4.0, 1);
    expect(pay.errorPercent.delta).toBeCloseTo(3.5, 1);
    expect(pay.errorPercent.significant).toBe(true);
    // 7200 calls with 6000 ≤ 0.1 s, 6900 ≤ 0.3 s: rank 6840 → 100 + 200 × 840/900 ms (histogram_quantile).
    expect(pay.p95Ms.baseline).toBeCloseTo(100 + (200 * 840) / 900);
    expect(pay.p95Ms.ratio).toBeGreaterThan(10);
    expect(pay.p95Ms).toMatchObject({
      estimate: true,
      baselineBucketMs: [100, 300],
      currentBucketMs: [1000, 3000],
      withinOneBucket: false,
    });
  });

  it('marks the removed and the added link, and the nodes that came and went', () => {
    expect(diff.disappeared).toEqual(['demo/orders->redis']);
    expect(diff.appeared).toEqual(['demo/payments->demo/fraud-check']);
    const gone = link(diff, 'demo/orders->redis');
    expect(gone).toMatchObject({ presence: 'gone', significant: true });
    expect(gone.callsPerMinute).toMatchObject({ baseline: 360, current: 0, delta: -360, ratio: 0 });
    expect(gone.errorPercent).toMatchObject({ baseline: 0, note: 'no current value' });
    const added = link(diff, 'demo/payments->demo/fraud-check');
    expect(added).toMatchObject({ presence: 'new', significant: true });
    expect(added.callsPerMinute).toMatchObject({ baseline: 0, current: 168, note: 'new traffic' });
    expect(added.callsPerMinute.ratio).toBeUndefined();
    const presence = Object.fromEntries(diff.nodes.map((n) => [n.name, n.presence]));
    expect(presence).toMatchObject({ redis: 'gone', 'fraud-check': 'new', payments: 'both', orders: 'both' });
  });

  it('leaves links whose changes are below the thresholds unmarked', () => {
    // 1.4× calls/min (threshold 1.5×), same error % and p95.
    expect(link(diff, 'demo/orders->postgresql')).toMatchObject({ significant: false, direction: 'unchanged' });
    expect(link(diff, 'demo/payments->external')).toMatchObject({ significant: false, direction: 'unchanged' });
    // The same histogram shape on both sides: p95 within one bucket and unchanged.
    expect(link(diff, 'demo/orders->postgresql').p95Ms).toMatchObject({ delta: 0, withinOneBucket: true });
  });

  it('holds only finite numbers and no warnings', () => {
    expectAllFinite(diff);
    expect(diff.warnings).toEqual([]);
  });
});

describe('diffMaps edge cases', () => {
  const side = (map: CompareMap, rangeSeconds = 60): CompareSide => ({ map, rangeSeconds });

  it('a link that appears or disappears', () => {
    const diff = diffOf(
      side(
        tiny([
          ['a', 'b', 60],
          ['a', 'c', 60],
        ])
      ),
      side(
        tiny([
          ['a', 'b', 60],
          ['a', 'd', 30],
        ])
      )
    );
    expect(diff.appeared).toEqual(['a->c']);
    expect(diff.disappeared).toEqual(['a->d']);
    expect(link(diff, 'a->b')).toMatchObject({ presence: 'both', significant: false });
    expect(link(diff, 'a->c').callsPerMinute).toMatchObject({ current: 60, baseline: 0, note: 'new traffic' });
    expect(link(diff, 'a->d').callsPerMinute).toMatchObject({ current: 0, baseline: 30, ratio: 0, delta: -30 });
    // Topology changes are not "biggest changes": they have no before and after to compare.
    expect(diff.biggestChanges).toEqual([]);
  });

  it('a renamed node shows as one gone and one new, links included (no matching by similarity)', () => {
    const before = tiny([
      ['orders', 'payments', 600, 6, 200],
      ['payments', 'external', 600, 0, 300],
    ]);
    const after = tiny([
      ['orders', 'payment-service', 600, 6, 200],
      ['payment-service', 'external', 600, 0, 300],
    ]);
    const diff = diffOf(side(after), side(before));
    const presence = Object.fromEntries(diff.nodes.map((n) => [n.id, n.presence]));
    expect(presence).toEqual({ orders: 'both', 'payment-service': 'new', external: 'both', payments: 'gone' });
    expect(diff.appeared.sort()).toEqual(['orders->payment-service', 'payment-service->external']);
    expect(diff.disappeared.sort()).toEqual(['orders->payments', 'payments->external']);
    expect(diff.biggestChanges).toEqual([]);
  });

  it('a counter reset: increase() in the queries already counts across it', () => {
    // A raw counter range frame (still named, no increase()) that restarted mid-range: 100 → 160, reset → 30 → 90.
    const rawCounter = (values: number[]): FrameLike => ({
      refId: 'calls',
      fields: [
        { name: 'Time', type: 'time', values: values.map((_, i) => i * 60000) },
        {
          name: 'Value',
          type: 'number',
          labels: { __name__: 'traces_service_graph_request_total', client: 'a', server: 'b', connection_type: '' },
          values,
        },
      ],
    });
    const built = (values: number[]) => {
      const r = buildServerMap([rawCounter(values)], { rangeSeconds: 180 });
      if (!r.ok) {
        throw new Error(r.error);
      }
      return r.map;
    };
    const diff = diffOf(side(built([100, 160, 30, 90]), 180), side(built([0, 50, 100, 150]), 180));
    // 60 + 30 (after the reset the counter counts from 0) + 60 = 150 calls, same as the baseline: no change.
    expect(link(diff, 'a->b').callsPerMinute).toMatchObject({
      current: 50,
      baseline: 50,
      delta: 0,
      significant: false,
    });
    expect(diff.warnings).toEqual([]);
  });

  it('a counter reset in raw differences: negative counts are clamped to 0 and flagged, never shown as negative rates', () => {
    const diff = diffOf(side(tiny([['a', 'b', 600, 6]])), side(tiny([['a', 'b', -5400, -30]])));
    const ab = link(diff, 'a->b');
    expect(ab.clamped).toEqual({ current: false, baseline: true });
    expect(ab.callsPerMinute).toMatchObject({ baseline: 0, current: 600, note: 'new traffic' });
    expect(ab.errorPercent).toMatchObject({ current: 1, note: 'no baseline value' });
    expect(diff.warnings).toEqual([
      'Link a->b: negative or invalid counts in the baseline range were counted as 0 (raw counters across a restart? query increase())',
    ]);
    expectAllFinite(diff);
  });

  it('a link missing a number in one range (no errors query, no histogram) compares what both have', () => {
    const current: CompareMap = {
      nodes: [],
      edges: [{ id: 'a->b', source: 'a', target: 'b', connectionType: '', stats: { calls: 600, errors: 60 } }],
    };
    const baseline: CompareMap = {
      nodes: [],
      edges: [{ id: 'a->b', source: 'a', target: 'b', connectionType: '', stats: { calls: 600, p95Ms: 120 } }],
    };
    const ab = link(diffOf(side(current), side(baseline)), 'a->b');
    expect(ab.presence).toBe('both');
    // Unknown is not zero: no delta, no significance, a note saying which side lacks it.
    expect(ab.errorPercent).toEqual({
      current: 10,
      baseline: undefined,
      note: 'no baseline value',
      significant: false,
    });
    expect(ab.p95Ms).toMatchObject({
      current: undefined,
      baseline: 120,
      note: 'no current value',
      significant: false,
      estimate: false,
    });
    expect(ab.significant).toBe(false);
  });

  it('zero calls in the baseline: "new traffic", no ratio, no Infinity or NaN', () => {
    const diff = diffOf(side(tiny([['a', 'b', 120, 12, 250]])), side(tiny([['a', 'b', 0, 0]])));
    const ab = link(diff, 'a->b');
    expect(ab.presence).toBe('both');
    expect(ab.callsPerMinute).toEqual({
      current: 120,
      baseline: 0,
      delta: 120,
      note: 'new traffic',
      significant: true,
    });
    // No calls → no error % or p95 to take in the baseline.
    expect(ab.errorPercent).toMatchObject({ current: 10, baseline: undefined, note: 'no baseline value' });
    expect(ab.p95Ms).toMatchObject({ current: 250, baseline: undefined, note: 'no baseline value' });
    expect(diff.biggestChanges).toEqual([]);
    expectAllFinite(diff);
    expect(JSON.stringify(diff)).not.toMatch(/Infinity|NaN|null/);
  });

  it('0 % errors in the baseline: the delta in points is known, the ratio is not', () => {
    const ab = link(diffOf(side(tiny([['a', 'b', 600, 30]])), side(tiny([['a', 'b', 600, 0]]))), 'a->b');
    expect(ab.errorPercent).toEqual({ current: 5, baseline: 0, delta: 5, note: 'baseline is zero', significant: true });
    expect(ab.direction).toBe('worse');
  });

  it('the threshold hides changes too small to matter', () => {
    // +0.5 points of errors, p95 +15 % (+15 ms), 1.2× calls: all below the defaults.
    const small = diffOf(side(tiny([['a', 'b', 720, 10.8, 115]])), side(tiny([['a', 'b', 600, 6, 100]])));
    expect(link(small, 'a->b')).toMatchObject({ significant: false, direction: 'unchanged' });
    expect(small.biggestChanges).toEqual([]);
    // The same change is shown with lower thresholds.
    const strict = diffOf(side(tiny([['a', 'b', 720, 10.8, 115]])), side(tiny([['a', 'b', 600, 6, 100]])), {
      errorPoints: 0.25,
      p95Ratio: 0.1,
    });
    expect(link(strict, 'a->b')).toMatchObject({ significant: true, direction: 'worse' });
    expect(strict.biggestChanges.map((r) => r.linkId)).toEqual(['a->b']);
    // A large relative p95 change of a few ms is not one (p95MinDeltaMs).
    const fewMs = diffOf(side(tiny([['a', 'b', 600, 0, 3]])), side(tiny([['a', 'b', 600, 0, 2]])));
    expect(link(fewMs, 'a->b').p95Ms).toMatchObject({ ratio: 1.5, significant: false });
    // Error % of a link with a handful of calls is noise (minCallsPerMinute).
    const quiet = diffOf(side(tiny([['a', 'b', 0.5, 0.5]])), side(tiny([['a', 'b', 0.5, 0]])));
    expect(link(quiet, 'a->b').errorPercent).toMatchObject({ delta: 100, significant: false });
  });

  it('ranks by thresholds passed: error points / errorPoints vs |ln p95 ratio| / ln 1.2; ties worse first, then busier', () => {
    const diff = diffOf(
      side(
        tiny([
          ['a', 'errors', 600, 30], // 1 % → 5 %: 4 points → score 4
          ['a', 'slower', 600, 0, 300], // 100 → 300 ms: ln 3 / ln 1.2 ≈ 6.03
          ['a', 'faster', 600, 0, 100], // 300 → 100 ms: the same score, better
          ['a', 'busy-faster', 6000, 0, 100], // the same score, better, busier
          ['a', 'same', 600, 6, 100],
        ])
      ),
      side(
        tiny([
          ['a', 'errors', 600, 6],
          ['a', 'slower', 600, 0, 100],
          ['a', 'faster', 600, 0, 300],
          ['a', 'busy-faster', 6000, 0, 300],
          ['a', 'same', 600, 6, 100],
        ])
      )
    );
    expect(diff.biggestChanges.map((r) => [r.linkId, r.by, r.direction])).toEqual([
      ['a->slower', 'p95', 'worse'],
      ['a->busy-faster', 'p95', 'better'],
      ['a->faster', 'p95', 'better'],
      ['a->errors', 'errorPercent', 'worse'],
    ]);
    expect(diff.biggestChanges[0]!.score).toBeCloseTo(Math.log(3) / Math.log(1.2));
    expect(diff.biggestChanges[3]!.score).toBeCloseTo(4);
  });

  it('compares ranges of different lengths per minute', () => {
    // 600 calls in 10 min vs 600 calls in 1 h: 60/min vs 10/min.
    const ab = link(diffOf(side(tiny([['a', 'b', 600]]), 600), side(tiny([['a', 'b', 600]]), 3600)), 'a->b');
    expect(ab.callsPerMinute).toMatchObject({ current: 60, baseline: 10, ratio: 6, significant: true });
  });

  it('tells which bucket each p95 lies in from the histogram', () => {
    // The model's buckets: (bound, count) pairs interleaved in one Float64Array.
    const interleaved = (pairs: Array<[number, number]>) => Float64Array.from(pairs.flat());
    const pairsOf = (b: Float64Array) =>
      Array.from({ length: b.length / 2 }, (_, i): [number, number] => [b[i * 2]!, b[i * 2 + 1]!]);
    const withBuckets = (p95Ms: number, shares: number[]): CompareMap => ({
      nodes: [],
      edges: [
        {
          id: 'a->b',
          source: 'a',
          target: 'b',
          connectionType: '',
          stats: { calls: 1000, errors: 0, p95Ms, buckets: interleaved(bucketsFrom(1000, shares)) },
        },
      ],
    });
    // Both p95s inside (1 s, 3 s]: the histogram cannot tell how far apart they really are.
    const ab = link(
      diffOf(
        side(withBuckets(2800, [800, 100, 40, 60, 0, 0, 0])),
        side(withBuckets(1500, [800, 100, 45, 55, 0, 0, 0]))
      ),
      'a->b'
    );
    expect(ab.p95Ms).toMatchObject({
      estimate: true,
      currentBucketMs: [1000, 3000],
      baselineBucketMs: [1000, 3000],
      withinOneBucket: true,
    });
    // Buckets out of order or with an unusable bound (input not from buildServerMap) give the same answer.
    const edge = withBuckets(2800, [800, 100, 40, 60, 0, 0, 0]).edges[0]!;
    const shuffled: CompareEdge = {
      ...edge,
      stats: {
        ...edge.stats,
        buckets: interleaved(
          pairsOf(edge.stats.buckets!)
            .reverse()
            .concat([[Number.NaN, 5]])
        ),
      },
    };
    const messy = diffOf(side({ nodes: [], edges: [shuffled] }), side(withBuckets(1500, [800, 100, 45, 55, 0, 0, 0])));
    expect(link(messy, 'a->b').p95Ms.currentBucketMs).toEqual([1000, 3000]);
  });

  it('rejects bad input with a clear error instead of throwing', () => {
    const ok = side(tiny([['a', 'b', 1]]));
    expect(diffMaps({ ...ok, rangeSeconds: 0 }, ok)).toEqual({
      ok: false,
      error: 'The current range length must be a positive number of seconds, got 0',
    });
    expect(diffMaps(ok, { ...ok, rangeSeconds: Number.NaN })).toEqual({
      ok: false,
      error: 'The baseline range length must be a positive number of seconds, got NaN',
    });
    expect(diffMaps(ok, undefined as unknown as CompareSide)).toEqual({
      ok: false,
      error: 'The baseline has no server map to compare',
    });
    expect(diffMaps(ok, ok, { errorPoints: -1 })).toEqual({
      ok: false,
      error: 'Compare threshold "errorPoints" must be a number ≥ 0, got -1',
    });
  });

  it('reports a repeated id instead of comparing it twice', () => {
    const map = tiny([['a', 'b', 60]]);
    const twice: CompareMap = { nodes: map.nodes, edges: [...map.edges, ...map.edges] };
    const diff = diffOf(side(twice), side(map));
    expect(diff.links).toHaveLength(1);
    expect(diff.warnings).toEqual(['The current map has the link "a->b" twice; only the first is compared']);
  });
});

describe('a side read ahead (prepareCompareSide): the same diff, the baseline read once', () => {
  it('gives the same diff, warnings included, as reading both sides during the diff', () => {
    const before = mapOf(demoTopology(), BASELINE_RANGE_SECONDS);
    const twice: CompareMap = { nodes: before.nodes, edges: [...before.edges, before.edges[0]!] };
    const after = mapOf(demoAfterBadRelease(), CURRENT_RANGE_SECONDS);
    const fresh = () => ({ nodes: [...twice.nodes], edges: [...twice.edges] });
    // A new map object each time: nothing prepared for it.
    const cold = diffOf(
      { map: after, rangeSeconds: CURRENT_RANGE_SECONDS },
      { map: fresh(), rangeSeconds: BASELINE_RANGE_SECONDS }
    );
    const baseline = { map: fresh(), rangeSeconds: BASELINE_RANGE_SECONDS };
    expect(prepareCompareSide(baseline, 'baseline')).toBe(true);
    const warm = diffOf({ map: after, rangeSeconds: CURRENT_RANGE_SECONDS }, baseline);
    const again = diffOf({ map: after, rangeSeconds: CURRENT_RANGE_SECONDS }, baseline, { errorPoints: 2 });
    expect(warm).toEqual(cold);
    expect(warm.warnings).toEqual([
      `The baseline map has the link "${before.edges[0]!.id}" twice; only the first is compared`,
    ]);
    // Reading a kept side again does not repeat its warnings.
    expect(again.warnings).toEqual(warm.warnings);
    expect(again.biggestChanges.map((r) => r.linkId)).toContain('demo/orders->demo/payments');
  });

  it('reads the side again for another range length (calls are per minute of its own range)', () => {
    const map = tiny([['a', 'b', 600]]);
    prepareCompareSide({ map, rangeSeconds: 600 }, 'baseline');
    const diff = diffOf({ map: tiny([['a', 'b', 600]]), rangeSeconds: 600 }, { map, rangeSeconds: 1200 });
    expect(link(diff, 'a->b').callsPerMinute).toMatchObject({ current: 60, baseline: 30 });
  });

  it('does nothing for a side the diff would refuse', () => {
    expect(prepareCompareSide({ map: tiny([['a', 'b', 1]]), rangeSeconds: 0 }, 'baseline')).toBe(false);
    expect(prepareCompareSide({ map: undefined as unknown as CompareMap, rangeSeconds: 60 }, 'current')).toBe(false);
  });
});
