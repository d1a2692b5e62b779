import {
  FAST_LAYOUT_OVER,
  layoutGraph,
  layoutGraphSync,
  layoutModeFor,
  portOf,
  reusableLayout,
  topologyKey,
} from '../../src/servermap/layout/layout';
import { buildServerMap, type ServerMap, type ServerMapEdge, type ServerMapNode } from '../../src/servermap/model';
import { demoTopology, generateTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

jest.setTimeout(60_000);

const mapOf = (res: ReturnType<typeof buildServerMap>): ServerMap => {
  if (!res.ok) {
    throw new Error(res.error);
  }
  return res.map;
};

function expectNoOverlaps(boxes: Array<{ x: number; y: number; w: number; h: number }>) {
  for (const a of boxes) {
    for (const b of boxes) {
      if (a !== b) {
        expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).toBe(false);
      }
    }
  }
}

/** Crossings between straight segments of different links (shared end points do not count). */
function crossings(lines: Iterable<Array<{ x: number; y: number }>>): number {
  const segs: Array<[number, number, number, number]> = [];
  for (const pts of lines) {
    for (let i = 1; i < pts.length; i++) {
      segs.push([pts[i - 1]!.x, pts[i - 1]!.y, pts[i]!.x, pts[i]!.y]);
    }
  }
  const side = (ax: number, ay: number, bx: number, by: number, cx: number, cy: number) =>
    Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
  let n = 0;
  for (let i = 0; i < segs.length; i++) {
    for (let j = i + 1; j < segs.length; j++) {
      const [a, b, c, d] = segs[i]!;
      const [e, f, g, h] = segs[j]!;
      if (side(a, b, c, d, e, f) * side(a, b, c, d, g, h) < 0 && side(e, f, g, h, a, b) * side(e, f, g, h, c, d) < 0) {
        n++;
      }
    }
  }
  return n;
}

/** A hand-made service node and link, for graphs too small to be worth a fixture. */
const node = (id: string): ServerMapNode => ({
  id,
  name: id,
  kind: 'service',
  inbound: { calls: 1 },
  outbound: { calls: 1 },
});
const edge = (id: string, source: string, target: string): ServerMapEdge => ({
  id,
  source,
  target,
  connectionType: '',
  stats: { calls: 1 },
});

describe('layered layout', () => {
  it('lays the demo out left to right without overlaps, links from right side to left side', async () => {
    const map = mapOf(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
    const l = await layoutGraph(map.nodes, map.edges);
    const box = (name: string) => l.nodes.get(map.nodes.find((n) => n.name === name)!.id)!;
    expect(box('user').x).toBeLessThan(box('gateway').x);
    expect(box('gateway').x).toBeLessThan(box('orders').x);
    expect(box('orders').x).toBeLessThan(box('payments').x);
    expect(box('payments').x).toBeLessThan(box('external').x);
    expectNoOverlaps([...l.nodes.values()]);
    for (const e of map.edges) {
      const pts = l.edges.get(e.id)!;
      const s = l.nodes.get(e.source)!;
      const t = l.nodes.get(e.target)!;
      expect(pts[0]).toEqual({ x: s.x + s.w, y: s.y + s.h / 2 });
      expect(pts[pts.length - 1]).toEqual({ x: t.x, y: t.y + t.h / 2 });
    }
    expect(l.mode).toBe('quality');
    expect(l.width).toBeGreaterThan(4 * l.nodes.get('user')!.w);
  });

  it('places every node of a large map, user node in the first column, no overlaps', () => {
    const map = mapOf(
      buildServerMap(framesFromResponse(prometheusResponse(generateTopology(FAST_LAYOUT_OVER + 100, 5))))
    );
    const l = layoutGraphSync(map.nodes, map.edges);
    expect(l.mode).toBe('fast');
    expect(l.nodes.size).toBe(map.nodes.length);
    expect(l.edges.size).toBe(map.edges.length);
    const user = l.nodes.get('user')!;
    expect(Math.min(...[...l.nodes.values()].map((b) => b.x))).toBe(user.x);
    expectNoOverlaps([...l.nodes.values()]);
    // Every link runs left to right (the generated graph has no cycles), through its layers.
    for (const e of map.edges) {
      const pts = l.edges.get(e.id)!;
      for (let i = 1; i < pts.length; i++) {
        expect(pts[i]!.x).toBeGreaterThan(pts[i - 1]!.x);
      }
    }
  });

  it('survives cycles and self-calls: a cycle is drawn with one link running backwards, a self-call as a loop', () => {
    const mk = (id: string) => ({
      id,
      name: id,
      kind: 'service' as const,
      inbound: { calls: 1 },
      outbound: { calls: 1 },
    });
    const nodes = [{ ...mk('user'), kind: 'user' as const }, mk('a'), mk('b')];
    const link = (s: string, t: string) => ({
      id: `${s}->${t}`,
      source: s,
      target: t,
      connectionType: '',
      stats: { calls: 1 },
    });
    const edges = [link('user', 'a'), link('a', 'b'), link('b', 'a'), link('b', 'b')];
    const l = layoutGraphSync(nodes, edges);
    expect(l.nodes.size).toBe(3);
    expect(l.edges.size).toBe(4);
    const forward = l.edges.get('a->b')!;
    const back = l.edges.get('b->a')!;
    expect(Math.sign(forward[forward.length - 1]!.x - forward[0]!.x)).toBe(
      -Math.sign(back[back.length - 1]!.x - back[0]!.x)
    );
    const loop = l.edges.get('b->b')!;
    expect(loop).toHaveLength(4);
    expect(loop[1]!.y).toBeLessThan(l.nodes.get('b')!.y);
  });

  it('ordering sweeps leave fewer crossings than no sweep on a 200-node map', () => {
    const map = mapOf(buildServerMap(framesFromResponse(prometheusResponse(generateTopology(200, 3)))));
    const l = layoutGraphSync(map.nodes, map.edges);
    expect(l.mode).toBe('balanced');
    // Same pipeline with zero sweeps: the depth-first order only.
    const swept = crossings(l.edges.values());
    const unswept = crossings(layoutGraphSync(map.nodes, map.edges, { sweeps: 0 }).edges.values());
    expect(swept).toBeLessThan(unswept);
  });

  it('draws two links between the same pair of neighbouring nodes apart', () => {
    // a -> b and b -> a: without d3-dag's extra dummy layer both would be the same straight line.
    const l = layoutGraphSync([node('a'), node('b')], [edge('ab', 'a', 'b'), edge('ba', 'b', 'a')]);
    const ab = l.edges.get('ab')!;
    const ba = l.edges.get('ba')!;
    expect(ab.length).toBeGreaterThanOrEqual(3);
    expect(ba.length).toBeGreaterThanOrEqual(3);
    expect(ab[1]).not.toEqual(ba[1]);
    expectNoOverlaps([...l.nodes.values()]);
  });

  it('lays out an empty graph and a graph of unconnected nodes', () => {
    expect(layoutGraphSync([], []).nodes.size).toBe(0);
    const l = layoutGraphSync([node('a'), node('b'), node('c')], []);
    const boxes = [...l.nodes.values()];
    expect(boxes).toHaveLength(3);
    expectNoOverlaps(boxes);
  });

  it('picks fewer sweeps as maps grow', () => {
    expect([layoutModeFor(7), layoutModeFor(200), layoutModeFor(1000)]).toEqual(['quality', 'balanced', 'fast']);
  });

  it('ports sit on the side facing the link', () => {
    const box = { x: 0, y: 0, w: 100, h: 40 };
    expect(portOf(box, { x: 300, y: -200 })).toEqual({ x: 100, y: 20 });
    expect(portOf(box, { x: -300, y: 500 })).toEqual({ x: 0, y: 20 });
  });

  it('reuses a layout only for the same topology key, failures included', () => {
    const map = mapOf(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
    const key = topologyKey(map.nodes, map.edges);
    const done = { key, layout: layoutGraphSync(map.nodes, map.edges) };
    expect(reusableLayout(done, key)).toBe(done);
    expect(reusableLayout(done, topologyKey(map.nodes, map.edges.slice(1)))).toBeUndefined();
    expect(reusableLayout(undefined, key)).toBeUndefined();
    const failed = { key, error: 'boom' };
    expect(reusableLayout(failed, key)).toBe(failed);
  });

  it('topology key ignores order and numbers, changes with nodes or links', () => {
    const map = mapOf(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
    const key = topologyKey(map.nodes, map.edges);
    const renumbered = map.edges.map((e) => ({ ...e, stats: { ...e.stats, calls: e.stats.calls * 2 } }));
    expect(topologyKey([...map.nodes].reverse(), renumbered.reverse())).toBe(key);
    expect(topologyKey(map.nodes, map.edges.slice(1))).not.toBe(key);
    expect(topologyKey(map.nodes.slice(1), map.edges)).not.toBe(key);
  });
});
