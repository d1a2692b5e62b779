import { buildServerMap, type MapFilter, type ServerMap } from '../../src/servermap/model';
import { type GraphLayout } from '../../src/servermap/layout/types';
import { filteredView, prepareScene, sceneView } from '../../src/servermap/viewCache';
import { demoTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

function demoMap(): ServerMap {
  const built = buildServerMap(framesFromResponse(prometheusResponse(demoTopology())), { rangeSeconds: 3600 });
  if (!built.ok) {
    throw new Error(built.error);
  }
  return built.map;
}

/** Nodes in a row, straight links: enough for a scene. */
function rowLayout(map: ServerMap): GraphLayout {
  const nodes = new Map(map.nodes.map((n, i) => [n.id, { x: i * 300, y: 0, w: 200, h: 50 }]));
  const edges = new Map(
    map.edges.map((e) => [e.id, [{ x: nodes.get(e.source)!.x + 200, y: 25 }, { x: nodes.get(e.target)!.x, y: 25 }]])
  );
  return { nodes, edges, width: 300 * map.nodes.length, height: 50, ms: 0, mode: 'quality' };
}

const ALL: MapFilter = { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 1500 };

describe('viewCache (what a Compare toggle finds already built)', () => {
  it('gives the same filtered map and topology for the same map and filter, a new one when the filter changes', () => {
    const map = demoMap();
    const a = filteredView(map, ALL);
    expect(filteredView(map, { ...ALL })).toBe(a);
    expect(a.filtered.nodes).toHaveLength(7);
    const services = filteredView(map, { ...ALL, hideTerminal: true });
    expect(services).not.toBe(a);
    expect(services.filtered.nodes.length).toBeLessThan(7);
    expect(services.topology).not.toBe(a.topology);
    // Another map object with the same content is another map: nothing is matched by content.
    expect(filteredView(demoMap(), ALL)).not.toBe(a);
  });

  it('keeps the scene while layout, label mode and marks are the same objects', () => {
    const map = demoMap();
    const { filtered } = filteredView(map, ALL);
    const layout = rowLayout(map);
    const scene = sceneView(filtered, layout, 'calls');
    expect(sceneView(filtered, layout, 'calls')).toBe(scene);
    expect(sceneView(filtered, layout, 'callsRate')).not.toBe(scene);
    const marks = { nodes: new Map(), edges: new Map() };
    const marked = sceneView(filtered, layout, 'calls', marks);
    expect(marked).not.toBe(scene);
    expect(sceneView(filtered, layout, 'calls', marks)).toBe(marked);
    expect(sceneView(filtered, rowLayout(map), 'calls', marks)).not.toBe(marked);
  });

  it('prepares a scene ahead only when the layout places every node and link of the map', () => {
    const map = demoMap();
    const layout = rowLayout(map);
    expect(prepareScene(map, ALL, layout, 'calls')).toBe(true);
    // What the map then draws is the scene built ahead.
    const { filtered } = filteredView(map, ALL);
    const ahead = sceneView(filtered, layout, 'calls');
    expect(ahead.nodes).toHaveLength(7);
    const partial = { ...layout, nodes: new Map([...layout.nodes].slice(1)) };
    const other = demoMap();
    expect(prepareScene(other, ALL, partial, 'calls')).toBe(false);
  });
});
