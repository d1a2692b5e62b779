import { breadthFirstOrder, FAST_LAYOUT_OVER, layoutGraph, layoutModeFor } from '../../src/servermap/layout/elkLayout';
import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { demoTopology, generateTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

jest.setTimeout(60_000);

const mapOf = (res: ReturnType<typeof buildServerMap>): ServerMap => {
  if (!res.ok) {
    throw new Error(res.error);
  }
  return res.map;
};

describe('ELK layout', () => {
  it('lays the demo out left to right without overlaps', async () => {
    const map = mapOf(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
    const l = await layoutGraph(map.nodes, map.edges);
    const box = (name: string) => l.nodes.get(map.nodes.find((n) => n.name === name)!.id)!;
    expect(box('user').x).toBeLessThan(box('gateway').x);
    expect(box('gateway').x).toBeLessThan(box('orders').x);
    expect(box('orders').x).toBeLessThan(box('payments').x);
    expect(box('payments').x).toBeLessThan(box('external').x);
    const boxes = [...l.nodes.values()];
    for (const a of boxes) {
      for (const b of boxes) {
        if (a !== b) {
          expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).toBe(false);
        }
      }
    }
    // Every link has a route that starts at its source box and ends at its target box.
    for (const e of map.edges) {
      const pts = l.edges.get(e.id)!;
      const s = l.nodes.get(e.source)!;
      const t = l.nodes.get(e.target)!;
      expect(pts[0]!.x).toBeCloseTo(s.x + s.w, 0);
      expect(pts[pts.length - 1]!.x).toBeCloseTo(t.x, 0);
    }
    expect(l.mode).toBe('quality');
  });

  it('uses the fast path for large maps and still places every node', async () => {
    const map = mapOf(buildServerMap(framesFromResponse(prometheusResponse(generateTopology(FAST_LAYOUT_OVER + 100, 5)))));
    const l = await layoutGraph(map.nodes, map.edges);
    expect(l.mode).toBe('fast');
    expect(l.nodes.size).toBe(map.nodes.length);
    expect(l.edges.size).toBe(map.edges.length);
    const user = l.nodes.get('user')!;
    expect(Math.min(...[...l.nodes.values()].map((b) => b.x))).toBe(user.x);
  });

  it('picks cheaper ELK settings as maps grow', () => {
    expect([layoutModeFor(7), layoutModeFor(200), layoutModeFor(1000)]).toEqual(['quality', 'balanced', 'fast']);
  });

  it('orders nodes breadth-first from the user node, callees next to each other', () => {
    const map = mapOf(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
    expect(breadthFirstOrder(map.nodes, map.edges).map((n) => n.name)).toEqual(['user', 'gateway', 'orders', 'payments', 'postgresql', 'redis', 'external']);
  });
});
