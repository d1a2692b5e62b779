import {
  aggMean,
  coordGreedy,
  type Decross,
  decrossDfs,
  graph,
  type Layering,
  layeringLongestPath,
  layerSeparation,
  type MutGraph,
  type MutGraphLink,
  type MutGraphNode,
  sugiyama,
  twolayerAgg,
} from 'd3-dag';
import { type ServerMapEdge, type ServerMapNode } from '../model';
import {
  type GraphLayout,
  type LayoutEdge,
  type LayoutMode,
  type LayoutNode,
  type LayoutProgress,
  type NodeBox,
  NODE_H,
  NODE_W,
  type Point,
} from './types';

/**
 * Space between layers (room for the link label) and between nodes of one layer. The row gap also leaves room,
 * when zoomed out, for a compact glyph with its name and numbers below it (render/draw.ts, detailLevel).
 */
export const LAYER_GAP = 96;
export const NODE_GAP = 44;
/** Height ÷ width a flat map is spread to (about a panel's), and the most its rows are spread apart. */
export const TARGET_ASPECT = 0.45;
export const MAX_ROW_STRETCH = 2.5;

/**
 * Crossing reduction is the step whose cost grows fastest (bench/, README). Counting crossings after every pass
 * is quadratic per layer pair (d3-dag's own two-layer operator: 120 ms at 50 nodes, ~1 s at 200), so the order
 * comes from barycenter sweeps without counting: measured on the bench graphs they leave fewer crossings than
 * the ELK settings used before. More sweeps for smaller maps, one for large maps (which are read by zooming into
 * parts anyway).
 */
export const QUALITY_LAYOUT_MAX = 60;
export const FAST_LAYOUT_OVER = 300;
export function layoutModeFor(nodeCount: number): LayoutMode {
  return nodeCount <= QUALITY_LAYOUT_MAX ? 'quality' : nodeCount <= FAST_LAYOUT_OVER ? 'balanced' : 'fast';
}
export const SWEEPS: Record<LayoutMode, number> = { quality: 4, balanced: 4, fast: 2 };

/**
 * Where a link meets a box: the middle of its right side when the link heads right, else of its left side. All
 * links of a side share that point, as in Pinpoint's map, so fans of links stay readable.
 */
export function portOf(box: NodeBox, toward: Point): Point {
  return { x: toward.x >= box.x + box.w / 2 ? box.x + box.w : box.x, y: box.y + box.h / 2 };
}

/** Self-calls (a service calling itself) are drawn as a small loop above the box, not routed by the engine. */
export function selfLoop(b: NodeBox): Point[] {
  return [
    { x: b.x + b.w * 0.7, y: b.y },
    { x: b.x + b.w * 0.7, y: b.y - 18 },
    { x: b.x + b.w * 0.3, y: b.y - 18 },
    { x: b.x + b.w * 0.3, y: b.y },
  ];
}

/**
 * Links spanning many layers become chains of dummy nodes in a layered layout, and d3-dag's greedy coordinates
 * cost about (layers × layered nodes): a random 500-node / 2,500-link graph has 72 layers and ~48,000 dummy nodes
 * (~9 s in Node). Past this many dummy nodes the longest links are not routed through the layers but drawn
 * straight between their ends; service maps (links between neighbouring layers) never get near it.
 */
export const DUMMY_NODES_PER_NODE = 2;
export const DUMMY_NODES_MIN = 1500;
export function dummyBudget(nodeCount: number): number {
  return Math.max(DUMMY_NODES_MIN, DUMMY_NODES_PER_NODE * nodeCount);
}

type LayoutGraph<N extends LayoutNode, E extends LayoutEdge> = MutGraph<N, E>;

/** The d3-dag graph of a map, its longest-path layers, and which links are too long to route (see dummyBudget). */
export interface Layered<N extends LayoutNode, E extends LayoutEdge> {
  g: LayoutGraph<N, E>;
  /** Layer of each node id. */
  layerOf: Map<string, number>;
  layers: number;
  links: Array<{ edge: E; link: MutGraphLink<N, E>; span: number }>;
  /** Links spanning more layers than this are drawn straight. */
  maxSpan: number;
  /** Nodes in the layered graph: real nodes plus the dummy nodes of the routed links. */
  layeredNodes: number;
}

/** Builds the graph and assigns layers (d3-dag's longest path: callers left, the user node first). */
export function layerGraph<N extends LayoutNode, E extends LayoutEdge>(
  nodes: readonly N[],
  edges: readonly E[],
  maxDummies = dummyBudget(nodes.length)
): Layered<N, E> {
  const g = graph<N, E>();
  const byId = new Map<string, MutGraphNode<N, E>>();
  for (const n of nodes) {
    byId.set(n.id, g.node(n));
  }
  const links: Layered<N, E>['links'] = [];
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (s && t && s !== t) {
      links.push({ edge: e, link: g.link(s, t, e), span: 0 });
    }
  }
  const layers = nodes.length ? layeringLongestPath()(g, layerSeparation) + 1 : 0;
  const layerOf = new Map<string, number>();
  for (const n of g.nodes()) {
    layerOf.set(n.data.id, n.y);
  }
  const spans: number[] = [];
  for (const l of links) {
    l.span = Math.abs(l.link.target.y - l.link.source.y);
    spans.push(l.span);
  }
  spans.sort((a, b) => a - b);
  // The longest span whose links, with all shorter ones, stay within the budget (links of one span go together).
  let dummies = 0;
  let maxSpan = Infinity;
  for (const span of spans) {
    if (dummies + span - 1 > maxDummies) {
      maxSpan = Math.max(1, span - 1);
      break;
    }
    dummies += span - 1;
  }
  if (maxSpan !== Infinity) {
    dummies = 0;
    for (const span of spans) {
      if (span > maxSpan) {
        break;
      }
      dummies += span - 1;
    }
  }
  return { g, layerOf, layers, links, maxSpan, layeredNodes: nodes.length + dummies };
}

/**
 * Estimated layout time (ms, this machine kind, warm) from the layered graph's size: a part per layered node
 * (graph building, ordering sweeps, reading back) and d3-dag's greedy coordinates, which repeat passes over all
 * layered nodes up to once per layer. Fitted to bench runs (README, "Layout budget"); used to decide how much of a
 * map can be laid out for the first paint.
 */
export const MS_PER_LAYERED_NODE = 0.09;
export const MS_PER_LAYERED_NODE_LAYER = 0.0009;
export function estimateLayoutMs(layered: { layeredNodes: number; layers: number; links: unknown[] }): number {
  return (
    MS_PER_LAYERED_NODE * layered.layeredNodes +
    MS_PER_LAYERED_NODE_LAYER * layered.layeredNodes * layered.layers +
    0.01 * layered.links.length
  );
}

/**
 * Left-to-right layered layout (Pinpoint's reading direction: user on the left, databases on the right) with
 * d3-dag's Sugiyama pipeline: longest-path layering from the callers (the user node, which nobody calls, is in
 * the first layer; d3-dag breaks cycles), a depth-first initial order then mean-barycenter sweeps (d3-dag's own
 * two-layer operator, without the crossing count that makes its `decrossTwoLayer` quadratic), greedy
 * coordinates. d3-dag lays out top to bottom, so its axes are swapped. Links longer than the dummy-node budget
 * allows are drawn straight (see dummyBudget). `tuning.sweeps` overrides the number of sweeps (tests, bench);
 * `onProgress` hears each phase (the worker forwards it to the "show all" progress bar).
 */
export function layoutGraphSync<N extends LayoutNode, E extends LayoutEdge>(
  nodes: readonly N[],
  edges: readonly E[],
  tuning: {
    sweeps?: number;
    maxDummies?: number;
    onProgress?: (p: LayoutProgress) => void;
    layered?: Layered<N, E>;
  } = {}
): GraphLayout {
  const started = performance.now();
  warmed = true;
  const progress = tuning.onProgress;
  const mode = layoutModeFor(nodes.length);
  progress?.({ phase: 'layering', fraction: 0 });
  const layered = tuning.layered ?? layerGraph(nodes, edges, tuning.maxDummies);
  const { g, layerOf, layers, links, maxSpan } = layered;
  const straight: typeof links = [];
  for (const l of links) {
    if (l.span > maxSpan) {
      l.link.delete();
      straight.push(l);
    }
  }
  // The layers were assigned on the whole graph (above); sugiyama keeps them, so the links left out of the
  // routing still shape the columns.
  const keepLayers: Layering<N, E> = (gr) => {
    for (const n of gr.nodes()) {
      n.y = layerOf.get(n.data.id) ?? 0;
    }
    return Math.max(0, layers - 1);
  };
  const passes = tuning.sweeps ?? SWEEPS[mode];
  const initialOrder = decrossDfs();
  const byBarycenter = twolayerAgg().aggregator(aggMean);
  const sweeps: Decross<N, E> = (ls) => {
    initialOrder(ls);
    const steps = Math.max(1, passes * 2 * (ls.length - 1));
    let step = 0;
    // A progress message per layer would flood the channel on large maps: about every 2 %.
    const every = Math.max(1, Math.floor(steps / 50));
    for (let p = 0; p < passes; p++) {
      for (let i = 1; i < ls.length; i++) {
        byBarycenter(ls[i - 1]!, ls[i]!, true);
        if (progress && ++step % every === 0) {
          progress({ phase: 'ordering', fraction: step / steps });
        }
      }
      for (let i = ls.length - 2; i >= 0; i--) {
        byBarycenter(ls[i]!, ls[i + 1]!, false);
        if (progress && ++step % every === 0) {
          progress({ phase: 'ordering', fraction: step / steps });
        }
      }
    }
    progress?.({ phase: 'coordinates', fraction: 0 });
  };
  const size = sugiyama()
    .layering(keepLayers)
    .decross(sweeps)
    .coord(coordGreedy())
    .nodeSize([NODE_H, NODE_W])
    .gap([NODE_GAP, LAYER_GAP])(g);
  progress?.({ phase: 'routing', fraction: 0 });
  // A few long chains (the usual application map) come out as a wide, flat strip that a panel can only show
  // tiny. Spreading the rows apart (never the columns) gives it the proportions of a panel, so the fit zooms
  // less far out and glyphs get room for their names; tall maps are left as they are.
  const stretch = Math.min(MAX_ROW_STRETCH, Math.max(1, (TARGET_ASPECT * size.height) / Math.max(1, size.width)));
  const boxes = new Map<string, NodeBox>();
  for (const node of g.nodes()) {
    boxes.set(node.data.id, { x: node.y - NODE_W / 2, y: node.x * stretch - NODE_H / 2, w: NODE_W, h: NODE_H });
  }
  const lines = new Map<string, Point[]>();
  for (const { edge, link, span } of links) {
    if (span > maxSpan) {
      continue;
    }
    const pts: Point[] = link.points.map(([x, y]) => ({ x: y, y: x * stretch }));
    if (pts.length >= 2) {
      pts[0] = portOf(boxes.get(edge.source)!, pts[1]!);
      pts[pts.length - 1] = portOf(boxes.get(edge.target)!, pts[pts.length - 2]!);
    }
    lines.set(edge.id, pts);
  }
  for (const { edge } of straight) {
    const s = boxes.get(edge.source)!;
    const t = boxes.get(edge.target)!;
    const sc = { x: s.x + s.w / 2, y: s.y + s.h / 2 };
    const tc = { x: t.x + t.w / 2, y: t.y + t.h / 2 };
    lines.set(edge.id, [portOf(s, tc), portOf(t, sc)]);
  }
  for (const e of edges) {
    const b = boxes.get(e.source);
    if (e.source === e.target && b) {
      lines.set(e.id, selfLoop(b));
    }
  }
  return {
    nodes: boxes,
    edges: lines,
    width: size.height,
    height: size.width * stretch,
    rowPitch: (NODE_H + NODE_GAP) * stretch,
    ms: performance.now() - started,
    mode,
    straightLinks: straight.length,
    layers,
  };
}

let warmed = false;

/**
 * Runs one small layout while the panel's queries are still in flight, so the first real layout does not also
 * pay for JIT-compiling the engine (the "query500" row of the bench). Does nothing once a layout has run.
 */
export function prewarmLayout(): void {
  if (warmed) {
    return;
  }
  warmed = true;
  const ids = Array.from({ length: 24 }, (_, i) => `w${i}`);
  const nodes: ServerMapNode[] = ids.map((id, i) => ({
    id,
    name: id,
    kind: i === 0 ? 'user' : 'service',
    inbound: { calls: 1 },
    outbound: { calls: 1 },
  }));
  const edges: ServerMapEdge[] = ids.slice(1).map((id, i) => ({
    id: `e${i}`,
    source: `w${Math.floor(i / 3)}`,
    target: id,
    connectionType: '',
    stats: { calls: 1 },
  }));
  layoutGraphSync(nodes, edges);
}

/** Async so callers need not change when the layout moves off the main thread. */
export async function layoutGraph(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): Promise<GraphLayout> {
  return layoutGraphSync(nodes, edges);
}

/** A panel's latest layout (or why it failed) for one topology key. */
export interface LayoutResult {
  key: string;
  layout?: GraphLayout;
  /** Taken from the page-wide cache (no layout ran). */
  cached?: boolean;
  /** Nodes of the topology left out by the layout budget ("N nodes hidden · show all"). */
  hiddenByBudget?: number;
  /** Where the layout ran: the main thread (small maps, or no Web Worker) or the layout worker. */
  where?: 'main' | 'worker';
  /** Why the layout ran on the main thread although the map is large (the Web Worker could not start). */
  fallbackNote?: string;
  error?: string;
}

/**
 * The previous result when it is for the same topology: a refresh that only changed numbers keeps positions
 * (and the view); a failure is kept too (retrying the same graph on every render would fail the same way), and
 * a changed topology is laid out again.
 */
export function reusableLayout(previous: LayoutResult | undefined, key: string): LayoutResult | undefined {
  return previous?.key === key ? previous : undefined;
}

/**
 * Layouts of recent topologies, shared by every panel on the page: a remount (dashboard navigation, an option
 * change that recreates the panel, a second panel on the same queries) of a topology laid out before does no
 * layout. Keyed by `topologyKey` (plus the budget); a few entries, as a dashboard shows a few maps.
 */
const LAYOUT_CACHE_SIZE = 8;
const layoutCache = new Map<string, { layout: GraphLayout; hiddenByBudget: number }>();

/** The cached layout for a key (marked most recently used), if any. */
export function lookupLayout(key: string): { layout: GraphLayout; hiddenByBudget: number } | undefined {
  const hit = layoutCache.get(key);
  if (hit) {
    // Most recently used last, so the oldest entry is the first to go.
    layoutCache.delete(key);
    layoutCache.set(key, hit);
  }
  return hit;
}

/** The keys of the cached layouts (the map worker skips laying out those again). */
export function lookupLayoutKeys(): string[] {
  return [...layoutCache.keys()];
}

export function rememberLayout(key: string, layout: GraphLayout, hiddenByBudget = 0): void {
  layoutCache.set(key, { layout, hiddenByBudget });
  while (layoutCache.size > LAYOUT_CACHE_SIZE) {
    layoutCache.delete(layoutCache.keys().next().value!);
  }
}

/** The cached layout for this topology, or a new one (then cached). */
export function cachedLayout(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  key: string
): { layout: GraphLayout; cached: boolean } {
  const hit = lookupLayout(key);
  if (hit) {
    return { layout: hit.layout, cached: true };
  }
  const layout = layoutGraphSync(nodes, edges);
  rememberLayout(key, layout);
  return { layout, cached: false };
}

/** Tests and the bench: forget every cached layout (a cold first paint). */
export function clearLayoutCache(): void {
  layoutCache.clear();
}

/** Key that changes only when the drawn topology changes, so refreshes with new numbers keep positions. */
export function topologyKey(nodes: readonly LayoutNode[], edges: readonly LayoutEdge[]): string {
  return `${nodes
    .map((n) => n.id)
    .sort()
    .join('\u0001')}\u0002${edges
    .map((e) => e.id)
    .sort()
    .join('\u0001')}`;
}
