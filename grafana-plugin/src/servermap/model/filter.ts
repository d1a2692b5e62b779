import { type ServerMap, type ServerMapEdge, type ServerMapNode } from './types';

export interface MapFilter {
  /** Focused node id: only nodes within the depths below stay. */
  focus?: string;
  /** How many hops of callers (inbound) and callees (outbound) to keep around the focus, 1–4 like Pinpoint. */
  inboundDepth: number;
  outboundDepth: number;
  /** Hide databases, caches, queues and external (virtual) nodes. */
  hideTerminal: boolean;
  /** Keep at most this many nodes (busiest first); `Infinity` shows all. */
  maxNodes: number;
}

export interface FilteredMap {
  nodes: ServerMapNode[];
  edges: ServerMapEdge[];
  /** Nodes dropped by the node limit (shown as "N nodes hidden"). */
  hiddenByLimit: number;
  /** Nodes dropped by focus/depth/kind filters. */
  hiddenByFilter: number;
}

const TERMINAL = new Set(['database', 'cache', 'messaging', 'external']);

function reach(start: string, depth: number, next: Map<string, string[]>, into: Set<string>) {
  let frontier = [start];
  for (let d = 0; d < depth && frontier.length; d++) {
    const nextFrontier: string[] = [];
    for (const id of frontier) {
      for (const n of next.get(id) ?? []) {
        if (!into.has(n)) {
          into.add(n);
          nextFrontier.push(n);
        }
      }
    }
    frontier = nextFrontier;
  }
}

export function filterMap(map: ServerMap, filter: MapFilter): FilteredMap {
  // Nothing to drop (the usual first paint): every link's ends are nodes of the map, so all of it stays.
  if ((filter.focus === undefined || !map.nodes.some((n) => n.id === filter.focus)) && !filter.hideTerminal && map.nodes.length <= filter.maxNodes) {
    return { nodes: map.nodes.slice(), edges: map.edges.slice(), hiddenByLimit: 0, hiddenByFilter: 0 };
  }
  let keep = new Set(map.nodes.map((n) => n.id));
  const byId = new Map(map.nodes.map((n) => [n.id, n]));

  if (filter.focus !== undefined && byId.has(filter.focus)) {
    const out = new Map<string, string[]>();
    const inn = new Map<string, string[]>();
    const push = (m: Map<string, string[]>, k: string, v: string) => {
      const list = m.get(k);
      if (list) {
        list.push(v);
      } else {
        m.set(k, [v]);
      }
    };
    for (const e of map.edges) {
      push(out, e.source, e.target);
      push(inn, e.target, e.source);
    }
    const focused = new Set([filter.focus]);
    reach(filter.focus, clampDepth(filter.outboundDepth), out, focused);
    reach(filter.focus, clampDepth(filter.inboundDepth), inn, focused);
    keep = focused;
  }
  if (filter.hideTerminal) {
    for (const id of [...keep]) {
      if (TERMINAL.has(byId.get(id)!.kind) && id !== filter.focus) {
        keep.delete(id);
      }
    }
  }
  const hiddenByFilter = map.nodes.length - keep.size;

  let hiddenByLimit = 0;
  if (keep.size > filter.maxNodes) {
    const traffic = (n: ServerMapNode) => n.inbound.calls + n.outbound.calls;
    const ranked = [...keep].map((id) => byId.get(id)!).sort((a, b) => {
      const pin = Number(b.id === filter.focus || b.kind === 'user') - Number(a.id === filter.focus || a.kind === 'user');
      return pin !== 0 ? pin : traffic(b) - traffic(a) || a.id.localeCompare(b.id);
    });
    const limited = new Set(ranked.slice(0, Math.max(1, filter.maxNodes)).map((n) => n.id));
    hiddenByLimit = keep.size - limited.size;
    keep = limited;
  }

  return {
    nodes: map.nodes.filter((n) => keep.has(n.id)),
    edges: map.edges.filter((e) => keep.has(e.source) && keep.has(e.target)),
    hiddenByLimit,
    hiddenByFilter,
  };
}

function clampDepth(d: number): number {
  return Math.min(4, Math.max(1, Math.round(Number.isFinite(d) ? d : 1)));
}
