import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import {
  changeLines,
  changeMark,
  DEFAULT_THRESHOLDS,
  diffMaps,
  formatDurationMs,
  formatPerMinute,
  formatRatio,
  type MapDiff,
  THRESHOLD_LEVELS,
  thresholdsFor,
  unionMap,
} from '../../src/compare';
import { demoTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { BASELINE_RANGE_SECONDS, CURRENT_RANGE_SECONDS, demoAfterBadRelease } from '../fixtures/compare';

function mapOf(topology: ReturnType<typeof demoTopology>, rangeSeconds: number): ServerMap {
  const result = buildServerMap(framesFromResponse(prometheusResponse(topology, { rangeSeconds })), { rangeSeconds });
  if (!result.ok) {
    throw new Error(result.error);
  }
  return result.map;
}

const baseline = mapOf(demoTopology(), BASELINE_RANGE_SECONDS);
const current = mapOf(demoAfterBadRelease(), CURRENT_RANGE_SECONDS);

function diffWith(thresholds = {}): MapDiff {
  const r = diffMaps(
    { map: current, rangeSeconds: CURRENT_RANGE_SECONDS },
    { map: baseline, rangeSeconds: BASELINE_RANGE_SECONDS },
    thresholds
  );
  if (!r.ok) {
    throw new Error(r.error);
  }
  return r.diff;
}

const linkMark = (diff: MapDiff, id: string) =>
  changeMark(
    diff.links.find((l) => l.id === id)!,
    diff.thresholds
  );

describe('changeMark: what the map draws for a compared link', () => {
  const diff = diffWith();

  it('labels the slowed link with its significant changes, worse, at full strength', () => {
    const m = linkMark(diff, 'demo/orders->demo/payments');
    expect(m).toMatchObject({ presence: 'both', tone: 'worse', strength: 1, label: 'p95 ×10.2 +2.6 s · err +3.5 pt' });
    expect(changeLines(diff.links.find((l) => l.id === 'demo/orders->demo/payments')!)).toEqual([
      'calls 120/min → 168/min (×1.40)',
      'errors 0.5 % → 4.0 % (+3.5 pt, ×8.02)',
      'p95 ≈ 287 ms → ≈ 2.9 s (+2.6 s, ×10.2)',
    ]);
  });

  it('marks a new link with its traffic and a gone one with what it had', () => {
    expect(linkMark(diff, 'demo/payments->demo/fraud-check')).toMatchObject({
      presence: 'new',
      label: 'new · 168/min',
      tone: 'neutral',
    });
    expect(linkMark(diff, 'demo/orders->redis')).toMatchObject({
      presence: 'gone',
      label: 'gone · was 360/min',
      tone: 'neutral',
    });
  });

  it('leaves the label empty (the map keeps the call count) when nothing passed its threshold', () => {
    const m = linkMark(diff, 'demo/orders->postgresql');
    expect(m).toMatchObject({ presence: 'both', tone: 'neutral', strength: 0, label: '' });
  });

  it('a higher threshold hides the smaller change: user → gateway (p95 ×1.44) is unmarked at "50 %"', () => {
    expect(linkMark(diff, 'user->demo/gateway').label).toBe('p95 ×1.44 +1.3 s');
    const large = diffWith(thresholdsFor('large'));
    expect(linkMark(large, 'user->demo/gateway')).toMatchObject({ label: '', tone: 'neutral' });
    expect(large.biggestChanges.map((r) => r.linkId)).toEqual(['demo/orders->demo/payments']);
  });

  it('has the threshold levels the compare bar offers, the default being DEFAULT_THRESHOLDS', () => {
    expect(Object.keys(THRESHOLD_LEVELS)).toEqual(['small', 'default', 'large', 'huge']);
    expect(thresholdsFor('default')).toBe(DEFAULT_THRESHOLDS);
    expect(thresholdsFor('no such level')).toBe(DEFAULT_THRESHOLDS);
    // Each level is stricter than the one before on every threshold.
    const levels = Object.values(THRESHOLD_LEVELS).map((l) => l.thresholds);
    for (let i = 1; i < levels.length; i++) {
      expect(levels[i]!.p95Ratio).toBeGreaterThan(levels[i - 1]!.p95Ratio);
      expect(levels[i]!.errorPoints).toBeGreaterThan(levels[i - 1]!.errorPoints);
      expect(levels[i]!.callsRatio).toBeGreaterThan(levels[i - 1]!.callsRatio);
    }
  });

  it('formats durations, rates and ratios compactly', () => {
    expect([formatDurationMs(4.25), formatDurationMs(257.4), formatDurationMs(2561), formatDurationMs(12_400)]).toEqual(
      ['4.3 ms', '257 ms', '2.6 s', '12 s']
    );
    expect([formatPerMinute(0.5), formatPerMinute(168), formatPerMinute(2400), formatPerMinute(36_000)]).toEqual([
      '0.5/min',
      '168/min',
      '2.4k/min',
      '36k/min',
    ]);
    expect([formatRatio(10.24), formatRatio(1.4), formatRatio(0.05)]).toEqual(['×10.2', '×1.40', '×0.050']);
  });
});

describe('unionMap', () => {
  it('draws every node and link of both ranges once: current first, then those only the baseline had', () => {
    const u = unionMap(current, baseline);
    expect(u.nodes.map((n) => n.id)).toEqual([...current.nodes.map((n) => n.id), 'redis']);
    expect(u.edges.map((e) => e.id)).toEqual([...current.edges.map((e) => e.id), 'demo/orders->redis']);
    // The gone link keeps the baseline's numbers (it has no current ones) and the same object, not a copy.
    expect(u.edges.at(-1)).toBe(baseline.edges.find((e) => e.id === 'demo/orders->redis'));
    expect(new Set(u.nodes.map((n) => n.id)).size).toBe(u.nodes.length);
  });

  it('shows a renamed service as both names, with no matching by likeness', () => {
    const renamed = {
      nodes: [
        { id: 'a', name: 'a', kind: 'service', inbound: { calls: 1 } },
        { id: 'checkout-v2', name: 'checkout-v2', kind: 'service', inbound: { calls: 1 } },
      ],
      edges: [{ id: 'a->checkout-v2', source: 'a', target: 'checkout-v2', connectionType: '', stats: { calls: 1 } }],
    };
    const before = {
      nodes: [
        { id: 'a', name: 'a', kind: 'service', inbound: { calls: 1 } },
        { id: 'checkout', name: 'checkout', kind: 'service', inbound: { calls: 1 } },
      ],
      edges: [{ id: 'a->checkout', source: 'a', target: 'checkout', connectionType: '', stats: { calls: 1 } }],
    };
    const u = unionMap(renamed, before);
    expect(u.nodes.map((n) => n.id)).toEqual(['a', 'checkout-v2', 'checkout']);
    expect(u.edges.map((e) => e.id)).toEqual(['a->checkout-v2', 'a->checkout']);
  });
});
