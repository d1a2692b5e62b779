import { deserialize, serialize } from 'node:v8';
import { buildServerMap, type BuildResult, type ServerMap } from '../../src/servermap/model';
import { mapIndex } from '../../src/servermap/model/mapIndex';
import { packMap, unpackMap, type PackedMap } from '../../src/servermap/model/packMap';
import { refillMapInPlace, refillMapSteps, rememberMapText } from '../../src/servermap/model/refillMap';
import { outboundCalls, shownNumbers } from '../../src/servermap/model/recordsFromReply';
import { buildScene, refreshSceneInPlace } from '../../src/servermap/render/scene';
import { type GraphLayout } from '../../src/servermap/layout/types';
import { framesFromResponse } from '../fixtures/load';
import { plainMap } from '../fixtures/workerCrossing';
import { generateTopology, prometheusResponse, withScaledNumbers, type Topology } from '../fixtures/serviceGraph';

const ok = (r: BuildResult): ServerMap => {
  if (!r.ok) {
    throw new Error(r.error);
  }
  return r.map;
};

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
const snapshot = (m: ServerMap) => {
  const plain = plainMap(m);
  return deserialize(serialize({ nodes: plain.nodes, edges: plain.edges })) as unknown;
};

describe('refillMapInPlace: a reply with the same topology is read by the previous map\'s records', () => {
  it('same records and index; the numbers a full rebuild gives', () => {
    const previous = fromReply(modelOf(t));
    const index = mapIndex(previous);
    // Numbers already read from the first reply must not survive the refill.
    const read = plainMap(previous);
    const next = modelOf(withScaledNumbers(t, 3));
    const refilled = refillMapInPlace(previous, packMap(next));
    expect(refilled).toBeDefined();
    // Exactly the map a rebuild from the reply gives (and the direct model).
    expect(plainMap(refilled!)).toEqual(plainMap(unpackMap(packMap(next))));
    expect(plainMap(refilled!)).toEqual(next);
    expect(plainMap(previous)).not.toEqual(read);
    // A new map object over the same node and link objects, with the same index by id.
    expect(refilled).not.toBe(previous);
    expect(refilled!.nodes).toBe(previous.nodes);
    expect(refilled!.edges).toBe(previous.edges);
    expect(mapIndex(refilled!)).toBe(index);
    // And again from the refilled map (a chain of refreshes).
    const again = modelOf(withScaledNumbers(t, 5));
    const twice = refillMapInPlace(refilled!, packMap(again));
    expect(plainMap(twice!)).toEqual(again);
    expect(twice!.nodes).toBe(previous.nodes);
  });

  it('reads the drawn records\' numbers during the refill, the others when first asked', () => {
    const previous = fromReply(modelOf(t));
    const next = modelOf(withScaledNumbers(t, 3));
    const reply = packMap(next);
    const refilled = refillMapInPlace(previous, reply, { nodes: [0], edges: [0] })!;
    // Numbers overwritten after the refill: what was read ahead keeps the reply's, the rest reads the new ones.
    reply.stats.fill(7);
    expect(refilled.nodes[0]!.inbound.calls).toBe(next.nodes[0]!.inbound.calls);
    expect(refilled.edges[0]!.stats.calls).toBe(next.edges[0]!.stats.calls);
    expect(refilled.nodes[1]!.inbound.calls).toBe(7);
    expect(refilled.edges[1]!.stats.calls).toBe(7);
  });

  it('a refill stopped at any pause (newer frames arrived) leaves every record reading one reply, never two', () => {
    // Over a thousand nodes with instance counts, so the refill pauses (yields) while it walks them.
    const big = generateTopology(1_100, 11, 1);
    const nextTopology = {
      ...withScaledNumbers(big, 3),
      instances: Object.fromEntries(Object.entries(big.instances).map(([name, n]) => [name, n + 10])),
    };
    const bigModel = modelOf(big);
    const next = modelOf(nextTopology);
    const reply = packMap(next);
    // Every record drawn: its numbers are read ahead in the refill's slices.
    const drawn = { nodes: next.nodes.map((_, i) => i), edges: next.edges.map((_, i) => i) };
    const nodeNumbers = (m: ServerMap) => m.nodes.map((n) => [n.instances, n.inbound.calls, n.outbound.calls]);
    const first = nodeNumbers(bigModel);
    const second = nodeNumbers(next);
    expect(first).not.toEqual(second);
    const countPauses = () => {
      const steps = refillMapSteps(fromReply(bigModel), reply, drawn);
      let pauses = 0;
      while (!steps.next().done) {
        pauses++;
      }
      return pauses;
    };
    const pauses = countPauses();
    expect(pauses).toBeGreaterThan(0);
    // Stopped after each possible pause in turn: the records read either the first reply (nothing switched yet)
    // or the second, whole.
    for (let stopAfter = 1; stopAfter <= pauses; stopAfter++) {
      const previous = fromReply(bigModel);
      const steps = refillMapSteps(previous, reply, drawn);
      for (let i = 0; i < stopAfter; i++) {
        expect(steps.next().done).toBe(false);
      }
      const seen = JSON.stringify(nodeNumbers(previous));
      const read = seen === JSON.stringify(first) ? 'first reply' : seen === JSON.stringify(second) ? 'second reply' : 'both, mixed';
      expect([stopAfter, read]).toEqual([stopAfter, expect.stringMatching(/ reply$/)]);
    }
  });

  it('a value that goes away is gone, not a stale field', () => {
    const previous = fromReply(modelOf(t));
    // No errors anywhere: every errors / errorRate goes away.
    const noErrors = modelOf({ ...t, edges: t.edges.map((e) => ({ ...e, errors: 0 })) });
    const withErrors = previous.edges.find((e) => e.stats.errors !== undefined && e.stats.errors > 0)!;
    const refilled = refillMapInPlace(previous, packMap(noErrors));
    expect(plainMap(refilled!)).toEqual(noErrors);
    expect(withErrors.stats.errors).toBe(noErrors.edges[previous.edges.indexOf(withErrors)]!.stats.errors);
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
      expect([name, refillMapInPlace(previous, reply(modelOf(withScaledNumbers(t, 2))))]).toEqual([name, undefined]);
      expect([name, snapshot(previous)]).toEqual([name, copy]);
    }
    // A map not rebuilt from a reply (built on the main thread) has no text to compare with.
    expect(refillMapInPlace(base, packMap(modelOf(withScaledNumbers(t, 2))))).toBeUndefined();
  });
});

describe('shownNumbers: what the scene shows, read without building a record\'s statistics', () => {
  const shownOf = (r: Parameters<typeof shownNumbers>[0]) => {
    const { calls, errorRate, avgMs, avgApproximate, ratePerSecond } = shownNumbers(r);
    return { calls, errorRate, avgMs, avgApproximate, ratePerSecond };
  };
  const fieldsOf = (s: { calls: number; errorRate?: number; avgMs?: number; avgApproximate?: boolean; ratePerSecond?: number }) => ({
    calls: s.calls,
    errorRate: s.errorRate,
    avgMs: s.avgMs,
    avgApproximate: s.avgApproximate,
    ratePerSecond: s.ratePerSecond,
  });

  it('a record from a reply: the numbers its statistics hold, read from the reply without building them', () => {
    const direct = modelOf(t);
    const packed = packMap(direct);
    const rebuilt = unpackMap(packed);
    rememberMapText(rebuilt, packed);
    const next = modelOf(withScaledNumbers(t, 3));
    const reply = packMap(next);
    const refilled = refillMapInPlace(rebuilt, reply)!;
    refilled.edges.forEach((e, i) => expect(shownOf(e)).toEqual(fieldsOf(next.edges[i]!.stats)));
    refilled.nodes.forEach((n, i) => {
      expect(shownOf(n)).toEqual(fieldsOf(next.nodes[i]!.inbound));
      expect(outboundCalls(n)).toBe(next.nodes[i]!.outbound.calls);
    });
    // Nothing was built: numbers changed in the reply afterwards are what the statistics read first.
    reply.stats.fill(7);
    reply.nodeNumbers.fill(9);
    expect(refilled.edges[0]!.stats.calls).toBe(7);
    expect(refilled.nodes[0]!.inbound.calls).toBe(7);
    expect(refilled.nodes[0]!.outbound.calls).toBe(9);
    // Once built, the statistics are what shownNumbers reads too (the same reply).
    expect(shownOf(refilled.edges[0]!)).toEqual(fieldsOf(refilled.edges[0]!.stats));
  });

  it('a record built on the main thread: its statistics', () => {
    const direct = modelOf(t);
    expect(shownNumbers(direct.edges[0]!)).toBe(direct.edges[0]!.stats);
    expect(shownNumbers(direct.nodes[1]!)).toBe(direct.nodes[1]!.inbound);
    expect(outboundCalls(direct.nodes[0]!)).toBe(direct.nodes[0]!.outbound.calls);
  });

  it('the scene of a refilled map, refreshed in place, is the scene a full build of the direct model gives', () => {
    const previous = fromReply(modelOf(t));
    const layout: GraphLayout = {
      nodes: new Map(previous.nodes.map((n, i) => [n.id, { x: i * 300, y: 0, w: 200, h: 50 }])),
      edges: new Map(previous.edges.map((e, i) => [e.id, [{ x: 0, y: i }, { x: 100, y: i + 1 }]])),
      width: 300 * previous.nodes.length,
      height: 100,
      ms: 0,
      mode: 'quality',
    };
    const scene = buildScene(previous.nodes, previous.edges, layout, 'callsAvg');
    const next = modelOf(withScaledNumbers(t, 3));
    const refilled = refillMapInPlace(previous, packMap(next))!;
    const refreshed = refreshSceneInPlace(scene, refilled.nodes, refilled.edges, 'callsAvg')!;
    expect(refreshed.nodes[0]).toBe(scene.nodes[0]);
    expect(refreshed).toEqual(buildScene(next.nodes, next.edges, layout, 'callsAvg'));
  });
});
