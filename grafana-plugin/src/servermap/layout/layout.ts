import { type ServerMapEdge, type ServerMapNode } from '../model';
import { type GraphLayout, type LayoutMode, type NodeBox, NODE_H, NODE_W, type Point } from './types';
import { layeredLayout } from './sugiyama';

/** Space between layers (room for the link label) and between nodes of one layer. */
export const LAYER_GAP = 96;
export const NODE_GAP = 28;

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
 * Left-to-right layered layout (Pinpoint's reading direction: user on the left, databases on the right):
 * longest-path layering from the callers (the user node, which nobody calls, is in the first layer; cycles are
 * broken by the greedy order in ./sugiyama.ts), crossing reduction by size, greedy coordinates. The engine lays
 * out top to bottom, so its axes are swapped. `tuning.sweeps` overrides the number of sweeps (tests, bench).
 */
export function layoutGraphSync(
  nodes: ServerMapNode[],
  edges: ServerMapEdge[],
  tuning: { sweeps?: number } = {}
): GraphLayout {
  const started = performance.now();
  warmed = true;
  const mode = layoutModeFor(nodes.length);
  const index = new Map<string, number>();
  nodes.forEach((node, i) => index.set(node.id, i));
  const laid: ServerMapEdge[] = [];
  const sources: number[] = [];
  const targets: number[] = [];
  for (const e of edges) {
    const s = index.get(e.source);
    const t = index.get(e.target);
    if (s !== undefined && t !== undefined && s !== t) {
      laid.push(e);
      sources.push(s);
      targets.push(t);
    }
  }
  const r = layeredLayout({
    n: nodes.length,
    sources,
    targets,
    nodeLength: NODE_H,
    layerThickness: NODE_W,
    nodeGap: NODE_GAP,
    layerGap: LAYER_GAP,
    sweeps: tuning.sweeps ?? SWEEPS[mode],
  });

  const boxes = new Map<string, NodeBox>();
  const boxList: NodeBox[] = [];
  nodes.forEach((node, i) => {
    const box = { x: r.y[i]! - NODE_W / 2, y: r.x[i]! - NODE_H / 2, w: NODE_W, h: NODE_H };
    boxList.push(box);
    boxes.set(node.id, box);
  });
  const lines = new Map<string, Point[]>();
  laid.forEach((edge, i) => {
    const pts: Point[] = r.points[i]!.map((p) => ({ x: p[1], y: p[0] }));
    const s = boxList[sources[i]!]!;
    const t = boxList[targets[i]!]!;
    pts[0] = portOf(s, pts[1]!);
    pts[pts.length - 1] = portOf(t, pts[pts.length - 2]!);
    lines.set(edge.id, pts);
  });
  for (const e of edges) {
    const b = boxes.get(e.source);
    if (e.source === e.target && b) {
      lines.set(e.id, selfLoop(b));
    }
  }
  return { nodes: boxes, edges: lines, width: r.height, height: r.width, ms: performance.now() - started, mode };
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
