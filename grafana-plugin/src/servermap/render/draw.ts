import { type NodeKind } from '../model';
import { type Palette } from './palette';
import { ERROR_RATE, type Scene, type SceneEdge, type SceneNode, type Viewport, WARN_RATE } from './scene';

export interface DrawState {
  selected?: { type: 'node' | 'edge'; id: string };
  hovered?: { type: 'node' | 'edge'; id: string };
  /** When set, everything not listed is dimmed (scatter → map brushing). */
  highlight?: { nodes: Set<string>; edges: Set<string> };
}

/** Below these zoom levels text is skipped: unreadable anyway, and it is what costs most per frame. */
const TEXT_MIN_SCALE = 0.4;
const EDGE_LABEL_MIN_SCALE = 0.5;

function rateColor(p: Palette, rate: number | undefined, fallback: string): string {
  if (rate === undefined) {
    return fallback;
  }
  return rate >= ERROR_RATE ? p.error : rate >= WARN_RATE ? p.warning : fallback;
}

function roundRect(ctx: CanvasRenderingContext2D | Path2D, x: number, y: number, w: number, h: number, r: number) {
  ctx.moveTo(x + r, y);
  ctx.arcTo(x + w, y, x + w, y + h, r);
  ctx.arcTo(x + w, y + h, x, y + h, r);
  ctx.arcTo(x, y + h, x, y, r);
  ctx.arcTo(x, y, x + w, y, r);
  ctx.closePath();
}

/** Small vector glyph per kind, drawn in a 20×20 box centred on (cx, cy). */
function drawKindIcon(ctx: CanvasRenderingContext2D, kind: NodeKind, cx: number, cy: number, color: string, bg: string) {
  ctx.save();
  ctx.fillStyle = color;
  ctx.strokeStyle = bg;
  ctx.lineWidth = 1.6;
  ctx.beginPath();
  ctx.arc(cx, cy, 15, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = bg;
  ctx.beginPath();
  switch (kind) {
    case 'user':
      ctx.arc(cx, cy - 4, 4.5, 0, Math.PI * 2);
      ctx.moveTo(cx + 8, cy + 9);
      ctx.arc(cx, cy + 9, 8, 0, Math.PI, true);
      ctx.fill();
      break;
    case 'service':
      // Two stacked server units.
      roundRect(ctx, cx - 8, cy - 8, 16, 7, 1.5);
      roundRect(ctx, cx - 8, cy + 1, 16, 7, 1.5);
      ctx.fill();
      ctx.fillStyle = color;
      ctx.fillRect(cx + 3, cy - 5.5, 2.5, 2);
      ctx.fillRect(cx + 3, cy + 3.5, 2.5, 2);
      break;
    case 'database':
      ctx.ellipse(cx, cy - 6, 7.5, 3, 0, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillRect(cx - 7.5, cy - 6, 15, 12);
      ctx.beginPath();
      ctx.ellipse(cx, cy + 6, 7.5, 3, 0, 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = color;
      ctx.beginPath();
      ctx.ellipse(cx, cy - 6, 7.5, 3, 0, 0, Math.PI);
      ctx.stroke();
      break;
    case 'cache':
      // Lightning bolt.
      ctx.moveTo(cx + 2, cy - 10);
      ctx.lineTo(cx - 6, cy + 1);
      ctx.lineTo(cx - 0.5, cy + 1);
      ctx.lineTo(cx - 2.5, cy + 10);
      ctx.lineTo(cx + 6, cy - 2);
      ctx.lineTo(cx + 0.5, cy - 2);
      ctx.closePath();
      ctx.fill();
      break;
    case 'messaging':
      // Queue: three bars.
      ctx.fillRect(cx - 8, cy - 7, 16, 3.5);
      ctx.fillRect(cx - 8, cy - 1.75, 16, 3.5);
      ctx.fillRect(cx - 8, cy + 3.5, 16, 3.5);
      break;
    case 'external':
      // Globe.
      ctx.strokeStyle = bg;
      ctx.arc(cx, cy, 8, 0, Math.PI * 2);
      ctx.moveTo(cx - 8, cy);
      ctx.lineTo(cx + 8, cy);
      ctx.moveTo(cx, cy - 8);
      ctx.ellipse(cx, cy, 3.5, 8, 0, -Math.PI / 2, Math.PI * 1.5);
      ctx.stroke();
      break;
  }
  ctx.restore();
}

// measureText dominates a zoomed-in frame at 1,000 nodes; labels and fonts repeat every frame, so remember them.
const textCache = new Map<string, string>();
const widthCache = new Map<string, number>();

function remember<T>(cache: Map<string, T>, key: string, compute: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    if (cache.size > 50_000) {
      cache.clear();
    }
    v = compute();
    cache.set(key, v);
  }
  return v;
}

function textWidth(ctx: CanvasRenderingContext2D, text: string): number {
  return remember(widthCache, `${ctx.font}\u0000${text}`, () => ctx.measureText(text).width);
}

function truncate(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  return remember(textCache, `${ctx.font}\u0000${max}\u0000${text}`, () => truncateUncached(ctx, text, max));
}

function truncateUncached(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) {
    return text;
  }
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= max) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return text.slice(0, lo) + '…';
}

function arrowHead(ctx: CanvasRenderingContext2D | Path2D, from: { x: number; y: number }, to: { x: number; y: number }, size: number) {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  ctx.moveTo(to.x, to.y);
  ctx.lineTo(to.x - size * Math.cos(angle - 0.45), to.y - size * Math.sin(angle - 0.45));
  ctx.lineTo(to.x - size * Math.cos(angle + 0.45), to.y - size * Math.sin(angle + 0.45));
  ctx.closePath();
}

interface Visible {
  nodes: SceneNode[];
  edges: SceneEdge[];
}

function visibleItems(scene: Scene, v: Viewport, width: number, height: number): Visible {
  const x0 = -v.tx / v.scale;
  const y0 = -v.ty / v.scale;
  const x1 = x0 + width / v.scale;
  const y1 = y0 + height / v.scale;
  const nodes = scene.nodes.filter((n) => n.box.x + n.box.w >= x0 && n.box.x <= x1 && n.box.y + n.box.h >= y0 - 20 && n.box.y <= y1);
  const edges = scene.edges.filter((e) => {
    let ex0 = Infinity;
    let ex1 = -Infinity;
    let ey0 = Infinity;
    let ey1 = -Infinity;
    for (const p of e.points) {
      ex0 = Math.min(ex0, p.x);
      ex1 = Math.max(ex1, p.x);
      ey0 = Math.min(ey0, p.y);
      ey1 = Math.max(ey1, p.y);
    }
    return ex1 >= x0 && ex0 <= x1 && ey1 >= y0 && ey0 <= y1;
  });
  return { nodes, edges };
}

const ARROW = 7;
/** Arrowheads smaller than this on screen are not drawn (they would be a blur of a pixel). */
const ARROW_MIN_PX = 2;
/** Below this zoom, node cards are plain rectangles drawn in a few batches (level of detail). */
const ROUND_MIN_SCALE = 0.25;

/** A batch is either a reusable Path2D (browsers) or a list of edges replayed into the context (no Path2D). */
type Batch = Path2D | SceneEdge[];

interface EdgeBatch {
  color: string;
  faded: boolean;
  lines: Map<number, Batch>;
  arrows: Batch;
}

function edgeLine(ctx: CanvasRenderingContext2D | Path2D, e: SceneEdge) {
  const pts = e.points;
  ctx.moveTo(pts[0]!.x, pts[0]!.y);
  for (let i = 1; i < pts.length - 1; i++) {
    ctx.lineTo(pts[i]!.x, pts[i]!.y);
  }
  // Stop the line at the arrow's base so the tip stays sharp.
  const a = pts[pts.length - 2]!;
  const b = pts[pts.length - 1]!;
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  ctx.lineTo(b.x - ((b.x - a.x) / len) * ARROW * 0.8, b.y - ((b.y - a.y) / len) * ARROW * 0.8);
}

function edgeArrow(ctx: CanvasRenderingContext2D | Path2D, e: SceneEdge) {
  arrowHead(ctx, e.points[e.points.length - 2]!, e.points[e.points.length - 1]!, ARROW + Math.min(3, e.width));
}

function strokeBatch(ctx: CanvasRenderingContext2D, b: Batch) {
  if (Array.isArray(b)) {
    ctx.beginPath();
    b.forEach((e) => edgeLine(ctx, e));
    ctx.stroke();
  } else {
    ctx.stroke(b);
  }
}

function fillBatch(ctx: CanvasRenderingContext2D, b: Batch) {
  if (Array.isArray(b)) {
    ctx.beginPath();
    b.forEach((e) => edgeArrow(ctx, e));
    ctx.fill();
  } else {
    ctx.fill(b);
  }
}

/**
 * Edge batches for the current scene, selection/hover/highlight and palette. Pan and zoom change none of these,
 * so the batches (and their Path2D geometry, in graph coordinates) are built once and replayed every frame;
 * Path2D covers all edges, off-screen ones included, which the browser clips cheaply.
 */
const batchCache = new WeakMap<Scene, { state: DrawState; palette: Palette; culled: boolean; batches: EdgeBatch[] }>();

function edgeBatches(scene: Scene, state: DrawState, p: Palette, visible: SceneEdge[]): EdgeBatch[] {
  const usePath2D = typeof Path2D !== 'undefined';
  const cached = batchCache.get(scene);
  if (cached && cached.state === state && cached.palette === p && !cached.culled && usePath2D) {
    return cached.batches;
  }
  const dim = state.highlight;
  const sel = state.selected;
  const hov = state.hovered;
  const selectedNode = sel?.type === 'node' ? sel.id : undefined;
  const groups = new Map<string, { color: string; faded: boolean; byWidth: Map<number, SceneEdge[]>; all: SceneEdge[] }>();
  for (const e of usePath2D ? scene.edges : visible) {
    const selected = sel?.type === 'edge' && sel.id === e.id;
    const touchesSelection = selectedNode !== undefined && (e.source === selectedNode || e.target === selectedNode);
    const hovered = hov?.type === 'edge' && hov.id === e.id;
    const color = selected ? p.primary : rateColor(p, e.errorRate, touchesSelection || hovered ? p.primary : p.edge);
    const faded = dim !== undefined && !dim.edges.has(e.id);
    const key = `${color}|${faded ? 1 : 0}`;
    let g = groups.get(key);
    if (!g) {
      g = { color, faded, byWidth: new Map(), all: [] };
      groups.set(key, g);
    }
    // Width varies per edge; integer widths keep the batch count small.
    const w = Math.round(selected ? e.width + 1.5 : e.width);
    const list = g.byWidth.get(w);
    if (list) {
      list.push(e);
    } else {
      g.byWidth.set(w, [e]);
    }
    g.all.push(e);
  }
  const batches: EdgeBatch[] = [];
  for (const g of groups.values()) {
    const lines = new Map<number, Batch>();
    for (const [w, list] of g.byWidth) {
      if (usePath2D) {
        const path = new Path2D();
        list.forEach((e) => edgeLine(path, e));
        lines.set(w, path);
      } else {
        lines.set(w, list);
      }
    }
    let arrows: Batch = g.all;
    if (usePath2D) {
      const path = new Path2D();
      g.all.forEach((e) => edgeArrow(path, e));
      arrows = path;
    }
    batches.push({ color: g.color, faded: g.faded, lines, arrows });
  }
  batchCache.set(scene, { state, palette: p, culled: !usePath2D, batches });
  return batches;
}

/**
 * Zoomed out (no text): cards, borders and kind stripes are drawn in one path per style instead of a few calls
 * per node, which is what a frame of a 1,000-node map costs when everything is on screen.
 */
function drawNodesFar(ctx: CanvasRenderingContext2D, nodes: SceneNode[], v: Viewport, p: Palette, state: DrawState) {
  const round = v.scale >= ROUND_MIN_SCALE;
  const dim = state.highlight;
  const groups = new Map<string, { faded: boolean; border: string; width: number; kind: string; nodes: SceneNode[] }>();
  for (const n of nodes) {
    const faded = dim !== undefined && !dim.nodes.has(n.id);
    const sel = state.selected?.type === 'node' && state.selected.id === n.id;
    const hov = state.hovered?.type === 'node' && state.hovered.id === n.id;
    const border = sel ? p.primary : rateColor(p, n.errorRate, hov ? p.primary : p.cardBorder);
    const width = sel ? 3 : n.errorRate !== undefined && n.errorRate >= WARN_RATE ? 2 : 1;
    const kind = p.kinds[n.kind];
    const key = `${faded ? 1 : 0}|${border}|${width}|${kind}`;
    const g = groups.get(key);
    if (g) {
      g.nodes.push(n);
    } else {
      groups.set(key, { faded, border, width, kind, nodes: [n] });
    }
  }
  for (const g of groups.values()) {
    ctx.globalAlpha = g.faded ? 0.25 : 1;
    ctx.beginPath();
    for (const { box } of g.nodes) {
      if (round) {
        roundRect(ctx, box.x, box.y, box.w, box.h, 8);
      } else {
        ctx.rect(box.x, box.y, box.w, box.h);
      }
    }
    ctx.fillStyle = p.card;
    ctx.fill();
    ctx.lineWidth = g.width;
    ctx.strokeStyle = g.border;
    ctx.stroke();
    // A kind-coloured stripe instead of icon and text.
    ctx.beginPath();
    for (const { box } of g.nodes) {
      ctx.rect(box.x, box.y + 6, 10, box.h - 12);
    }
    ctx.fillStyle = g.kind;
    ctx.fill();
  }
}

/**
 * Draws the scene. Off-screen items are culled, strokes are batched per colour, and text is skipped when zoomed
 * far out, which keeps a frame well under 16 ms at 1,000 nodes / 3,000 links in software rendering.
 */
export function drawScene(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  v: Viewport,
  size: { width: number; height: number; dpr: number },
  p: Palette,
  state: DrawState,
): { drawnNodes: number; drawnEdges: number } {
  const { width, height, dpr } = size;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, height);
  ctx.setTransform(dpr * v.scale, 0, 0, dpr * v.scale, dpr * v.tx, dpr * v.ty);

  const vis = visibleItems(scene, v, width, height);
  const dim = state.highlight;
  const isSel = (type: 'node' | 'edge', id: string) => state.selected?.type === type && state.selected.id === id;
  const isHover = (type: 'node' | 'edge', id: string) => state.hovered?.type === type && state.hovered.id === id;

  // Edges, batched by (colour, dimmed, width): one stroke call per batch, paths kept across frames.
  const arrowsVisible = ARROW * v.scale >= ARROW_MIN_PX;
  for (const b of edgeBatches(scene, state, p, vis.edges)) {
    ctx.globalAlpha = b.faded ? 0.18 : 1;
    ctx.strokeStyle = b.color;
    ctx.fillStyle = b.color;
    for (const [w, path] of b.lines) {
      ctx.lineWidth = w;
      strokeBatch(ctx, path);
    }
    if (arrowsVisible) {
      fillBatch(ctx, b.arrows);
    }
  }
  ctx.globalAlpha = 1;

  const showText = v.scale >= TEXT_MIN_SCALE;
  // Edge labels: pill with the call count, red text when errors cross the threshold.
  if (v.scale >= EDGE_LABEL_MIN_SCALE) {
    ctx.font = `500 11px ${p.fontFamily}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (const e of vis.edges) {
      const faded = dim !== undefined && !dim.edges.has(e.id);
      ctx.globalAlpha = faded ? 0.25 : 1;
      const w = textWidth(ctx, e.label) + 10;
      ctx.fillStyle = p.labelBg;
      ctx.beginPath();
      roundRect(ctx, e.labelAt.x - w / 2, e.labelAt.y - 8, w, 16, 8);
      ctx.fill();
      ctx.strokeStyle = rateColor(p, e.errorRate, p.cardBorder);
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.fillStyle = rateColor(p, e.errorRate, p.text);
      ctx.fillText(e.label, e.labelAt.x, e.labelAt.y + 0.5);
    }
    ctx.globalAlpha = 1;
  }

  if (!showText) {
    drawNodesFar(ctx, vis.nodes, v, p, state);
    ctx.globalAlpha = 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    return { drawnNodes: vis.nodes.length, drawnEdges: vis.edges.length };
  }

  // Nodes.
  for (const n of vis.nodes) {
    const { x, y, w, h } = n.box;
    const faded = dim !== undefined && !dim.nodes.has(n.id);
    ctx.globalAlpha = faded ? 0.25 : 1;
    const sel = isSel('node', n.id);
    const border = sel ? p.primary : rateColor(p, n.errorRate, isHover('node', n.id) ? p.primary : p.cardBorder);
    ctx.beginPath();
    roundRect(ctx, x, y, w, h, 8);
    ctx.fillStyle = p.card;
    ctx.fill();
    ctx.lineWidth = sel ? 3 : n.errorRate !== undefined && n.errorRate >= WARN_RATE ? 2 : 1;
    ctx.strokeStyle = border;
    ctx.stroke();
    drawKindIcon(ctx, n.kind, x + 24, y + h / 2, p.kinds[n.kind], p.card);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillStyle = p.text;
    ctx.font = `600 13px ${p.fontFamily}`;
    const textX = x + 46;
    const maxText = w - 52 - (n.instances !== undefined ? 26 : 0);
    ctx.fillText(truncate(ctx, n.name, maxText), textX, y + 22);
    ctx.font = `11px ${p.fontFamily}`;
    ctx.fillStyle = n.errorRate !== undefined && n.errorRate >= ERROR_RATE ? p.error : p.textWeak;
    ctx.fillText(truncate(ctx, n.sub, w - 52), textX, y + 39);
    if (n.instances !== undefined) {
      // Instance badge (Pinpoint shows the agent count on the node).
      const label = String(n.instances);
      ctx.font = `600 11px ${p.fontFamily}`;
      const bw = Math.max(20, textWidth(ctx, label) + 10);
      ctx.beginPath();
      roundRect(ctx, x + w - bw - 6, y + 6, bw, 16, 8);
      ctx.fillStyle = p.kinds.service;
      ctx.fill();
      ctx.fillStyle = p.card;
      ctx.textAlign = 'center';
      ctx.fillText(label, x + w - bw / 2 - 6, y + 18);
    }
    if (n.errorRate !== undefined && n.errorRate >= WARN_RATE) {
      // Error mark on the corner, like Pinpoint's alert icon.
      ctx.beginPath();
      ctx.arc(x + 4, y + 4, 8, 0, Math.PI * 2);
      ctx.fillStyle = n.errorRate >= ERROR_RATE ? p.error : p.warning;
      ctx.fill();
      ctx.fillStyle = '#fff';
      ctx.font = `700 11px ${p.fontFamily}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('!', x + 4, y + 4.5);
    }
  }
  ctx.globalAlpha = 1;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return { drawnNodes: vis.nodes.length, drawnEdges: vis.edges.length };
}
