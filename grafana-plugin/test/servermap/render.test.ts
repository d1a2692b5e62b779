import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { buildScene, refreshScene, refreshSceneInPlace, FIT_MAX_SCALE, fitViewport, hitTest, toGraph, zoomAt } from '../../src/servermap/render/scene';
import { detailLevel } from '../../src/servermap/render/draw';
import { approx, formatCount, formatExactCount, formatMs, formatPercent, warmNumberFormat } from '../../src/servermap/render/format';
import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { dashboardLink, edgeTraceQl, logsLink, nodeTraceQl, tracesLink } from '../../src/servermap/links';
import { type GraphLayout } from '../../src/servermap/layout/types';
import { demoTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

const built = buildServerMap(framesFromResponse(prometheusResponse(demoTopology())), { rangeSeconds: 3600 });
const map = (built as { ok: true; map: ServerMap }).map;

/** A hand-made layout: nodes in a row, straight edges between box centres. */
function rowLayout(): GraphLayout {
  const nodes = new Map(map.nodes.map((n, i) => [n.id, { x: i * 300, y: 0, w: 200, h: 50 }]));
  const edges = new Map(
    map.edges.map((e) => {
      const a = nodes.get(e.source)!;
      const b = nodes.get(e.target)!;
      return [e.id, [{ x: a.x + a.w, y: 25 }, { x: b.x, y: 25 + (b.x > a.x ? 0 : 100) }]];
    }),
  );
  return { nodes, edges, width: 300 * map.nodes.length, height: 50, ms: 0, mode: 'quality' };
}

describe('scene', () => {
  const scene = buildScene(map.nodes, map.edges, rowLayout(), 'callsRate');

  it('a refresh with new numbers on the same topology and layout makes the scene a full build would', () => {
    const layout = rowLayout();
    const before = buildScene(map.nodes, map.edges, layout, 'callsAvg');
    // New numbers, and the nodes and links in another order (the frames may list the series differently).
    const scaled = (k: number) => ({
      nodes: [...map.nodes].reverse().map((n) => ({ ...n, inbound: { ...n.inbound, calls: n.inbound.calls * k, errorRate: 0.5 } })),
      edges: [...map.edges].reverse().map((e) => ({ ...e, stats: { ...e.stats, calls: e.stats.calls * k, avgMs: 7 } })),
    });
    const next = scaled(3);
    const refreshed = refreshScene(before, next.nodes, next.edges, 'callsAvg');
    expect(refreshed).toEqual(buildScene(next.nodes, next.edges, layout, 'callsAvg'));
    expect(refreshed.nodes[0]!.box).toBe(before.nodes.find((n) => n.id === refreshed.nodes[0]!.id)!.box);
    expect(refreshed.edges.map((e) => e.label)).not.toEqual(before.edges.map((e) => e.label));
    // What the layout left out stays out, as in a full build.
    const partial: GraphLayout = { ...layout, nodes: new Map([...layout.nodes].slice(1)) };
    const partialScene = buildScene(map.nodes, map.edges, partial, 'calls');
    expect(refreshScene(partialScene, next.nodes, next.edges, 'calls')).toEqual(buildScene(next.nodes, next.edges, partial, 'calls'));
    // In the same order (a refresh's usual case: no lookup by id), with two items swapped, and with what the
    // layout left out: the scene a full build makes each time.
    const same = {
      nodes: map.nodes.map((n) => ({ ...n, inbound: { ...n.inbound, calls: n.inbound.calls * 2 } })),
      edges: map.edges.map((e) => ({ ...e, stats: { ...e.stats, calls: e.stats.calls * 2 } })),
    };
    const swap = <T>(list: T[]): T[] => [list[1]!, list[0]!, ...list.slice(2)];
    for (const [nodes, edges] of [
      [same.nodes, same.edges],
      [swap(same.nodes), swap(same.edges)],
    ] as const) {
      expect(refreshScene(before, nodes, edges, 'callsAvg')).toEqual(buildScene(nodes, edges, layout, 'callsAvg'));
      expect(refreshScene(partialScene, nodes, edges, 'calls')).toEqual(buildScene(nodes, edges, partial, 'calls'));
    }
  });

  it('a refresh in the same order writes the new numbers into the scene items; out of order it changes nothing', () => {
    const layout = rowLayout();
    const next = {
      nodes: map.nodes.map((n) => ({ ...n, inbound: { ...n.inbound, calls: n.inbound.calls * 7, errorRate: 0.2 } })),
      edges: map.edges.map((e) => ({ ...e, stats: { ...e.stats, calls: e.stats.calls * 7, errorRate: 0.3 } })),
    };
    const scene = buildScene(map.nodes, map.edges, layout, 'callsAvg');
    const items = { nodes: scene.nodes, edges: scene.edges, first: scene.nodes[0], firstEdge: scene.edges[0] };
    const refreshed = refreshSceneInPlace(scene, next.nodes, next.edges, 'callsAvg')!;
    // A new scene object (the canvas redraws it) over the same items, holding what a full build makes.
    expect(refreshed).not.toBe(scene);
    expect(refreshed.nodes).toBe(items.nodes);
    expect(refreshed.edges).toBe(items.edges);
    expect(refreshed.nodes[0]).toBe(items.first);
    expect(refreshed.edges[0]).toBe(items.firstEdge);
    expect(refreshed).toEqual(buildScene(next.nodes, next.edges, layout, 'callsAvg'));
    // What the layout left out stays out, in place as well.
    const partial: GraphLayout = { ...layout, nodes: new Map([...layout.nodes].slice(1)), edges: new Map([...layout.edges].slice(2)) };
    const partialScene = buildScene(map.nodes, map.edges, partial, 'calls');
    expect(refreshSceneInPlace(partialScene, next.nodes, next.edges, 'calls')).toEqual(buildScene(next.nodes, next.edges, partial, 'calls'));
    // Out of order (two nodes, or two links, swapped): undefined, nothing written (refreshScene's job then).
    const swap = <T>(list: T[]): T[] => [list[1]!, list[0]!, ...list.slice(2)];
    const doubled = {
      nodes: map.nodes.map((n) => ({ ...n, inbound: { ...n.inbound, calls: n.inbound.calls * 2 } })),
      edges: map.edges.map((e) => ({ ...e, stats: { ...e.stats, calls: e.stats.calls * 2 } })),
    };
    for (const [nodes, edges] of [
      [swap(doubled.nodes), doubled.edges],
      [doubled.nodes, swap(doubled.edges)],
    ] as const) {
      const before = JSON.stringify(refreshed);
      expect(refreshSceneInPlace(refreshed, nodes, edges, 'callsAvg')).toBeUndefined();
      expect(JSON.stringify(refreshed)).toBe(before);
    }
  });

  it('labels read before an in-place refresh are formatted again from the new numbers; unchanged ones stay', () => {
    const layout = rowLayout();
    const scene = buildScene(map.nodes, map.edges, layout, 'callsAvg');
    const labelsOf = (s: typeof scene) => ({
      sub: s.nodes.map((n) => n.sub),
      subShort: s.nodes.map((n) => n.subShort),
      edges: s.edges.map((e) => e.label),
    });
    const before = labelsOf(scene);
    // Only the first link's and the first node's numbers change; the rest keep theirs.
    const next = {
      nodes: map.nodes.map((n, i) => (i === 0 ? { ...n, inbound: { ...n.inbound, calls: n.inbound.calls * 11, avgMs: 3 } } : n)),
      edges: map.edges.map((e, i) => (i === 0 ? { ...e, stats: { ...e.stats, calls: e.stats.calls * 11, avgMs: 4 } } : e)),
    };
    const refreshed = refreshSceneInPlace(scene, next.nodes, next.edges, 'callsAvg')!;
    const fresh = buildScene(next.nodes, next.edges, layout, 'callsAvg');
    expect(labelsOf(refreshed)).toEqual(labelsOf(fresh));
    expect(refreshed.edges[0]!.label).not.toBe(before.edges[0]);
    expect(labelsOf(refreshed).edges.slice(1)).toEqual(before.edges.slice(1));
    // Another label mode, and marks whose labels replace the link's: written in place as well.
    const marks = { nodes: new Map(), edges: new Map([[map.edges[1]!.id, { presence: 'both' as const, tone: 'worse' as const, strength: 1, label: '+40%' }]]) };
    const marked = refreshSceneInPlace(refreshed, next.nodes, next.edges, 'calls', marks)!;
    expect(labelsOf(marked)).toEqual(labelsOf(buildScene(next.nodes, next.edges, layout, 'calls', marks)));
    expect(marked.edges[1]!.label).toBe('+40%');
    expect(refreshSceneInPlace(marked, next.nodes, next.edges, 'calls')!.edges[1]!.label).toBe(buildScene(next.nodes, next.edges, layout, 'calls').edges[1]!.label);
  });

  it('an in-place refresh of items it did not make (plain objects) changes nothing and leaves it to refreshScene', () => {
    const layout = rowLayout();
    const built = buildScene(map.nodes, map.edges, layout, 'calls');
    const plain = { ...built, nodes: built.nodes.map((n) => ({ ...n, sub: n.sub, subShort: n.subShort })), edges: built.edges.map((e) => ({ ...e, label: e.label })) };
    const before = JSON.stringify(plain);
    expect(refreshSceneInPlace(plain, map.nodes, map.edges, 'calls')).toBeUndefined();
    expect(JSON.stringify(plain)).toBe(before);
    expect(refreshScene(plain, map.nodes, map.edges, 'calls')).toEqual(built);
  });

  it('labels links with calls (and rate) and nodes with calls, avg and error share', () => {
    const gw = scene.edges.find((e) => e.id === 'user->demo/gateway')!;
    expect(gw.label).toBe('18k (5.00/s)');
    expect(gw.errorRate).toBeCloseTo(0.05);
    const orders = scene.nodes.find((n) => n.name === 'orders')!;
    // The demo queries have no _sum/_count: the average is a bucket estimate and says so.
    expect(orders.sub).toMatch(/^14k calls · ≈ \d+ ms · 5\.0%$/);
    expect(orders.instances).toBe(2);
    expect(scene.nodes.find((n) => n.kind === 'user')!.sub).toBe('18k requests');
  });

  it('hit-tests nodes before edges, and edges by distance or label', () => {
    const orders = scene.nodes.find((n) => n.name === 'orders')!;
    expect(hitTest(scene, { x: orders.box.x + 10, y: 10 }, 4)).toEqual({ type: 'node', id: orders.id });
    const e = scene.edges[0]!;
    const mid = { x: (e.points[0]!.x + e.points[1]!.x) / 2, y: (e.points[0]!.y + e.points[1]!.y) / 2 + 2 };
    expect(hitTest(scene, mid, 4)).toEqual({ type: 'edge', id: e.id });
    expect(hitTest(scene, { x: -500, y: -500 }, 4)).toBeUndefined();
  });

  it('fits the whole scene and zooms around the pointer', () => {
    const v = fitViewport(scene.bounds, 800, 400);
    const tl = { x: scene.bounds.x * v.scale + v.tx, y: scene.bounds.y * v.scale + v.ty };
    expect(tl.x).toBeGreaterThanOrEqual(23.9);
    expect(tl.x + scene.bounds.w * v.scale).toBeLessThanOrEqual(800 - 23.9);
    const before = toGraph(v, 300, 200);
    const z = zoomAt(v, 2, 300, 200);
    expect(z.scale).toBeCloseTo(v.scale * 2);
    const after = toGraph(z, 300, 200);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
    // Fit zooms in as well as out: a small map fills the panel, up to FIT_MAX_SCALE.
    expect(fitViewport({ x: 0, y: 0, w: 560, h: 100 }, 800, 400).scale).toBeCloseTo((800 - 48) / 560);
    expect(fitViewport({ x: 0, y: 0, w: 10, h: 10 }, 800, 400).scale).toBe(FIT_MAX_SCALE);
  });

  it('chooses the level of detail from the on-screen text size', () => {
    const pitch = scene.pitch;
    // Cards while their 13-unit names are at least 11.5 px tall (their numbers ~10 px).
    expect(detailLevel(0.9, pitch).level).toBe('cards');
    expect(detailLevel(0.85, pitch).level).toBe('glyphs');
    // The demo in a 900×500 "both" panel (~0.34): glyphs with names; at 1400×800 (~0.55) with numbers too.
    expect(detailLevel(0.34, pitch)).toMatchObject({ level: 'glyphs', labels: true, sub: false });
    expect(detailLevel(0.55, pitch)).toMatchObject({ level: 'glyphs', labels: true, sub: true });
    expect(detailLevel(0.55, pitch).radius).toBeGreaterThanOrEqual(8);
    // Far out (1,000 nodes fitted): plain shapes, no text.
    expect(detailLevel(0.03, pitch)).toMatchObject({ level: 'overview', labels: false });
  });
});

describe('formatting', () => {
  it('formats exact counts with grouping and marks estimates', () => {
    expect([formatExactCount(1497), formatExactCount(1497.4), formatExactCount(18000), formatExactCount(undefined)]).toEqual(['1,497', '1,497', '18,000', '–']);
    expect([approx('450 ms', true), approx('450 ms', false), approx('–', true)]).toEqual(['≈ 450 ms', '450 ms', '–']);
  });

  it('warms the number formatting once per page', () => {
    const formatted = jest.spyOn(Number.prototype, 'toLocaleString');
    try {
      warmNumberFormat();
      warmNumberFormat();
      // Nothing else in this file warms it (jest gives each test file its own modules): exactly one call.
      expect(formatted).toHaveBeenCalledTimes(1);
      expect(formatted).toHaveBeenCalledWith('en-US');
    } finally {
      formatted.mockRestore();
    }
  });

  it('formats counts, durations and shares compactly', () => {
    expect([formatCount(950), formatCount(1234), formatCount(18000), formatCount(1.5e6), formatCount(undefined)]).toEqual(['950', '1.2k', '18k', '1.5M', '–']);
    expect([formatMs(3.25), formatMs(182.4), formatMs(2450), formatMs(12500)]).toEqual(['3.3 ms', '182 ms', '2.45 s', '12.5 s']);
    expect([formatPercent(0), formatPercent(0.0004), formatPercent(0.05), formatPercent(0.25)]).toEqual(['0%', '<0.1%', '5.0%', '25%']);
  });
});

describe('links', () => {
  const o = { tempoDatasource: 'tempo', lokiDatasource: 'loki', serviceDashboardUid: 'lgtm-apm-service', from: '1', to: '2', appSubUrl: '' };
  const node = (name: string) => map.nodes.find((n) => n.name === name)!;

  it('builds TraceQL for a service and for links to services, databases and external hosts', () => {
    expect(nodeTraceQl(node('orders'))).toBe('{ resource.service.name = "orders" && kind = server }');
    // The caller's client spans whose direct child is the callee's server span: the calls the scatter shows for the link.
    expect(edgeTraceQl(node('gateway'), node('orders'))).toBe(
      '{ resource.service.name = "orders" && kind = server } < { resource.service.name = "gateway" && kind = client }',
    );
    expect(edgeTraceQl(node('orders'), node('postgresql'))).toContain('span.db.system = "postgresql"');
    expect(edgeTraceQl(node('orders'), node('postgresql'))).toMatch(/^\{ resource\.service\.name = "orders" && kind = client && /);
    expect(edgeTraceQl(node('payments'), node('external'))).toContain('span.server.address = "external"');
  });

  it('queries the root server spans of X for a user → X link, not the virtual service "user"', () => {
    const q = edgeTraceQl(node('user'), node('gateway'));
    expect(q).toBe('{ resource.service.name = "gateway" && kind = server && nestedSetParent < 0 }');
    expect(q).not.toContain('"user"');
    expect(nodeTraceQl(node('user'))).toBeUndefined();
  });

  it('writes TraceQL that parses (lezer-traceql) for every node and link of the demo', () => {
    const queries = [
      ...map.nodes.map((n) => nodeTraceQl(n)).filter((q): q is string => q !== undefined),
      ...map.edges.map((e) => edgeTraceQl(node(e.source.split('/').pop()!), node(e.target.split('/').pop()!))),
    ];
    expect(queries.length).toBe(6 + 6);
    // lezer-traceql 1.0.0 predates the `nestedSetParent` intrinsic that Tempo's own lexer has
    // (pkg/traceql/lexer.go; `{nestedSetParent<0}` is Tempo's root-span filter): that clause is checked as text above.
    for (const q of queries.map((text) => text.replace(' && nestedSetParent < 0', ''))) {
      const errors: number[] = [];
      traceqlParser.parse(q).iterate({ enter: (n) => void (n.type.isError && errors.push(n.from)) });
      expect([q, errors]).toEqual([q, []]);
    }
  });

  it('gives databases, caches and external hosts the client spans that call them', () => {
    expect(nodeTraceQl(node('postgresql'))).toMatch(/^\{ kind = client && \(span\.db\.system = "postgresql" \|\| /);
    expect(nodeTraceQl(node('redis'))).toContain('span.db.system = "redis"');
    expect(nodeTraceQl(node('external'))).toBe('{ kind = client && (span.server.address = "external" || span.peer.service = "external") }');
  });

  it('points Explore at the configured data sources and the dashboard at var-service', () => {
    const traces = decodeURIComponent(tracesLink(nodeTraceQl(node('orders'))!, o));
    expect(traces).toMatch(/^\/explore\?/);
    expect(traces).toContain('"uid":"tempo"');
    expect(traces).toContain('"from":"1"');
    expect(traces).not.toContain('orgId');
    expect(decodeURIComponent(logsLink('orders', o))).toContain('{service_name=\\"orders\\"}');
    expect(dashboardLink('orders', o)).toBe('/d/lgtm-apm-service?var-service=orders&from=1&to=2');
  });

  it('honours Grafana\'s sub-path and the current org (no hard-coded orgId=1)', () => {
    const sub = { ...o, appSubUrl: '/grafana', orgId: 7 };
    const traces = tracesLink(nodeTraceQl(node('orders'))!, sub);
    const url = new URL(traces, 'https://example.test');
    expect(url.pathname).toBe('/grafana/explore');
    expect(url.searchParams.get('orgId')).toBe('7');
    expect(JSON.parse(url.searchParams.get('panes')!).a.queries[0].query).toBe(nodeTraceQl(node('orders')));
    // Spaces are %20, never "+": Grafana's URL parser and URLSearchParams read them back the same.
    expect(traces).not.toContain('+');
    expect(new URL(logsLink('orders', sub), 'https://example.test').pathname).toBe('/grafana/explore');
    expect(dashboardLink('orders', sub)).toBe('/grafana/d/lgtm-apm-service?var-service=orders&from=1&to=2&orgId=7');
  });
});
