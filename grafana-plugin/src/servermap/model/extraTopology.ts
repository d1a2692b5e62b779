import { type NodeKind, type ServerMap } from './types';

/**
 * Nodes and links a map drawn over this one adds to it (compare's baseline: what only the earlier range had), as
 * plain data that can cross to the map worker. The worker lays out the map with them in the round trip that
 * builds the model, so a compared first paint needs no second trip for the union's layout. Only what filtering
 * and layout read is here: ids, ends and kinds.
 */
export interface ExtraTopology {
  nodes: Array<{ id: string; kind: NodeKind }>;
  edges: Array<{ id: string; source: string; target: string }>;
}

/**
 * `map` with the nodes and links of `extra` it lacks appended in `extra`'s order, at zero traffic (matched by
 * id). An overlay that draws the same ids in the same order at zero traffic gets the same filtered map and
 * topology key, so the layout laid out here is found in the layout cache (tested against compare's union).
 */
export function withExtraTopology(map: ServerMap, extra: ExtraTopology): ServerMap {
  const nodeIds = new Set(map.nodes.map((n) => n.id));
  const edgeIds = new Set(map.edges.map((e) => e.id));
  const nodes = map.nodes.slice();
  for (const n of extra.nodes) {
    if (!nodeIds.has(n.id)) {
      nodeIds.add(n.id);
      nodes.push({ id: n.id, name: n.id, kind: n.kind, inbound: { calls: 0 }, outbound: { calls: 0 } });
    }
  }
  const edges = map.edges.slice();
  for (const e of extra.edges) {
    if (!edgeIds.has(e.id)) {
      edgeIds.add(e.id);
      edges.push({ id: e.id, source: e.source, target: e.target, connectionType: '', stats: { calls: 0 } });
    }
  }
  return { ...map, nodes, edges };
}
