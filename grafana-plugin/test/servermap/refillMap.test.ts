import { deserialize, serialize } from 'node:v8';
import { buildServerMap, type BuildResult, type ServerMap } from '../../src/servermap/model';
import { mapIndex } from '../../src/servermap/model/mapIndex';
import { packMap, unpackMap, type PackedMap } from '../../src/servermap/model/packMap';
import { refillMapInPlace, rememberMapText } from '../../src/servermap/model/refillMap';
import { framesFromResponse } from '../fixtures/load';
import { generateTopology, prometheusResponse, type Topology } from '../fixtures/serviceGraph';

const ok = (r: BuildResult): ServerMap => {
  if (!r.ok) {
    throw new Error(r.error);
  }
  return r.map;
};

function scaled(t: Topology, factor: number): Topology {
  return {
    ...t,
    edges: t.edges.map((e) => ({
      ...e,
      calls: e.calls * factor,
      errors: e.errors * factor,
      buckets: e.buckets.map(([le, c]) => [le, c * factor] as [number, number]),
    })),
  };
}

const t = generateTopology(40, 7);
const modelOf = (topology: Topology) => ok(buildServerMap(framesFromResponse(prometheusResponse(topology)), { rangeSeconds: 3600 }));

/** A map as the panel holds it after a worker reply: rebuilt from the packed map, its text remembered. */
function fromReply(map: ServerMap): ServerMap {
  const packed = packMap(map);
  const rebuilt = unpackMap(packed);
  rememberMapText(rebuilt, packed);
  return rebuilt;
}

/** A deep copy, to show a map was left as it was. */
const snapshot = (m: ServerMap) => deserialize(serialize({ nodes: m.nodes, edges: m.edges })) as unknown;

describe('refillMapInPlace: a reply with the same topology writes its numbers into the previous map', () => {
  it('same objects, index and bucket pairs; the numbers a full rebuild gives', () => {
    const previous = fromReply(modelOf(t));
    const index = mapIndex(previous);
    const node = previous.nodes.find((n) => n.inbound.buckets)!;
    const pairs = node.inbound.buckets!;
    const stats = node.inbound;
    const next = modelOf(scaled(t, 3));
    const refilled = refillMapInPlace(previous, packMap(next));
    expect(refilled).toBeDefined();
    // Exactly the map a rebuild from the reply gives (and the direct model).
    expect(refilled).toEqual(unpackMap(packMap(next)));
    expect(refilled).toEqual(next);
    // A new map object over the same node and link objects, with the same index by id.
    expect(refilled).not.toBe(previous);
    expect(refilled!.nodes).toBe(previous.nodes);
    expect(refilled!.edges).toBe(previous.edges);
    expect(mapIndex(refilled!)).toBe(index);
    // Statistics, histogram and bucket pairs were written into, not allocated again.
    expect(node.inbound).toBe(stats);
    expect(node.inbound.buckets).toBe(pairs);
    expect(node.inbound.buckets![0]).toBe(pairs[0]);
    // And again from the refilled map (a chain of refreshes).
    const again = modelOf(scaled(t, 5));
    const twice = refillMapInPlace(refilled!, packMap(again));
    expect(twice).toEqual(again);
    expect(twice!.nodes).toBe(previous.nodes);
  });

  it('a value that appears or goes away gets a new statistics object, not a stale field', () => {
    const previous = fromReply(modelOf(t));
    // No errors anywhere: every errors / errorRate goes away.
    const noErrors = modelOf({ ...t, edges: t.edges.map((e) => ({ ...e, errors: 0 })) });
    const withErrors = previous.edges.find((e) => e.stats.errors !== undefined && e.stats.errors > 0)!;
    const before = withErrors.stats;
    const refilled = refillMapInPlace(previous, packMap(noErrors));
    expect(refilled).toEqual(noErrors);
    expect(withErrors.stats).not.toBe(before);
  });

  it('anything but numbers changed: undefined, and the previous map is left as it was', () => {
    const base = modelOf(t);
    const cases: Array<[string, (m: ServerMap) => PackedMap]> = [
      ['a link more', () => packMap(modelOf({ ...t, edges: [...t.edges, { ...t.edges[0]!, server: 'new-service' }] }))],
      ['a link less', () => packMap(modelOf({ ...t, edges: t.edges.slice(1) }))],
      ['a node renamed', (m) => packMap({ ...m, nodes: m.nodes.map((n, i) => (i === 1 ? { ...n, name: `${n.name}x` } : n)) })],
      ['another kind', (m) => packMap({ ...m, nodes: m.nodes.map((n, i) => (i === 1 ? { ...n, kind: n.kind === 'database' ? 'service' : 'database' } : n)) })],
      ['links in another order', (m) => packMap({ ...m, edges: [m.edges[1]!, m.edges[0]!, ...m.edges.slice(2)] })],
      ['another input', (m) => packMap({ ...m, input: m.input === 'tempo' ? 'prometheus' : 'tempo' })],
      ['an instance count that went away', (m) => packMap({ ...m, nodes: m.nodes.map((n) => ({ ...n, instances: undefined })) })],
      ['numbers of the wrong size', (m) => ({ ...packMap(m), stats: new Float64Array(3) })],
    ];
    for (const [name, reply] of cases) {
      const previous = fromReply(base);
      const copy = snapshot(previous);
      expect([name, refillMapInPlace(previous, reply(modelOf(scaled(t, 2))))]).toEqual([name, undefined]);
      expect([name, snapshot(previous)]).toEqual([name, copy]);
    }
    // A map not rebuilt from a reply (built on the main thread) has no text to compare with.
    expect(refillMapInPlace(base, packMap(modelOf(scaled(t, 2))))).toBeUndefined();
  });
});
