import { deserialize, serialize } from 'node:v8';
import { layoutKey } from '../../src/servermap/layout/layoutInput';
import { answerModelRequest, type ModelReply } from '../../src/servermap/layout/modelProtocol';
import { unpackLayout } from '../../src/servermap/layout/packLayout';
import { buildServerMap, type MapFilter, type ServerMap, withExtraTopology } from '../../src/servermap/model';
import { packFrames } from '../../src/servermap/model/packFrames';
import { filteredView } from '../../src/servermap/viewCache';
import { extraTopologyOf, unionOf } from '../../src/components/compare/compareOverlay';
import { demoTopology, generateTopology, prometheusResponse, type Topology } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { demoAfterBadRelease } from '../fixtures/compare';

// A safety net only (generated inputs on a busy machine): nothing here waits on time.
jest.setTimeout(120_000);

/** What crosses to or from a worker: V8's serializer is the structured clone algorithm. */
const clone = <T>(v: T): T => deserialize(serialize(v)) as T;

function mapOf(t: Topology): ServerMap {
  const r = buildServerMap(framesFromResponse(prometheusResponse(t)));
  if (!r.ok) {
    throw new Error(r.error);
  }
  return r.map;
}

/** A release on a generated topology: every 7th link gone, a new service called from every 30th link's client. */
function released(t: Topology): Topology {
  const edges = t.edges.filter((_, i) => i % 7 !== 3);
  for (let i = 0; i < t.edges.length; i += 30) {
    edges.push({ ...t.edges[i]!, server: `${t.edges[i]!.server}-v2` });
  }
  return { ...t, edges };
}

const ids = (m: { nodes: Array<{ id: string }>; edges: Array<{ id: string }> }) => ({
  nodes: m.nodes.map((n) => n.id),
  edges: m.edges.map((e) => e.id),
});

describe("compare's union laid out in the map worker's round trip (extraTopology)", () => {
  it('the worker adds what the union adds: same ids in the same order, same kinds, zero traffic', () => {
    const baseline = mapOf(demoTopology());
    const current = mapOf(demoAfterBadRelease());
    const union = unionOf(current, baseline);
    const merged = withExtraTopology(current, clone(extraTopologyOf(baseline)));
    expect(ids(merged)).toEqual(ids(union));
    expect(merged.nodes.map((n) => [n.kind, n.inbound.calls, n.outbound.calls])).toEqual(
      union.nodes.map((n) => [n.kind, n.inbound.calls, n.outbound.calls])
    );
    expect(merged.edges.map((e) => [e.source, e.target, e.stats.calls])).toEqual(
      union.edges.map((e) => [e.source, e.target, e.stats.calls])
    );
    // The gone ones are there (orders → redis), and the current map is left as it was.
    expect(merged.edges.some((e) => e.id === 'demo/orders->redis')).toBe(true);
    expect(current.edges.some((e) => e.id === 'demo/orders->redis')).toBe(false);
  });

  const before = generateTopology(400, 4);
  const baseline = mapOf(before);
  const frames = framesFromResponse(prometheusResponse(released(before)));
  const current = mapOf(released(before));
  const FILTERS: Array<{ name: string; filter: MapFilter }> = [
    { name: 'everything', filter: { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 5000 } },
    { name: 'services only', filter: { inboundDepth: 1, outboundDepth: 1, hideTerminal: true, maxNodes: 5000 } },
    // Gone nodes have no current traffic: the node limit drops them first, in the worker as in the panel.
    { name: 'a node limit', filter: { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 300 } },
  ];

  it.each(FILTERS)(
    'the layout the worker sends back is the one the panel looks up for the union ($name)',
    ({ filter }) => {
      const replies: ModelReply[] = [];
      answerModelRequest(
        clone({
          type: 'model' as const,
          id: 1,
          frames: packFrames(frames),
          options: {},
          layout: { filter, all: false, known: [], extra: extraTopologyOf(baseline) },
        }),
        (r) => replies.push(clone(r))
      );
      const reply = replies[0]!;
      if (reply.type !== 'model-done' || !reply.result.ok) {
        throw new Error('no map');
      }
      // What ServerMapView does with Compare on: the union, filtered and keyed on the main thread.
      const view = filteredView(unionOf(current, baseline), filter);
      expect(view.filtered.nodes.length).toBeGreaterThan(250);
      expect(reply.layout?.key).toBe(layoutKey(view.topology, false));
      const layout = unpackLayout(reply.layout!.layout);
      expect(view.filtered.nodes.every((n) => layout.nodes.has(n.id))).toBe(true);
      expect(view.filtered.edges.every((e) => layout.edges.has(e.id))).toBe(true);
      // Its filtered map would be of the union, not of the map sent back: none is sent.
      expect(reply.filtered).toBeUndefined();
      // The map itself is the current one, without the baseline's nodes.
      expect(reply.result.map.nodeKinds.length).toBe(current.nodes.length);
    }
  );
});
