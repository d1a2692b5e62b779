import { renderHook, waitFor } from '@testing-library/react';
import { buildServerMap, type FilteredMap, type MapFilter, type ServerMap } from '../../src/servermap/model';
import { clearLayoutCache, layoutGraphSync } from '../../src/servermap/layout/layout';
import { laidOutInWorker } from '../../src/servermap/layout/layoutInput';
import { DEFERRED_LAYOUT_MIN_NODES, useMapLayout } from '../../src/servermap/useMapLayout';
import { filteredView } from '../../src/servermap/viewCache';
import { generateTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

// A safety net only: the waits below are for a condition, not for a time.
jest.setTimeout(60_000);

function mapOf(n: number): ServerMap {
  const built = buildServerMap(framesFromResponse(prometheusResponse(generateTopology(n, 2))), { rangeSeconds: 3600 });
  if (!built.ok) {
    throw new Error(built.error);
  }
  return built.map;
}

const ALL: MapFilter = { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: 5000 };
const useIt = ({ filtered, topology }: { filtered: FilteredMap; topology: string }) =>
  useMapLayout(filtered, topology, { all: false, pinned: [], onCancel: () => {} });

describe('useMapLayout: main-thread maps (the 200-node bench row had one 139 ms task cold)', () => {
  beforeEach(() => clearLayoutCache());

  it('lays a map under DEFERRED_LAYOUT_MIN_NODES out during the render', () => {
    const { filtered, topology } = filteredView(mapOf(DEFERRED_LAYOUT_MIN_NODES - 10), ALL);
    const { result } = renderHook(useIt, { initialProps: { filtered, topology } });
    expect(result.current.laidOut?.layout?.nodes.size).toBe(filtered.nodes.length);
    expect(result.current.laidOut?.where).toBe('main');
  });

  it('lays a larger main-thread map out in a task after the render, on the main thread, without a worker job', async () => {
    const { filtered, topology } = filteredView(mapOf(200), ALL);
    expect(laidOutInWorker(filtered)).toBe(false);
    expect(filtered.nodes.length).toBeGreaterThanOrEqual(DEFERRED_LAYOUT_MIN_NODES);
    const { result, rerender } = renderHook(useIt, { initialProps: { filtered, topology } });
    // The render that brought the map committed without a layout ("Laying out…"), and no progress bar.
    expect(result.current.laidOut).toBeUndefined();
    expect(result.current.pending).toBeUndefined();
    await waitFor(() => expect(result.current.laidOut).toBeDefined(), { timeout: 30_000 });
    const laid = result.current.laidOut!;
    expect(laid.where).toBe('main');
    expect(laid.error).toBeUndefined();
    // The positions d3-dag gives the same map (the deferral changes when, not what).
    const direct = layoutGraphSync(filtered.nodes, filtered.edges);
    expect([...laid.layout!.nodes]).toEqual([...direct.nodes]);
    // New numbers, same topology: the kept layout, during the render (no deferral again).
    const again = filteredView(mapOf(200), ALL);
    rerender({ filtered: again.filtered, topology: again.topology });
    expect(again.topology).toBe(topology);
    expect(result.current.laidOut?.layout).toBe(laid.layout);
  });
});
