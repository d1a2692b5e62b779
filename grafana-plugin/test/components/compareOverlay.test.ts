import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { applyCompare, baselineMapOf } from '../../src/components/compare/compareOverlay';
import { DEFAULT_OPTIONS } from '../../src/types';
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

describe('applyCompare (the overlay the map draws)', () => {
  const baselineFrames = framesFromResponse(
    prometheusResponse(demoTopology(), { rangeSeconds: BASELINE_RANGE_SECONDS })
  );
  const built = baselineMapOf(baselineFrames, DEFAULT_OPTIONS, undefined, BASELINE_RANGE_SECONDS);
  const current = mapOf(demoAfterBadRelease(), CURRENT_RANGE_SECONDS);

  it('builds the baseline map the way the panel builds its own', () => {
    expect(built.ok).toBe(true);
    expect(built.ok && built.map.edges.map((e) => e.id)).toEqual(
      mapOf(demoTopology(), BASELINE_RANGE_SECONDS).edges.map((e) => e.id)
    );
  });

  it('draws the union with a mark, change lines and baseline numbers for every node and link', () => {
    const applied = applyCompare(
      current,
      CURRENT_RANGE_SECONDS,
      built.ok ? built.map : current,
      BASELINE_RANGE_SECONDS,
      {}
    );
    if (!applied.ok) {
      throw new Error(applied.error);
    }
    const r = applied.result;
    expect(r.map.nodes.map((n) => n.name).sort()).toEqual(
      ['external', 'fraud-check', 'gateway', 'orders', 'payments', 'postgresql', 'redis', 'user'].sort()
    );
    for (const item of [...r.map.nodes, ...r.map.edges]) {
      expect(r.marks.nodes.get(item.id) ?? r.marks.edges.get(item.id)).toBeDefined();
      expect(r.changes!.get(item.id)).toHaveLength(3);
    }
    expect(r.marks.nodes.get('redis')).toMatchObject({ presence: 'gone' });
    expect(r.marks.nodes.get('demo/fraud-check')).toMatchObject({ presence: 'new' });
    expect(r.marks.edges.get('demo/orders->demo/payments')).toMatchObject({
      tone: 'worse',
      label: 'p95 ×10.2 +2.6 s · err +3.5 pt',
    });
    // The details panel's baseline histogram: the baseline's own counts for that link.
    expect(r.baseline!.get('demo/orders->demo/payments')!.histogram).toMatchObject({ le1s: 7150, error: 36 });
    expect(r.baseline!.has('demo/fraud-check')).toBe(false);
    // Gone items are drawn with no current traffic; their numbers from before stay in `baseline`.
    expect(r.map.nodes.find((n) => n.id === 'redis')!.inbound).toEqual({ calls: 0 });
    expect(r.map.edges.find((e) => e.id === 'demo/orders->redis')!.stats).toEqual({ calls: 0 });
    expect(r.baseline!.get('demo/orders->redis')!.calls).toBe(21600);
    const data = r.data as { diff: { biggestChanges: Array<{ linkId: string }> }; linkNames: Map<string, string> };
    expect(data.diff.biggestChanges[0]!.linkId).toBe('demo/orders->demo/payments');
    expect(data.linkNames.get('demo/orders->demo/payments')).toBe('orders → payments');
    expect(data.linkNames.get('demo/orders->redis')).toBe('orders → redis');
  });

  it('says in words when the baseline range has no map, and when a range is not usable', () => {
    expect(baselineMapOf([], DEFAULT_OPTIONS, undefined, 3600)).toEqual({
      ok: false,
      error: expect.stringMatching(/^The baseline range has no server map: /),
    });
    expect(applyCompare(current, 0, current, 3600, {})).toEqual({
      ok: false,
      error: 'The current range length must be a positive number of seconds, got 0',
    });
  });
});
