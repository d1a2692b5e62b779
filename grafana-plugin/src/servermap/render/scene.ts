import { type GraphLayout, type NodeBox, NODE_H, NODE_W, type Point } from '../layout/types';
import { LAYER_GAP, NODE_GAP } from '../layout/layout';
import { type NodeKind, type ServerMapEdge, type ServerMapNode } from '../model';
import { outboundCalls, shownNumbers } from '../model/recordsFromReply';
import { approx, formatCount, formatMs, formatPercent, formatRate } from './format';
import { pointAlong } from './labels';
import { runToEnd } from '../../shared/slices';

export type EdgeLabelMode = 'calls' | 'callsRate' | 'callsAvg';

/**
 * A change drawn on a node or link while comparing two ranges (made by src/compare's `changeMark`): new and gone
 * items are marked, changed ones coloured by tone with the change as their label.
 */
export interface SceneMark {
  presence: 'both' | 'new' | 'gone';
  tone: 'worse' | 'better' | 'mixed' | 'neutral';
  /** 0–1: how strongly to colour it. */
  strength: number;
  /** Replaces the link label when not empty. */
  label: string;
}

export interface SceneMarks {
  nodes: ReadonlyMap<string, SceneMark>;
  edges: ReadonlyMap<string, SceneMark>;
}

export interface SceneNode {
  id: string;
  name: string;
  kind: NodeKind;
  box: NodeBox;
  /** Second line: calls and average. */
  sub: string;
  /** The same, shorter, for the narrow label under a glyph. */
  subShort: string;
  instances?: number;
  errorRate?: number;
  mark?: SceneMark;
}

export interface SceneEdge {
  id: string;
  source: string;
  target: string;
  points: Point[];
  label: string;
  labelAt: Point;
  errorRate?: number;
  /** Stroke width in graph units (1–5), from call volume. */
  width: number;
  /** Centres of the end nodes' boxes: glyph mode draws links between them. */
  sourceCentre?: Point;
  targetCentre?: Point;
  mark?: SceneMark;
}

export interface Scene {
  nodes: SceneNode[];
  edges: SceneEdge[];
  bounds: { x: number; y: number; w: number; h: number };
  /** Layout spacing (graph units) the level of detail is measured against. */
  pitch: { column: number; row: number; gap: number };
}

/** Error share at which a node/link turns orange, and red. */
export const WARN_RATE = 0.01;
export const ERROR_RATE = 0.05;

export function edgeLabel(e: ServerMapEdge, mode: EdgeLabelMode): string {
  return edgeLabelOf(e.stats.calls, e.stats.ratePerSecond, e.stats.avgMs, e.stats.avgApproximate, mode);
}

function edgeLabelOf(calls: number, ratePerSecond: number | undefined, avgMs: number | undefined, avgApproximate: boolean | undefined, mode: EdgeLabelMode): string {
  const count = formatCount(calls);
  if (mode === 'callsRate' && ratePerSecond !== undefined) {
    return `${count} (${formatRate(ratePerSecond)})`;
  }
  if (mode === 'callsAvg' && avgMs !== undefined) {
    return `${count} · ${approx(formatMs(avgMs), avgApproximate)}`;
  }
  return count;
}

export function nodeSubtitle(n: ServerMapNode, short = false): string {
  return n.kind === 'user'
    ? subtitleOf('user', n.outbound.calls, undefined, undefined, undefined, short)
    : subtitleOf(n.kind, n.inbound.calls, n.inbound.avgMs, n.inbound.avgApproximate, n.inbound.errorRate, short);
}

function subtitleOf(
  kind: NodeKind,
  calls: number,
  avgMs: number | undefined,
  avgApproximate: boolean | undefined,
  errorRate: number | undefined,
  short: boolean,
): string {
  if (kind === 'user') {
    return short ? formatCount(calls) : `${formatCount(calls)} requests`;
  }
  let text = short ? formatCount(calls) : `${formatCount(calls)} calls`;
  if (avgMs !== undefined) {
    text += ` · ${approx(formatMs(avgMs), avgApproximate)}`;
  }
  if (errorRate !== undefined && errorRate > 0) {
    text += ` · ${formatPercent(errorRate)}`;
  }
  return text;
}

/**
 * A drawn node. Its labels are formatted when first read (the draw reads only those it shows: none when zoomed out
 * to the overview, the visible ones' at card zoom) and again only after a refresh changed a number they show:
 * formatting ~5,000 labels was the largest part of a 1,000-node refresh. It holds those numbers itself, so two
 * items with the same numbers show the same labels (and compare equal).
 */
class SceneNodeItem implements SceneNode {
  instances?: number;
  errorRate?: number;
  mark?: SceneMark;
  /** What its labels show: the inbound calls (a user node's outbound), average, whether estimated, error share. */
  calls = 0;
  avgMs: number | undefined = undefined;
  avgApproximate: boolean | undefined = undefined;
  shownErrorRate: number | undefined = undefined;
  #sub: string | undefined;
  #subShort: string | undefined;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: NodeKind,
    readonly box: NodeBox,
  ) {}

  get sub(): string {
    return (this.#sub ??= subtitleOf(this.kind, this.calls, this.avgMs, this.avgApproximate, this.shownErrorRate, false));
  }

  get subShort(): string {
    return (this.#subShort ??= subtitleOf(this.kind, this.calls, this.avgMs, this.avgApproximate, this.shownErrorRate, true));
  }

  /** The parts of a drawn node that come from its numbers (and marks); labels kept when their numbers are. */
  putNumbers(n: ServerMapNode, marks: SceneMarks | undefined): this {
    const user = n.kind === 'user';
    // Read without building the record's statistics (valid until the next shownNumbers call).
    const s = shownNumbers(n);
    const calls = user ? outboundCalls(n) : s.calls;
    const avgMs = user ? undefined : s.avgMs;
    const avgApproximate = user ? undefined : s.avgApproximate;
    const shownErrorRate = user ? undefined : s.errorRate;
    if (calls !== this.calls || avgMs !== this.avgMs || avgApproximate !== this.avgApproximate || shownErrorRate !== this.shownErrorRate) {
      this.calls = calls;
      this.avgMs = avgMs;
      this.avgApproximate = avgApproximate;
      this.shownErrorRate = shownErrorRate;
      this.#sub = this.#subShort = undefined;
    }
    this.instances = n.instances;
    this.errorRate = user || marks?.nodes.has(n.id) ? undefined : s.errorRate;
    this.mark = marks?.nodes.get(n.id);
    return this;
  }
}

function sceneNode(n: ServerMapNode, box: NodeBox, marks: SceneMarks | undefined): SceneNode {
  return new SceneNodeItem(n.id, n.name, n.kind, box).putNumbers(n, marks);
}

/** What of a drawn link comes from the layout alone (kept as it is when only the numbers change). */
type EdgeGeometry = Pick<SceneEdge, 'points' | 'labelAt' | 'sourceCentre' | 'targetCentre'>;

function edgeGeometry(e: ServerMapEdge, layout: GraphLayout): EdgeGeometry | undefined {
  const points = layout.edges.get(e.id);
  if (!points || points.length < 2) {
    return undefined;
  }
  const sb = layout.nodes.get(e.source);
  const tb = layout.nodes.get(e.target);
  return {
    sourceCentre: sb && e.source !== e.target ? { x: sb.x + sb.w / 2, y: sb.y + sb.h / 2 } : undefined,
    targetCentre: tb && e.source !== e.target ? { x: tb.x + tb.w / 2, y: tb.y + tb.h / 2 } : undefined,
    points,
    // Halfway along the polyline's length, so labels sit on the drawn line even with bends.
    labelAt: pointAlong(points, 0.5),
  };
}

function maxCallsOf(edges: readonly ServerMapEdge[]): number {
  let max = 1;
  for (const e of edges) {
    max = Math.max(max, shownNumbers(e).calls);
  }
  return max;
}

/** A drawn link; its label formatted when first read and after a number it shows changed (see SceneNodeItem). */
class SceneEdgeItem implements SceneEdge {
  readonly sourceCentre?: Point;
  readonly targetCentre?: Point;
  readonly points: Point[];
  readonly labelAt: Point;
  errorRate?: number;
  width = 1;
  mark?: SceneMark;
  /** What its label shows. */
  calls = 0;
  ratePerSecond: number | undefined = undefined;
  avgMs: number | undefined = undefined;
  avgApproximate: boolean | undefined = undefined;
  mode: EdgeLabelMode = 'calls';
  #label: string | undefined;

  constructor(
    readonly id: string,
    readonly source: string,
    readonly target: string,
    g: EdgeGeometry,
  ) {
    this.sourceCentre = g.sourceCentre;
    this.targetCentre = g.targetCentre;
    this.points = g.points;
    this.labelAt = g.labelAt;
  }

  get label(): string {
    return (this.#label ??= this.mark?.label || edgeLabelOf(this.calls, this.ratePerSecond, this.avgMs, this.avgApproximate, this.mode));
  }

  /** The parts of a drawn link that come from its numbers (and marks); the label kept when its numbers are. */
  putNumbers(e: ServerMapEdge, maxCalls: number, mode: EdgeLabelMode, marks: SceneMarks | undefined): this {
    const s = shownNumbers(e);
    const mark = marks?.edges.get(e.id);
    if (
      s.calls !== this.calls ||
      s.ratePerSecond !== this.ratePerSecond ||
      s.avgMs !== this.avgMs ||
      s.avgApproximate !== this.avgApproximate ||
      mode !== this.mode ||
      mark?.label !== this.mark?.label
    ) {
      this.calls = s.calls;
      this.ratePerSecond = s.ratePerSecond;
      this.avgMs = s.avgMs;
      this.avgApproximate = s.avgApproximate;
      this.mode = mode;
      this.#label = undefined;
    }
    // While comparing, colour says worse or better (the mark), not the error rate.
    this.errorRate = mark ? undefined : s.errorRate;
    this.mark = mark;
    this.width = 1 + (4 * Math.log10(1 + s.calls)) / Math.log10(1 + maxCalls);
    return this;
  }
}

function sceneEdge(e: ServerMapEdge, g: EdgeGeometry, maxCalls: number, mode: EdgeLabelMode, marks: SceneMarks | undefined): SceneEdge {
  return new SceneEdgeItem(e.id, e.source, e.target, g).putNumbers(e, maxCalls, mode, marks);
}

/** Scene items built between two points where a sliced build may pause (a few ms of work on a young page). */
const ITEMS_PER_STEP = 256;

/** Positions + labels + styles, independent of canvas and theme, so it is unit-tested and hit-tested. */
export function buildScene(
  nodes: ServerMapNode[],
  edges: ServerMapEdge[],
  layout: GraphLayout,
  mode: EdgeLabelMode,
  marks?: SceneMarks,
): Scene {
  return runToEnd(buildSceneSteps(nodes, edges, layout, mode, marks));
}

/**
 * buildScene as steps (a `yield` every ITEMS_PER_STEP nodes or links), so a large map's scene is built in slices
 * between the page's tasks (runInSlices) instead of in the task that draws it. The same scene.
 */
export function* buildSceneSteps(
  nodes: ServerMapNode[],
  edges: ServerMapEdge[],
  layout: GraphLayout,
  mode: EdgeLabelMode,
  marks?: SceneMarks,
): Generator<void, Scene> {
  const sceneNodes: SceneNode[] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < nodes.length; i++) {
    if (i % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) {
      yield;
    }
    const n = nodes[i]!;
    const box = layout.nodes.get(n.id);
    if (!box) {
      continue;
    }
    minX = Math.min(minX, box.x);
    minY = Math.min(minY, box.y - 20);
    maxX = Math.max(maxX, box.x + box.w);
    maxY = Math.max(maxY, box.y + box.h);
    sceneNodes.push(sceneNode(n, box, marks));
  }
  const maxCalls = maxCallsOf(edges);
  const sceneEdges: SceneEdge[] = [];
  for (let i = 0; i < edges.length; i++) {
    if (i % ITEMS_PER_STEP === ITEMS_PER_STEP - 1) {
      yield;
    }
    const e = edges[i]!;
    const g = edgeGeometry(e, layout);
    if (g) {
      sceneEdges.push(sceneEdge(e, g, maxCalls, mode, marks));
    }
  }
  if (!Number.isFinite(minX)) {
    minX = minY = 0;
    maxX = maxY = 1;
  }
  return {
    nodes: sceneNodes,
    edges: sceneEdges,
    bounds: { x: minX, y: minY, w: maxX - minX, h: maxY - minY },
    pitch: { column: NODE_W + LAYER_GAP, row: layout.rowPitch ?? NODE_H + NODE_GAP, gap: LAYER_GAP },
  };
}

/**
 * A refresh with the same topology: the previous scene's positions, polylines and label anchors with the new
 * numbers (labels, widths, colours), the same scene buildScene would make, without walking the layout again.
 * Only for the same node and link set and the same layout as `previous` was built from (the caller checks the
 * topology key and the layout): what is not in `previous` is then what the layout left out, and is skipped as
 * buildScene skips it.
 */
export function refreshScene(
  previous: Scene,
  nodes: ServerMapNode[],
  edges: ServerMapEdge[],
  mode: EdgeLabelMode,
  marks?: SceneMarks,
): Scene {
  // The same topology mostly comes back in the same order: the previous scene's item at the next place is then
  // this one, found without building a map of the previous scene (thousands of entries on every refresh of a
  // large map). An item out of place is looked up by id, so the result is the same either way.
  let boxes: Map<string, NodeBox> | undefined;
  const sceneNodes: SceneNode[] = [];
  let at = 0;
  for (const n of nodes) {
    let box: NodeBox | undefined;
    if (previous.nodes[at]?.id === n.id) {
      box = previous.nodes[at++]!.box;
    } else {
      boxes ??= new Map(previous.nodes.map((p) => [p.id, p.box]));
      box = boxes.get(n.id);
    }
    if (box) {
      sceneNodes.push(sceneNode(n, box, marks));
    }
  }
  const maxCalls = maxCallsOf(edges);
  let geometry: Map<string, EdgeGeometry> | undefined;
  const sceneEdges: SceneEdge[] = [];
  at = 0;
  for (const e of edges) {
    let g: EdgeGeometry | undefined;
    if (previous.edges[at]?.id === e.id) {
      g = previous.edges[at++];
    } else {
      geometry ??= new Map(previous.edges.map((p) => [p.id, p]));
      g = geometry.get(e.id);
    }
    if (g) {
      sceneEdges.push(sceneEdge(e, g, maxCalls, mode, marks));
    }
  }
  return { nodes: sceneNodes, edges: sceneEdges, bounds: previous.bounds, pitch: previous.pitch };
}

/**
 * refreshScene without new items: when `scene`'s items are the drawn ones among `nodes` and `edges`, in the same
 * order (a refresh of the same topology, whose worker-built map keeps its order), their numbers, widths and colours
 * are written into them (labels are formatted again when next read, and only where a number they show changed)
 * and a new Scene object over the same item arrays is returned (the canvas redraws a new Scene; every other scene
 * sharing these items shows the new numbers too, which is what a refresh means for the scene the panel keeps for
 * this geometry). Returns undefined, changing nothing, when any item is out of place (or not made by this module):
 * the caller then uses refreshScene. Same preconditions as refreshScene (same topology and layout).
 */
export function refreshSceneInPlace(
  scene: Scene,
  nodes: readonly ServerMapNode[],
  edges: readonly ServerMapEdge[],
  mode: EdgeLabelMode,
  marks?: SceneMarks,
): Scene | undefined {
  // Matched before anything is written. Every scene item matched in order to the (unique) node of its id means
  // every drawn node was matched, so the nodes left over are the ones the layout left out.
  const nodeAt = positionsInOrder(scene.nodes, nodes, SceneNodeItem);
  const edgeAt = nodeAt && positionsInOrder(scene.edges, edges, SceneEdgeItem);
  if (!nodeAt || !edgeAt) {
    return undefined;
  }
  for (let k = 0; k < nodeAt.length; k++) {
    (scene.nodes[k] as SceneNodeItem).putNumbers(nodes[nodeAt[k]!]!, marks);
  }
  const maxCalls = maxCallsOf(edges);
  for (let k = 0; k < edgeAt.length; k++) {
    (scene.edges[k] as SceneEdgeItem).putNumbers(edges[edgeAt[k]!]!, maxCalls, mode, marks);
  }
  return { nodes: scene.nodes, edges: scene.edges, bounds: scene.bounds, pitch: scene.pitch };
}

/**
 * Where each of `items` (by id) is in `all`, when they are a subsequence of it in the same order and each one an
 * instance of `made` (an item this module can write into); else undefined.
 */
function positionsInOrder(
  items: ReadonlyArray<{ id: string }>,
  all: ReadonlyArray<{ id: string }>,
  made: abstract new (...args: never[]) => unknown,
): Int32Array | undefined {
  const at = new Int32Array(items.length);
  let k = 0;
  for (let i = 0; i < all.length && k < items.length; i++) {
    const item = items[k]!;
    if (item.id === all[i]!.id) {
      if (!(item instanceof made)) {
        return undefined;
      }
      at[k++] = i;
    }
  }
  return k === items.length ? at : undefined;
}

export type Hit = { type: 'node'; id: string } | { type: 'edge'; id: string };

function distToSegment(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** What lies under a point in graph coordinates: nodes first (drawn on top), then the closest edge or its label. */
export function hitTest(scene: Scene, p: Point, tolerance: number): Hit | undefined {
  for (let i = scene.nodes.length - 1; i >= 0; i--) {
    const { box, id } = scene.nodes[i]!;
    if (p.x >= box.x && p.x <= box.x + box.w && p.y >= box.y && p.y <= box.y + box.h) {
      return { type: 'node', id };
    }
  }
  let best: Hit | undefined;
  let bestDist = tolerance;
  for (const e of scene.edges) {
    if (Math.abs(p.x - e.labelAt.x) <= 24 && Math.abs(p.y - e.labelAt.y) <= 9) {
      return { type: 'edge', id: e.id };
    }
    for (let i = 1; i < e.points.length; i++) {
      const d = distToSegment(p, e.points[i - 1]!, e.points[i]!);
      if (d <= bestDist) {
        bestDist = d;
        best = { type: 'edge', id: e.id };
      }
    }
  }
  return best;
}

export interface Viewport {
  scale: number;
  /** Screen offset of graph origin. */
  tx: number;
  ty: number;
}

/** Largest zoom a fit chooses: a small map in a large panel is zoomed in (cards), not left small in the middle. */
export const FIT_MAX_SCALE = 1.6;

/** Viewport showing the whole scene with a margin, zooming in as well as out (up to FIT_MAX_SCALE). */
export function fitViewport(bounds: Scene['bounds'], width: number, height: number, margin = 24): Viewport {
  const w = Math.max(1, bounds.w);
  const h = Math.max(1, bounds.h);
  const scale = Math.min(FIT_MAX_SCALE, (width - 2 * margin) / w, (height - 2 * margin) / h);
  const s = Math.max(0.02, scale);
  return { scale: s, tx: (width - w * s) / 2 - bounds.x * s, ty: (height - h * s) / 2 - bounds.y * s };
}

/** Zoom around a screen point. */
export function zoomAt(v: Viewport, factor: number, sx: number, sy: number): Viewport {
  const scale = Math.min(4, Math.max(0.02, v.scale * factor));
  const k = scale / v.scale;
  return { scale, tx: sx - (sx - v.tx) * k, ty: sy - (sy - v.ty) * k };
}

export function toGraph(v: Viewport, sx: number, sy: number): Point {
  return { x: (sx - v.tx) / v.scale, y: (sy - v.ty) / v.scale };
}
