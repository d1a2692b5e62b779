import { buildServerMap, type MapFilter, type ServerMap } from '../../src/servermap/model';
import { type GraphLayout } from '../../src/servermap/layout/types';
import { filteredView, prepareScene, sceneIfKept, sceneView, sceneViewInSlices } from '../../src/servermap/viewCache';
import { buildScene, buildSceneSteps } from '../../src/servermap/render/scene';
import { demoTopology, generateTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

// A safety net only: the 1,000-node case went past jest's default 5 s at load average 19 (nothing here waits on time).
jest.setTimeout(120_000);

function demoMap(topology = demoTopology()): ServerMap {
  const built = buildServerMap(framesFromResponse(prometheusResponse(topology)), { rangeSeconds: 3600 });
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

  it('builds a large scene in steps (the sliced build) that equal the scene built at once, and keeps it', async () => {
    const map = demoMap(generateTopology(1000));
    const { filtered } = filteredView(map, { ...ALL, maxNodes: 5000 });
    const layout = rowLayout(map);
    // A pause point every 256 nodes and every 256 links.
    const steps = buildSceneSteps(filtered.nodes, filtered.edges, layout, 'calls');
    let pauses = 0;
    let step = steps.next();
    while (!step.done) {
      pauses++;
      step = steps.next();
    }
    expect(pauses).toBe(Math.floor(filtered.nodes.length / 256) + Math.floor(filtered.edges.length / 256));
    const atOnce = buildScene(filtered.nodes, filtered.edges, layout, 'calls');
    expect(step.value).toEqual(atOnce);

    expect(sceneIfKept(filtered, layout, 'calls')).toBeUndefined();
    const scene = await sceneViewInSlices(filtered, layout, 'calls').promise;
    expect(scene).toEqual(atOnce);
    // Kept as sceneView keeps it: the render after the build finds the same object.
    expect(sceneIfKept(filtered, layout, 'calls')).toBe(scene);
    expect(sceneView(filtered, layout, 'calls')).toBe(scene);
    expect(sceneIfKept(filtered, layout, 'callsRate')).toBeUndefined();
  });
});
