import { type CompareEdge, type CompareNode } from './types';

/** A map as the union needs it: any node and edge type with the ids the diff matches on. */
export interface UnionInput<N extends CompareNode, E extends CompareEdge> {
  nodes: readonly N[];
  edges: readonly E[];
}

/**
 * The topology to draw while comparing: every node and link of the current map, then those only the baseline
 * has (with the baseline's numbers, since they have no current ones). Matched by id like `diffMaps`, so the
 * diff's `presence` says which of them are new or gone. Generic so a `ServerMap`'s node and edge types come back
 * unchanged and the server map draws the union as it draws any map.
 */
export function unionMap<N extends CompareNode, E extends CompareEdge>(
  current: UnionInput<N, E>,
  baseline: UnionInput<N, E>
): { nodes: N[]; edges: E[] } {
  const nodeIds = new Set(current.nodes.map((n) => n.id));
  const edgeIds = new Set(current.edges.map((e) => e.id));
  const nodes = [...current.nodes];
  for (const n of baseline.nodes) {
    if (!nodeIds.has(n.id)) {
      nodeIds.add(n.id);
      nodes.push(n);
    }
  }
  const edges = [...current.edges];
  for (const e of baseline.edges) {
    if (!edgeIds.has(e.id)) {
      edgeIds.add(e.id);
      edges.push(e);
    }
  }
  return { nodes, edges };
}
