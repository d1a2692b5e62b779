import { type ServerMapEdge, type ServerMapNode } from '../model';
import { type BudgetInput, FIRST_PAINT_LAYOUT_MS } from './budget';

/**
 * What decides a layout, shared by the panel (useMapLayout) and the layout worker when it builds the model and
 * lays it out in one go (modelProtocol.ts): both must ask for the same layout under the same key, or the
 * panel would lay the map out a second time.
 */

/**
 * Maps up to this size are laid out during the render on the main thread (tens of ms: the worker's round trip
 * and a "Laying out…" frame would only delay the first paint); larger ones in the layout worker, within the
 * first-paint budget.
 */
export const SYNC_LAYOUT_MAX_NODES = 250;
export const SYNC_LAYOUT_MAX_EDGES = 800;

export function laidOutInWorker(map: { nodes: readonly unknown[]; edges: readonly unknown[] }): boolean {
  return map.nodes.length > SYNC_LAYOUT_MAX_NODES || map.edges.length > SYNC_LAYOUT_MAX_EDGES;
}

/** The layout cache key: the topology, and whether everything ("show all") or the budgeted part is laid out. */
export function layoutKey(topology: string, all: boolean): string {
  return `${topology}\u0003${all ? 'all' : 'budget'}`;
}

/** Nodes the budget always keeps: the user node(s) and the focused node. */
export function pinnedNodeIds(nodes: readonly ServerMapNode[], focus: string | undefined): string[] {
  return [...nodes.filter((n) => n.kind === 'user').map((n) => n.id), ...(focus ? [focus] : [])];
}

/** The budgeted layout's input for a filtered map: busiest nodes and links ranked by calls. */
export function layoutInputOf(
  map: { nodes: ServerMapNode[]; edges: ServerMapEdge[] },
  pinned: readonly string[],
  all: boolean
): BudgetInput<ServerMapNode, ServerMapEdge> {
  return {
    nodes: map.nodes,
    edges: map.edges,
    weights: map.nodes.map((n) => n.inbound.calls + n.outbound.calls),
    edgeWeights: map.edges.map((e) => e.stats.calls),
    pinned,
    budgetMs: all ? undefined : FIRST_PAINT_LAYOUT_MS,
  };
}
