import {
  aggMean,
  coordGreedy,
  type Decross,
  decrossDfs,
  graph,
  layeringLongestPath,
  type MutGraphNode,
  sugiyama,
  twolayerAgg,
} from 'd3-dag';
import { type ServerMapEdge, type ServerMapNode } from '../model';
import { type GraphLayout, type LayoutMode, type NodeBox, NODE_H, NODE_W, type Point } from './types';

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
 * Left-to-right layered layout (Pinpoint's reading direction: user on the left, databases on the right) with
 * d3-dag's Sugiyama pipeline: longest-path layering from the callers (the user node, which nobody calls, is in
 * the first layer; d3-dag breaks cycles), a depth-first initial order then mean-barycenter sweeps (d3-dag's own
 * two-layer operator, without the crossing count that makes its `decrossTwoLayer` quadratic), greedy
 * coordinates. d3-dag lays out top to bottom, so its axes are swapped. `tuning.sweeps` overrides the number of
 * sweeps (tests, bench).
 */
export function layoutGraphSync(
  nodes: ServerMapNode[],
  edges: ServerMapEdge[],
  tuning: { sweeps?: number } = {}
): GraphLayout {
  const started = performance.now();
  warmed = true;
  const mode = layoutModeFor(nodes.length);
  const g = graph<ServerMapNode, ServerMapEdge>();
  const byId = new Map<string, MutGraphNode<ServerMapNode, ServerMapEdge>>();
  for (const n of nodes) {
    byId.set(n.id, g.node(n));
  }
  const links: Array<{ edge: ServerMapEdge; link: { points: Array<[number, number]> } }> = [];
  for (const e of edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (s && t && s !== t) {
      links.push({ edge: e, link: g.link(s, t, e) });
    }
  }
  const passes = tuning.sweeps ?? SWEEPS[mode];
  const initialOrder = decrossDfs();
  const byBarycenter = twolayerAgg().aggregator(aggMean);
  const sweeps: Decross<ServerMapNode, ServerMapEdge> = (layers) => {
    initialOrder(layers);
    for (let p = 0; p < passes; p++) {
      for (let i = 1; i < layers.length; i++) {
        byBarycenter(layers[i - 1]!, layers[i]!, true);
      }
      for (let i = layers.length - 2; i >= 0; i--) {
        byBarycenter(layers[i]!, layers[i + 1]!, false);
      }
    }
  };
  const size = sugiyama()
    .layering(layeringLongestPath())
    .decross(sweeps)
    .coord(coordGreedy())
    .nodeSize([NODE_H, NODE_W])
    .gap([NODE_GAP, LAYER_GAP])(g);
  // A few long chains (the usual application map) come out as a wide, flat strip that a panel can only show
  // tiny. Spreading the rows apart (never the columns) gives it the proportions of a panel, so the fit zooms
  // less far out and glyphs get room for their names; tall maps are left as they are.
  const stretch = Math.min(MAX_ROW_STRETCH, Math.max(1, (TARGET_ASPECT * size.height) / Math.max(1, size.width)));
  const boxes = new Map<string, NodeBox>();
  for (const node of g.nodes()) {
    boxes.set(node.data.id, { x: node.y - NODE_W / 2, y: node.x * stretch - NODE_H / 2, w: NODE_W, h: NODE_H });
  }
  const lines = new Map<string, Point[]>();
  for (const { edge, link } of links) {
    const pts: Point[] = link.points.map(([x, y]) => ({ x: y, y: x * stretch }));
    if (pts.length >= 2) {
      pts[0] = portOf(boxes.get(edge.source)!, pts[1]!);
      pts[pts.length - 1] = portOf(boxes.get(edge.target)!, pts[pts.length - 2]!);
    }
    lines.set(edge.id, pts);
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
export async function layoutGraph(nodes: ServerMapNode[], edges: ServerMapEdge[]): Promise<GraphLayout> {
  return layoutGraphSync(nodes, edges);
}

/** A panel's latest layout (or why it failed) for one topology key. */
export interface LayoutResult {
  key: string;
  layout?: GraphLayout;
  /** Taken from the page-wide cache (no layout ran). */
  cached?: boolean;
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
 * layout. Keyed by `topologyKey`; a few entries, as a dashboard shows a few maps.
 */
const LAYOUT_CACHE_SIZE = 8;
const layoutCache = new Map<string, GraphLayout>();

/** The cached layout for this topology, or a new one (then cached). */
export function cachedLayout(nodes: ServerMapNode[], edges: ServerMapEdge[], key: string): { layout: GraphLayout; cached: boolean } {
  const hit = layoutCache.get(key);
  if (hit) {
    // Most recently used last, so the oldest entry is the first to go.
    layoutCache.delete(key);
    layoutCache.set(key, hit);
    return { layout: hit, cached: true };
  }
  const layout = layoutGraphSync(nodes, edges);
  layoutCache.set(key, layout);
  while (layoutCache.size > LAYOUT_CACHE_SIZE) {
    layoutCache.delete(layoutCache.keys().next().value!);
  }
  return { layout, cached: false };
}

/** Tests and the bench: forget every cached layout (a cold first paint). */
export function clearLayoutCache(): void {
  layoutCache.clear();
}

/** Key that changes only when the drawn topology changes, so refreshes with new numbers keep positions. */
export function topologyKey(nodes: ServerMapNode[], edges: ServerMapEdge[]): string {
  return `${nodes
    .map((n) => n.id)
    .sort()
    .join('\u0001')}\u0002${edges
    .map((e) => e.id)
    .sort()
    .join('\u0001')}`;
}
