import { renderHook, waitFor } from '@testing-library/react';
import { buildServerMap, type FilteredMap, type MapFilter, type ServerMap } from '../../src/servermap/model';
import { type GraphLayout } from '../../src/servermap/layout/types';
import { buildScene } from '../../src/servermap/render/scene';
import { useSceneGeometry } from '../../src/servermap/useSceneGeometry';
import { filteredView, sceneViewInSlices } from '../../src/servermap/viewCache';
import { demoTopology, generateTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

// The real viewCache, with sceneViewInSlices counted (when the hook starts the sliced build).
jest.mock('../../src/servermap/viewCache', () => {
  const actual = jest.requireActual('../../src/servermap/viewCache');
  return { ...actual, sceneViewInSlices: jest.fn(actual.sceneViewInSlices) };
});

// A safety net only: the waits below are for a condition, not for a time.
jest.setTimeout(60_000);

function mapOf(topology: Parameters<typeof prometheusResponse>[0]): ServerMap {
  const built = buildServerMap(framesFromResponse(prometheusResponse(topology)), { rangeSeconds: 3600 });
  if (!built.ok) {
    throw new Error(built.error);
  }
  return built.map;
}

/** Nodes in a row, straight links. */
function rowLayout(map: FilteredMap): GraphLayout {
  const nodes = new Map(map.nodes.map((n, i) => [n.id, { x: i * 300, y: 0, w: 200, h: 50 }]));
  const edges = new Map(
    map.edges.map((e) => [
      e.id,
      [
        { x: nodes.get(e.source)!.x + 200, y: 25 },
        { x: nodes.get(e.target)!.x, y: 25 },
      ],
    ])
  );
  return { nodes, edges, width: 300 * map.nodes.length, height: 50, ms: 0, mode: 'quality' };
}

const ALL: MapFilter = { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 5000 };

interface Props {
  filtered: FilteredMap;
  layout: GraphLayout;
  topology: string;
}

const useIt = ({ filtered, layout, topology }: Props) =>
  useSceneGeometry(filtered, layout, topology, `fit:${topology}`, 'calls', undefined);

describe('useSceneGeometry (the scene of a large map is built in slices)', () => {
  it('builds a small map’s scene during the render', () => {
    const { filtered, topology } = filteredView(mapOf(demoTopology()), ALL);
    const layout = rowLayout(filtered);
    const { result } = renderHook(useIt, { initialProps: { filtered, layout, topology } });
    expect(result.current?.scene).toEqual(buildScene(filtered.nodes, filtered.edges, layout, 'calls'));
    expect(result.current?.fitKey).toBe(`fit:${topology}`);
  });

  it('has no scene for a large map until the sliced build is done, then the one buildScene makes', async () => {
    const { filtered, topology } = filteredView(mapOf(generateTopology(400, 3)), ALL);
    const layout = rowLayout(filtered);
    const { result } = renderHook(useIt, { initialProps: { filtered, layout, topology } });
    expect(result.current).toBeUndefined();
    await waitFor(() => expect(result.current).toBeDefined(), { timeout: 30_000 });
    expect(result.current!.filtered).toBe(filtered);
    expect(result.current!.scene).toEqual(buildScene(filtered.nodes, filtered.edges, layout, 'calls'));
  });

  it('keeps the scene on screen while the next topology’s scene is built, and keeps it for new numbers', async () => {
    const first = filteredView(mapOf(generateTopology(400, 3)), ALL);
    const layout = rowLayout(first.filtered);
    const { result, rerender } = renderHook(useIt, {
      initialProps: { filtered: first.filtered, layout, topology: first.topology },
    });
    await waitFor(() => expect(result.current).toBeDefined(), { timeout: 30_000 });
    const shown = result.current!;

    // New numbers, same topology: the same geometry (the caller puts the numbers in with refreshScene).
    const again = filteredView(mapOf(generateTopology(400, 3)), ALL);
    expect(again.topology).toBe(first.topology);
    rerender({ filtered: again.filtered, layout, topology: again.topology });
    expect(result.current).toBe(shown);

    // Another topology: the previous scene stays until the new one is built.
    const next = filteredView(mapOf(generateTopology(420, 4)), ALL);
    const nextLayout = rowLayout(next.filtered);
    rerender({ filtered: next.filtered, layout: nextLayout, topology: next.topology });
    expect(result.current).toBe(shown);
    await waitFor(() => expect(result.current?.topology).toBe(next.topology), { timeout: 30_000 });
    expect(result.current!.scene).toEqual(buildScene(next.filtered.nodes, next.filtered.edges, nextLayout, 'calls'));
  });

  it('starts the sliced build in a task after the commit, not in it, and not at all once unmounted', async () => {
    const { filtered, topology } = filteredView(mapOf(generateTopology(400, 3)), ALL);
    const layout = rowLayout(filtered);
    const started = sceneViewInSlices as jest.MockedFunction<typeof sceneViewInSlices>;
    started.mockClear();
    // renderHook returns after React committed and ran the effects: nothing of the scene was built yet.
    const { result, unmount } = renderHook(useIt, { initialProps: { filtered, layout, topology } });
    expect(started).not.toHaveBeenCalled();
    await waitFor(() => expect(result.current).toBeDefined(), { timeout: 30_000 });
    expect(started).toHaveBeenCalledTimes(1);
    unmount();

    // Unmounted before its task ran: the build never starts (a task queued after the hook's runs after it).
    const other = filteredView(mapOf(generateTopology(420, 4)), ALL);
    const second = renderHook(useIt, {
      initialProps: { filtered: other.filtered, layout: rowLayout(other.filtered), topology: other.topology },
    });
    second.unmount();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(started).toHaveBeenCalledTimes(1);
  });
});
