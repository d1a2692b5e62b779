import { deserialize, serialize } from 'node:v8';
import { budgetedLayout } from '../../src/servermap/layout/budget';
import { dummyBudget, estimateLayoutMs, layerGraph, layoutGraphSync } from '../../src/servermap/layout/layout';
import { answerLayoutRequest, type LayoutReply } from '../../src/servermap/layout/protocol';
import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { generateTopology, prometheusResponse, randomTopology } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

jest.setTimeout(120_000);

const mapOf = (topology: ReturnType<typeof generateTopology>): ServerMap => {
  const res = buildServerMap(framesFromResponse(prometheusResponse(topology)));
  if (!res.ok) {
    throw new Error(res.error);
  }
  return res.map;
};
const weights = (m: ServerMap) => m.nodes.map((n) => n.inbound.calls + n.outbound.calls);

describe('long links and the layout budget', () => {
  it('routes every link of a layered service map (no link is too long)', () => {
    const m = mapOf(generateTopology(300, 2));
    const layered = layerGraph(m.nodes, m.edges);
    expect(layered.maxSpan).toBe(Infinity);
    const l = layoutGraphSync(m.nodes, m.edges);
    expect(l.straightLinks).toBe(0);
    expect(l.edges.size).toBe(m.edges.length);
  });

  it('draws the longest links of a random graph straight, keeping dummy nodes within the budget', () => {
    const m = mapOf(randomTopology(500, 2500));
    const layered = layerGraph(m.nodes, m.edges);
    // Routed links add (span − 1) dummy nodes each; the routed ones stay within the budget.
    const routedDummies = layered.links.filter((l) => l.span <= layered.maxSpan).reduce((s, l) => s + l.span - 1, 0);
    expect(routedDummies).toBeLessThanOrEqual(dummyBudget(m.nodes.length));
    expect(layered.layeredNodes).toBe(m.nodes.length + routedDummies);
    const l = layoutGraphSync(m.nodes, m.edges);
    const longer = layered.links.filter((x) => x.span > layered.maxSpan).length;
    expect(longer).toBeGreaterThan(0);
    expect(l.straightLinks).toBe(longer);
    // Every link is drawn (straight ones as two points), every node placed.
    expect(l.edges.size).toBe(m.edges.length);
    expect(l.nodes.size).toBe(m.nodes.length);
    for (const e of m.edges) {
      expect(l.edges.get(e.id)!.length).toBeGreaterThanOrEqual(2);
    }
  });

  it('keeps the whole map when it fits the budget, the busiest part (user pinned) when it does not', () => {
    const m = mapOf(generateTopology(600, 3));
    const user = m.nodes.find((n) => n.kind === 'user')!.id;
    const whole = budgetedLayout({
      nodes: m.nodes,
      edges: m.edges,
      weights: weights(m),
      pinned: [user],
      budgetMs: 1e9,
    });
    expect(whole.hidden).toBe(0);
    expect(whole.layout.nodes.size).toBe(600);
    const full = estimateLayoutMs(layerGraph(m.nodes, m.edges));
    const part = budgetedLayout({
      nodes: m.nodes,
      edges: m.edges,
      weights: weights(m),
      pinned: [user],
      budgetMs: full / 4,
    });
    expect(part.hidden).toBeGreaterThan(0);
    expect(part.estimateMs).toBeLessThanOrEqual(full / 4);
    expect(part.layout.nodes.size + part.hidden).toBe(600);
    expect(part.layout.nodes.has(user)).toBe(true);
    // The kept nodes are the busiest: none left out carries more calls than the least busy one kept (pins aside).
    const w = new Map(m.nodes.map((n, i) => [n.id, weights(m)[i]!]));
    const keptW = [...part.layout.nodes.keys()].filter((id) => id !== user).map((id) => w.get(id)!);
    const droppedW = m.nodes.filter((n) => !part.layout.nodes.has(n.id)).map((n) => w.get(n.id)!);
    expect(Math.max(...droppedW)).toBeLessThanOrEqual(Math.min(...keptW));
    // Links are laid out only between kept nodes.
    for (const id of part.layout.edges.keys()) {
      const e = m.edges.find((x) => x.id === id)!;
      expect(part.layout.nodes.has(e.source) && part.layout.nodes.has(e.target)).toBe(true);
    }
  });

  it('the worker answers with progress then the layout, and a clear error for a malformed message', () => {
    const m = mapOf(generateTopology(120, 4));
    const replies: LayoutReply[] = [];
    answerLayoutRequest(
      {
        type: 'layout',
        id: 7,
        input: {
          nodes: m.nodes.map((n) => ({ id: n.id })),
          edges: m.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
          weights: weights(m),
        },
      },
      (r) => replies.push(r)
    );
    const last = replies[replies.length - 1]!;
    expect(last.type).toBe('done');
    expect(replies.slice(0, -1).every((r) => r.type === 'progress' && r.id === 7)).toBe(true);
    expect(replies.some((r) => r.type === 'progress' && r.progress.phase === 'ordering')).toBe(true);
    if (last.type === 'done') {
      expect(last.id).toBe(7);
      expect(last.result.layout.nodes.size).toBe(120);
      // What crosses back to the page must survive structured cloning (V8's serializer is the same algorithm).
      expect((deserialize(serialize(last.result)) as typeof last.result).layout.nodes.size).toBe(120);
    }
    const bad: LayoutReply[] = [];
    answerLayoutRequest({ type: 'layout', id: 3 }, (r) => bad.push(r));
    answerLayoutRequest('nonsense', (r) => bad.push(r));
    expect(bad).toEqual([
      { type: 'error', id: 3, message: 'layout worker: malformed request' },
      { type: 'error', id: -1, message: 'layout worker: malformed request' },
    ]);
  });
});
