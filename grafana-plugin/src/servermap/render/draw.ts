import { type Point } from '../layout/types';
import { type NodeKind } from '../model';
import { type Box, type Measure, numberVariants, type PlacedText, placeCardEdgeLabels, placeGlyphLabels, type TextRole } from './labels';
import { type Palette } from './palette';
import { type Group, type PiecedGroup, regroup, regroupInPieces } from './regroup';
import { ERROR_RATE, type Scene, type SceneEdge, type SceneMark, type SceneNode, type Viewport, WARN_RATE } from './scene';

export interface DrawState {
  selected?: { type: 'node' | 'edge'; id: string };
  hovered?: { type: 'node' | 'edge'; id: string };
  /** When set, everything not listed is dimmed (scatter → map brushing). */
  highlight?: { nodes: Set<string>; edges: Set<string> };
}

/**
 * Level of detail is decided by how large text would be on screen, not by a zoom threshold: cards (icon, name,
 * numbers in graph units) only when their 13-unit name is at least this many pixels tall (their 11-unit numbers are
 * then ~10 px; at 9.5 px names they were 8 px, too small to read); otherwise compact glyphs with labels drawn at a
 * fixed screen size, as Pinpoint's map next to its scatter.
 */
export const CARD_MIN_TEXT_PX = 11.5;
const CARD_NAME_UNITS = 13;
/** Glyph labels need at least this much room per layer column (px), else the glyphs go without text. */
const GLYPH_LABEL_MIN_PX = 40;
/** Line height of glyph labels (px). */
const GLYPH_TEXT_PX = 13;
/** Link labels in glyph mode need this much of the gap between layers on screen (px). */
const GLYPH_EDGE_LABEL_MIN_PX = 22;
/** Largest glyph radius (px), on a roomy panel. */
const GLYPH_MAX_RADIUS = 20;
/** Below this glyph radius (px) the map is an overview: plain shapes in a few batches. */
const GLYPH_MIN_RADIUS = 3.5;

export type DetailLevel = 'cards' | 'glyphs' | 'overview';

export interface Pitch {
  /** Distance between layer columns and between neighbouring nodes of a column, graph units. */
  column: number;
  row: number;
  gap: number;
}

/** How the map is drawn at this zoom (see CARD_MIN_TEXT_PX), and the glyph radius on screen. */
export interface Detail {
  level: DetailLevel;
  /** Glyph radius on screen (px). */
  radius: number;
  /** Glyph mode: names below the glyphs, and a second line with the numbers. */
  labels: boolean;
  sub: boolean;
}

export function detailLevel(scale: number, pitch: Pitch): Detail {
  if (CARD_NAME_UNITS * scale >= CARD_MIN_TEXT_PX) {
    return { level: 'cards', radius: 0, labels: true, sub: true };
  }
  const rowPx = pitch.row * scale;
  const columnPx = pitch.column * scale;
  const maxRadius = Math.min(GLYPH_MAX_RADIUS, columnPx * 0.2);
  // A row holds the glyph and two lines below it (name, numbers) when that leaves a glyph of 8 px or more, else
  // the glyph and the name, else the glyph alone.
  const withSub = (rowPx - GLYPH_TEXT_PX * 2 - 6) / 2;
  const withName = (rowPx - GLYPH_TEXT_PX - 4) / 2;
  const labels = columnPx >= GLYPH_LABEL_MIN_PX;
  if (labels && withSub >= 8) {
    return { level: 'glyphs', radius: Math.min(maxRadius, withSub), labels: true, sub: true };
  }
  if (labels && withName >= 6) {
    return { level: 'glyphs', radius: Math.min(maxRadius, withName), labels: true, sub: false };
  }
  const radius = Math.min(maxRadius, rowPx * 0.35);
  return { level: radius < GLYPH_MIN_RADIUS ? 'overview' : 'glyphs', radius, labels: false, sub: false };
}

function rateColor(p: Palette, rate: number | undefined, fallback: string): string {
  if (rate === undefined) {
    return fallback;
  }
  return rate >= ERROR_RATE ? p.error : rate >= WARN_RATE ? p.warning : fallback;
}

/** Compare: new items in the primary colour, gone ones grey, changed ones red (worse) / green (better). */
function markColor(p: Palette, mark: SceneMark, fallback: string): string {
  if (mark.presence === 'new') {
    return p.primary;
  }
  if (mark.presence === 'gone') {
    return p.textWeak;
  }
  return mark.tone === 'worse' ? p.error : mark.tone === 'better' ? p.success : mark.tone === 'mixed' ? p.warning : fallback;
}

/** A link's colour: its change while comparing, else its error rate. */
function edgeColor(p: Palette, e: SceneEdge, fallback: string): string {
  return e.mark ? markColor(p, e.mark, fallback) : rateColor(p, e.errorRate, fallback);
}

/** A node's border: its change while comparing, else its error rate. */
function nodeColor(p: Palette, n: SceneNode, fallback: string): string {
  return n.mark ? markColor(p, n.mark, fallback) : rateColor(p, n.errorRate, fallback);
}

/** Unchanged links recede while comparing, so the changed ones stand out. */
function markAlpha(mark: SceneMark | undefined): number {
  return mark && mark.presence === 'both' && mark.tone === 'neutral' ? 0.45 : 1;
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

/**
 * A triangle subpath, only ever filled: fill() closes every subpath itself, so no closePath. In Chromium a
 * closePath on a Path2D grows with the subpaths already in it (a CPU profile of Compare toggles at 1,000 nodes spent
 * ~100 ms per toggle there while building the arrow batch).
 */
function arrowHead(ctx: CanvasRenderingContext2D | Path2D, from: { x: number; y: number }, to: { x: number; y: number }, size: number) {
  const angle = Math.atan2(to.y - from.y, to.x - from.x);
  ctx.moveTo(to.x, to.y);
  ctx.lineTo(to.x - size * Math.cos(angle - 0.45), to.y - size * Math.sin(angle - 0.45));
  ctx.lineTo(to.x - size * Math.cos(angle + 0.45), to.y - size * Math.sin(angle + 0.45));
}

interface Visible {
  nodes: SceneNode[];
  edges: SceneEdge[];
}

/** Each link's bounding box (x0, y0, x1, y1), and all links' together, per item array (kept across a refresh). */
interface EdgeExtents {
  boxes: Float64Array;
  all: { x0: number; y0: number; x1: number; y1: number };
}

const extentsByEdges = new WeakMap<readonly SceneEdge[], EdgeExtents>();

function edgeExtents(edges: readonly SceneEdge[]): EdgeExtents {
  let kept = extentsByEdges.get(edges);
  if (!kept) {
    const boxes = new Float64Array(edges.length * 4);
    const all = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    edges.forEach((e, i) => {
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
      boxes.set([ex0, ey0, ex1, ey1], i * 4);
      all.x0 = Math.min(all.x0, ex0);
      all.y0 = Math.min(all.y0, ey0);
      all.x1 = Math.max(all.x1, ex1);
      all.y1 = Math.max(all.y1, ey1);
    });
    kept = { boxes, all };
    extentsByEdges.set(edges, kept);
  }
  return kept;
}

function visibleItems(scene: Scene, v: Viewport, width: number, height: number): Visible {
  const x0 = -v.tx / v.scale;
  const y0 = -v.ty / v.scale;
  const x1 = x0 + width / v.scale;
  const y1 = y0 + height / v.scale;
  const { boxes, all } = edgeExtents(scene.edges);
  const b = scene.bounds;
  // The whole map in view (a fitted map, what every refresh of an untouched view draws): nothing to cull.
  if (b.x >= x0 && b.x + b.w <= x1 && b.y >= y0 && b.y + b.h <= y1 && all.x0 >= x0 && all.x1 <= x1 && all.y0 >= y0 && all.y1 <= y1) {
    return { nodes: scene.nodes, edges: scene.edges };
  }
  const nodes = scene.nodes.filter((n) => n.box.x + n.box.w >= x0 && n.box.x <= x1 && n.box.y + n.box.h >= y0 - 20 && n.box.y <= y1);
  const edges = scene.edges.filter((_, i) => boxes[i * 4 + 2]! >= x0 && boxes[i * 4]! <= x1 && boxes[i * 4 + 3]! >= y0 && boxes[i * 4 + 1]! <= y1);
  return { nodes, edges };
}

const ARROW = 7;
/** Arrowheads smaller than this on screen are not drawn (they would be a blur of a pixel). */
const ARROW_MIN_PX = 2;
/** Below this zoom, node cards are plain rectangles drawn in a few batches (level of detail). */
const ROUND_MIN_SCALE = 0.25;

/** A batch is either a reusable Path2D (browsers) or a list of edges replayed into the context (no Path2D). */
type Batch = Path2D | SceneEdge[];

/** Links drawn alike: one colour, fading, dash, alpha and (integer) line width. */
interface EdgeStyle {
  color: string;
  faded: boolean;
  /** Compare: gone links are dashed; alpha below 1 for unchanged ones. */
  dashed: boolean;
  alpha: number;
  width: number;
}

interface EdgeBatch extends EdgeStyle {
  lines: Batch;
  /** Built when first filled: the overview zoom draws no arrowheads. */
  arrows: Batch | (() => Path2D);
  edges: SceneEdge[];
}

function edgeLine(ctx: CanvasRenderingContext2D | Path2D, e: SceneEdge, centres: boolean) {
  const pts = e.points;
  if (centres && e.sourceCentre && e.targetCentre) {
    // Glyph mode: links run between glyph centres (the glyphs are drawn over their ends).
    ctx.moveTo(e.sourceCentre.x, e.sourceCentre.y);
    for (let i = 1; i < pts.length - 1; i++) {
      ctx.lineTo(pts[i]!.x, pts[i]!.y);
    }
    ctx.lineTo(e.targetCentre.x, e.targetCentre.y);
    return;
  }
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

/** Glyph mode arrowhead: its tip on the target glyph's rim, whose radius (graph units) changes with the zoom. */
function glyphArrow(ctx: CanvasRenderingContext2D, e: SceneEdge, rimUnits: number, size: number) {
  const pts = e.points;
  const to = e.targetCentre ?? pts[pts.length - 1]!;
  const from = pts.length > 2 ? pts[pts.length - 2]! : (e.sourceCentre ?? pts[0]!);
  const len = Math.hypot(to.x - from.x, to.y - from.y);
  if (len <= rimUnits) {
    return;
  }
  const tip = { x: to.x - ((to.x - from.x) / len) * rimUnits, y: to.y - ((to.y - from.y) / len) * rimUnits };
  arrowHead(ctx, from, tip, size);
}

/** A link's arrowhead, sized by its batch's line width (so one batch's arrows are one path). */
function edgeArrow(ctx: CanvasRenderingContext2D | Path2D, e: SceneEdge, width: number) {
  arrowHead(ctx, e.points[e.points.length - 2]!, e.points[e.points.length - 1]!, ARROW + Math.min(3, width));
}

function strokeBatch(ctx: CanvasRenderingContext2D, b: Batch, centres: boolean) {
  if (Array.isArray(b)) {
    ctx.beginPath();
    b.forEach((e) => edgeLine(ctx, e, centres));
    ctx.stroke();
  } else {
    ctx.stroke(b);
  }
}

function fillBatch(ctx: CanvasRenderingContext2D, b: EdgeBatch['arrows'], width: number) {
  if (typeof b === 'function') {
    ctx.fill(b());
  } else if (Array.isArray(b)) {
    ctx.beginPath();
    b.forEach((e) => edgeArrow(ctx, e, width));
    ctx.fill();
  } else {
    ctx.fill(b);
  }
}

function pathOf<T>(items: readonly T[], add: (path: Path2D, item: T) => void): Path2D {
  const path = new Path2D();
  for (const item of items) {
    add(path, item);
  }
  return path;
}

/** One path of `paths`' shapes, in order (a single path is itself). */
function joinPaths(paths: readonly Path2D[]): Path2D {
  if (paths.length === 1) {
    return paths[0]!;
  }
  const path = new Path2D();
  for (const piece of paths) {
    path.addPath(piece);
  }
  return path;
}

/**
 * Links per piece of an edge batch's paths (by place in the scene's links): a refresh whose numbers move a few
 * links to another width class rebuilds the pieces those links left and joined, not their whole batches.
 */
const EDGE_PIECE_LINKS = 64;

interface EdgePaths {
  lines: Path2D;
  arrows: () => Path2D;
}

/** `make()`, run when first asked for and kept. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * Edge batches for the current scene, selection/hover/highlight and palette. Pan and zoom change none of these,
 * so the batches (and their Path2D geometry, in graph coordinates) are built once and replayed every frame;
 * Path2D covers all edges, off-screen ones included, which the browser clips cheaply. Kept per item array, which
 * a same-topology refresh keeps (refreshSceneInPlace): a new scene or state then rebuilds only the pieces of the
 * batches whose links changed (regroupInPieces), since a link's geometry never changes in its item.
 */
interface EdgeBatchCache {
  scene: Scene;
  state: DrawState;
  palette: Palette;
  centres: boolean;
  groups: Map<number, PiecedGroup<SceneEdge, EdgePaths, EdgePaths>>;
  batches: EdgeBatch[];
}

/**
 * A small number per colour string (the palette's few colours), for style keys: a key made of numbers is found in
 * a Map without building and hashing a string per link on every refresh.
 */
const colourIds = new Map<string, number>();
/** Ids stay below this within one drawing call (a call adds at most its palette's few colours). */
const COLOUR_ID_BOUND = 8192;

/** Called before a drawing call makes its keys: ids are stable within the call and stay below COLOUR_ID_BOUND. */
function boundColourIds(): void {
  if (colourIds.size > COLOUR_ID_BOUND / 2) {
    colourIds.clear();
  }
}

function colourId(colour: string): number {
  let id = colourIds.get(colour);
  if (id === undefined) {
    id = colourIds.size;
    colourIds.set(colour, id);
  }
  return id;
}

const batchCache = new WeakMap<readonly SceneEdge[], EdgeBatchCache>();

function edgeBatches(scene: Scene, state: DrawState, p: Palette, visible: SceneEdge[], centres: boolean): EdgeBatch[] {
  const usePath2D = typeof Path2D !== 'undefined';
  const cached = usePath2D ? batchCache.get(scene.edges) : undefined;
  if (cached && cached.scene === scene && cached.state === state && cached.palette === p && cached.centres === centres) {
    return cached.batches;
  }
  const dim = state.highlight;
  const sel = state.selected;
  const hov = state.hovered;
  const selectedNode = sel?.type === 'node' ? sel.id : undefined;
  const styles = new Map<number, EdgeStyle>();
  boundColourIds();
  const styleKey = (e: SceneEdge): number => {
    const selected = sel?.type === 'edge' && sel.id === e.id;
    const touchesSelection = selectedNode !== undefined && (e.source === selectedNode || e.target === selectedNode);
    const hovered = hov?.type === 'edge' && hov.id === e.id;
    const color = selected ? p.primary : edgeColor(p, e, touchesSelection || hovered ? p.primary : p.edge);
    const faded = dim !== undefined && !dim.edges.has(e.id);
    const dashed = e.mark?.presence === 'gone';
    const alpha = selected || hovered ? 1 : markAlpha(e.mark);
    // Width varies per edge; integer widths keep the batch count small.
    const width = Math.round(selected ? e.width + 1.5 : e.width);
    // Alpha is 1 or markAlpha's one lower value; widths are 1-7.
    const key = (((colourId(color) * 2 + (faded ? 1 : 0)) * 2 + (dashed ? 1 : 0)) * 2 + (alpha === 1 ? 1 : 0)) * 16 + width;
    if (!styles.has(key)) {
      styles.set(key, { color, faded, dashed, alpha, width });
    }
    return key;
  };
  if (!usePath2D) {
    // No Path2D (test environments): the visible links replayed into the context every frame.
    const groups = regroup(visible, styleKey, (members) => members);
    return [...groups].map(([key, g]) => ({ ...styles.get(key)!, lines: g.members, arrows: g.members, edges: g.members }));
  }
  const groups = regroupInPieces(
    scene.edges,
    styleKey,
    EDGE_PIECE_LINKS,
    (members, key): EdgePaths => {
      const width = styles.get(key)!.width;
      return { lines: pathOf(members, (path, e) => edgeLine(path, e, centres)), arrows: once(() => pathOf(members, (path, e) => edgeArrow(path, e, width))) };
    },
    (pieces): EdgePaths => ({ lines: joinPaths(pieces.map((p) => p.lines)), arrows: once(() => joinPaths(pieces.map((p) => p.arrows()))) }),
    cached?.centres === centres ? cached.groups : undefined
  );
  const batches = [...groups].map(([key, g]) => ({ ...styles.get(key)!, lines: g.built.lines, arrows: g.built.arrows, edges: g.members }));
  batchCache.set(scene.edges, { scene, state, palette: p, centres, groups, batches });
  return batches;
}

/** Zoomed-out nodes drawn alike: fading, border colour and width, kind stripe colour. */
interface FarNodeStyle {
  faded: boolean;
  border: string;
  width: number;
  kind: string;
}

interface FarNodeCache {
  scene: Scene;
  state: DrawState;
  palette: Palette;
  round: boolean;
  groups: Map<number, Group<SceneNode, { cards: Path2D; stripes: Path2D }>>;
  styles: Map<number, FarNodeStyle>;
}

/** As batchCache, for the zoomed-out nodes' paths (rounded cards are ~2 ms of arcs at 1,000 nodes). */
const farNodeCache = new WeakMap<readonly SceneNode[], FarNodeCache>();

function cardPath(path: CanvasRenderingContext2D | Path2D, box: SceneNode['box'], round: boolean) {
  if (round) {
    roundRect(path, box.x, box.y, box.w, box.h, 8);
  } else {
    path.rect(box.x, box.y, box.w, box.h);
  }
}

/** A kind-coloured stripe instead of icon and text. */
function stripePath(path: CanvasRenderingContext2D | Path2D, box: SceneNode['box']) {
  path.rect(box.x, box.y + 6, 10, box.h - 12);
}

/**
 * Zoomed out (no text): cards, borders and kind stripes are drawn in one path per style instead of a few calls
 * per node, which is what a frame of a 1,000-node map costs when everything is on screen. With Path2D, the paths
 * cover every node (kept across frames and refreshes, see farNodeCache); without, the visible ones are replayed.
 */
function drawNodesFar(ctx: CanvasRenderingContext2D, scene: Scene, visible: SceneNode[], v: Viewport, p: Palette, state: DrawState) {
  const round = v.scale >= ROUND_MIN_SCALE;
  const usePath2D = typeof Path2D !== 'undefined';
  const cached = usePath2D ? farNodeCache.get(scene.nodes) : undefined;
  let groups: Map<number, Group<SceneNode, { cards: Path2D; stripes: Path2D } | undefined>>;
  let styles: Map<number, FarNodeStyle>;
  if (cached && cached.scene === scene && cached.state === state && cached.palette === p && cached.round === round) {
    ({ groups, styles } = cached);
  } else {
    const dim = state.highlight;
    styles = new Map();
    boundColourIds();
    const styleKey = (n: SceneNode): number => {
      const faded = dim !== undefined && !dim.nodes.has(n.id);
      const sel = state.selected?.type === 'node' && state.selected.id === n.id;
      const hov = state.hovered?.type === 'node' && state.hovered.id === n.id;
      const border = sel ? p.primary : nodeColor(p, n, hov ? p.primary : p.cardBorder);
      const width = sel ? 3 : (n.errorRate !== undefined && n.errorRate >= WARN_RATE) || (n.mark && markAlpha(n.mark) === 1) ? 2 : 1;
      const kind = p.kinds[n.kind];
      // Border widths are 1-3.
      const key = ((colourId(border) * 2 + (faded ? 1 : 0)) * 4 + width) * COLOUR_ID_BOUND + colourId(kind);
      if (!styles.has(key)) {
        styles.set(key, { faded, border, width, kind });
      }
      return key;
    };
    if (usePath2D) {
      const built = regroup(
        scene.nodes,
        styleKey,
        (members) => ({ cards: pathOf(members, (path, n) => cardPath(path, n.box, round)), stripes: pathOf(members, (path, n) => stripePath(path, n.box)) }),
        cached?.round === round ? cached.groups : undefined
      );
      farNodeCache.set(scene.nodes, { scene, state, palette: p, round, groups: built, styles });
      groups = built;
    } else {
      groups = regroup(visible, styleKey, () => undefined);
    }
  }
  for (const [key, g] of groups) {
    const style = styles.get(key)!;
    ctx.globalAlpha = style.faded ? 0.25 : 1;
    ctx.fillStyle = p.card;
    ctx.lineWidth = style.width;
    ctx.strokeStyle = style.border;
    if (g.built) {
      ctx.fill(g.built.cards);
      ctx.stroke(g.built.cards);
      ctx.fillStyle = style.kind;
      ctx.fill(g.built.stripes);
      continue;
    }
    ctx.beginPath();
    g.members.forEach((n) => cardPath(ctx, n.box, round));
    ctx.fill();
    ctx.stroke();
    ctx.beginPath();
    g.members.forEach((n) => stripePath(ctx, n.box));
    ctx.fillStyle = style.kind;
    ctx.fill();
  }
}

/** Fonts of the glyph mode's screen-size text. */
function glyphFont(p: Palette, role: TextRole): string {
  return role === 'name' ? `600 11px ${p.fontFamily}` : role === 'sub' ? `10px ${p.fontFamily}` : `500 10px ${p.fontFamily}`;
}

/** Text metrics through the caches above, for label placement (fonts per role). */
function canvasMeasure(ctx: CanvasRenderingContext2D, font: (role: TextRole) => string): Measure {
  return {
    width: (role, text) => {
      ctx.font = font(role);
      return textWidth(ctx, text);
    },
    fit: (role, text, max) => {
      ctx.font = font(role);
      return truncate(ctx, text, max);
    },
  };
}

/** A node's glyph centre on screen (CSS px). */
function glyphCentre(n: SceneNode, v: Viewport): Point {
  return { x: (n.box.x + n.box.w / 2) * v.scale + v.tx, y: (n.box.y + n.box.h / 2) * v.scale + v.ty };
}

/** The instance badge on a glyph's shoulder (CSS px), as Pinpoint shows the agent count. */
function glyphBadge(ctx: CanvasRenderingContext2D, n: SceneNode, c: Point, r: number, p: Palette): Box | undefined {
  if (n.instances === undefined || r < 8) {
    return undefined;
  }
  ctx.font = `600 10px ${p.fontFamily}`;
  const w = Math.max(14, textWidth(ctx, String(n.instances)) + 6);
  return { x: c.x + r * 0.55, y: c.y - r - 3, w, h: 13 };
}

/**
 * Compact glyphs (Pinpoint's map beside its scatter): a kind-coloured disc with its icon and instance badge.
 * Drawn in screen space, so they keep their size however far the map is zoomed out.
 */
function drawGlyphs(ctx: CanvasRenderingContext2D, nodes: SceneNode[], v: Viewport, p: Palette, state: DrawState, r: number): Map<string, Box> {
  const dim = state.highlight;
  const badges = new Map<string, Box>();
  for (const n of nodes) {
    const c = glyphCentre(n, v);
    ctx.globalAlpha = dim !== undefined && !dim.nodes.has(n.id) ? 0.25 : 1;
    const sel = state.selected?.type === 'node' && state.selected.id === n.id;
    const hov = state.hovered?.type === 'node' && state.hovered.id === n.id;
    const ring = sel ? p.primary : nodeColor(p, n, hov ? p.primary : '');
    if (ring) {
      ctx.beginPath();
      ctx.arc(c.x, c.y, r + (sel ? 3 : 2.5), 0, Math.PI * 2);
      ctx.fillStyle = ring;
      ctx.fill();
    }
    if (r >= 8) {
      ctx.save();
      ctx.translate(c.x, c.y);
      ctx.scale(r / 15, r / 15);
      drawKindIcon(ctx, n.kind, 0, 0, p.kinds[n.kind], p.background);
      ctx.restore();
    } else {
      ctx.beginPath();
      ctx.arc(c.x, c.y, r, 0, Math.PI * 2);
      ctx.fillStyle = p.kinds[n.kind];
      ctx.fill();
    }
    const badge = glyphBadge(ctx, n, c, r, p);
    if (badge) {
      badges.set(n.id, badge);
      ctx.beginPath();
      roundRect(ctx, badge.x, badge.y, badge.w, badge.h, 6.5);
      ctx.fillStyle = p.kinds.service;
      ctx.fill();
      ctx.strokeStyle = p.background;
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.fillStyle = p.background;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(String(n.instances), badge.x + badge.w / 2, badge.y + 7);
    }
  }
  ctx.globalAlpha = 1;
  return badges;
}

/** A link on screen as glyph mode draws it: glyph centre to glyph centre through its bends. */
function glyphEdgePoints(e: SceneEdge, v: Viewport): Point[] {
  const pts = e.points;
  const at = (q: Point) => ({ x: q.x * v.scale + v.tx, y: q.y * v.scale + v.ty });
  const out = [at(e.sourceCentre ?? pts[0]!)];
  for (let i = 1; i < pts.length - 1; i++) {
    out.push(at(pts[i]!));
  }
  out.push(at(e.targetCentre ?? pts[pts.length - 1]!));
  return out;
}

/**
 * Glyph mode's text, placed so that nothing overlaps (render/labels.ts): names and numbers under the glyphs with a
 * halo in the background colour (links running behind them do not strike the text through), link counts in pills.
 */
function drawGlyphLabels(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  vis: Visible,
  v: Viewport,
  p: Palette,
  state: DrawState,
  lod: Detail,
  badges: Map<string, Box>,
  edgeLabels: boolean,
): PlacedText[] {
  const columnPx = scene.pitch.column * v.scale;
  const texts = placeGlyphLabels(
    {
      nodes: vis.nodes.map((n) => {
        const c = glyphCentre(n, v);
        return { id: n.id, cx: c.x, cy: c.y, name: n.name, sub: n.subShort, badge: badges.get(n.id) };
      }),
      edges: edgeLabels ? vis.edges.map((e) => ({ id: e.id, points: glyphEdgePoints(e, v), label: e.label })) : [],
      radius: lod.radius,
      maxWidth: Math.min(180, columnPx - 8),
      names: lod.labels,
      sub: lod.sub,
      edgeLabels,
    },
    canvasMeasure(ctx, (role) => glyphFont(p, role)),
  );
  const dim = state.highlight;
  const nodes = new Map(vis.nodes.map((n) => [n.id, n]));
  const edges = new Map(vis.edges.map((e) => [e.id, e]));
  ctx.lineJoin = 'round';
  for (const t of texts) {
    ctx.font = glyphFont(p, t.role);
    ctx.textAlign = 'center';
    if (t.role === 'edge') {
      const e = edges.get(t.id)!;
      ctx.globalAlpha = (dim !== undefined && !dim.edges.has(e.id) ? 0.25 : 1) * markAlpha(e.mark);
      ctx.beginPath();
      roundRect(ctx, t.box.x, t.box.y, t.box.w, t.box.h, t.box.h / 2);
      ctx.fillStyle = p.labelBg;
      ctx.fill();
      ctx.strokeStyle = edgeColor(p, e, p.cardBorder);
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.fillStyle = edgeTextColor(p, e);
      ctx.textBaseline = 'middle';
      ctx.fillText(t.text, t.x, t.box.y + t.box.h / 2 + 0.5);
      continue;
    }
    const n = nodes.get(t.id)!;
    ctx.globalAlpha = dim !== undefined && !dim.nodes.has(n.id) ? 0.25 : 1;
    ctx.textBaseline = 'top';
    ctx.strokeStyle = p.background;
    ctx.lineWidth = 3;
    ctx.strokeText(t.text, t.x, t.y);
    ctx.fillStyle = t.role === 'name' ? p.text : n.errorRate !== undefined && n.errorRate >= ERROR_RATE ? p.errorText : p.textWeak;
    ctx.fillText(t.text, t.x, t.y);
  }
  ctx.globalAlpha = 1;
  return texts;
}

/** "NEW" / "GONE" on a compared node card's bottom-right corner (right-aligned at x, bottom at y). */
function drawPresenceBadge(ctx: CanvasRenderingContext2D, mark: SceneMark, x: number, y: number, p: Palette) {
  const text = mark.presence === 'new' ? 'NEW' : 'GONE';
  ctx.font = `700 9px ${p.fontFamily}`;
  const bw = textWidth(ctx, text) + 8;
  ctx.beginPath();
  roundRect(ctx, x - bw, y - 12, bw, 12, 6);
  ctx.fillStyle = markColor(p, mark, p.textWeak);
  ctx.fill();
  ctx.fillStyle = p.card;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, x - bw / 2, y - 5.5);
}

export interface DrawnFrame {
  drawnNodes: number;
  drawnEdges: number;
  level: DetailLevel;
  labels: boolean;
  /** The text drawn and the box it covers, in CSS px of the canvas (tests check that none overlap). */
  texts: PlacedText[];
}

const CARD_EDGE_FONT = (p: Palette) => `500 11px ${p.fontFamily}`;

function toScreenBox(b: Box, v: Viewport): Box {
  return { x: b.x * v.scale + v.tx, y: b.y * v.scale + v.ty, w: b.w * v.scale, h: b.h * v.scale };
}

/** A link label's text: its change or error colour, readable on the pill (the theme's text shade of it). */
function edgeTextColor(p: Palette, e: SceneEdge): string {
  const c = edgeColor(p, e, p.text);
  return c === p.error ? p.errorText : c;
}

/**
 * Draws the scene. Off-screen items are culled, strokes are batched per colour, and the level of detail follows
 * the on-screen text size (cards, glyphs with screen-size labels, or an overview), which keeps a frame well
 * under 16 ms at 1,000 nodes / 3,000 links in software rendering.
 */
export function drawScene(
  ctx: CanvasRenderingContext2D,
  scene: Scene,
  v: Viewport,
  size: { width: number; height: number; dpr: number },
  p: Palette,
  state: DrawState,
): DrawnFrame {
  const { width, height, dpr } = size;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = p.background;
  ctx.fillRect(0, 0, width, height);
  ctx.setTransform(dpr * v.scale, 0, 0, dpr * v.scale, dpr * v.tx, dpr * v.ty);

  const vis = visibleItems(scene, v, width, height);
  const dim = state.highlight;
  const isSel = (type: 'node' | 'edge', id: string) => state.selected?.type === type && state.selected.id === id;
  const isHover = (type: 'node' | 'edge', id: string) => state.hovered?.type === type && state.hovered.id === id;
  const lod = detailLevel(v.scale, scene.pitch);
  const glyphs = lod.level === 'glyphs';

  // Edges, batched by (colour, dimmed, width): one stroke call per batch, paths kept across frames.
  const arrowsVisible = ARROW * v.scale >= ARROW_MIN_PX;
  const visibleEdges = glyphs ? new Set(vis.edges) : undefined;
  for (const b of edgeBatches(scene, state, p, vis.edges, glyphs)) {
    ctx.globalAlpha = (b.faded ? 0.18 : 1) * b.alpha;
    ctx.strokeStyle = b.color;
    ctx.fillStyle = b.color;
    if (b.dashed) {
      ctx.setLineDash([6 / Math.max(v.scale, 0.05), 4 / Math.max(v.scale, 0.05)]);
    }
    // Glyph mode keeps links at least a pixel wide on screen.
    ctx.lineWidth = glyphs ? Math.max(b.width, 1 / v.scale) : b.width;
    strokeBatch(ctx, b.lines, glyphs);
    if (b.dashed) {
      ctx.setLineDash([]);
    }
    if (glyphs) {
      // Arrow tips sit on the glyph's rim, whose size in graph units depends on the zoom: built per frame.
      ctx.beginPath();
      for (const e of b.edges) {
        if (visibleEdges!.has(e)) {
          glyphArrow(ctx, e, (lod.radius + 1.5) / v.scale, 7 / v.scale);
        }
      }
      ctx.fill();
    } else if (arrowsVisible) {
      fillBatch(ctx, b.arrows, b.width);
    }
  }
  ctx.globalAlpha = 1;

  if (glyphs) {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const badges = drawGlyphs(ctx, vis.nodes, v, p, state, lod.radius);
    const edgeLabels = scene.pitch.gap * v.scale >= GLYPH_EDGE_LABEL_MIN_PX;
    const texts = drawGlyphLabels(ctx, scene, vis, v, p, state, lod, badges, edgeLabels);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    return { drawnNodes: vis.nodes.length, drawnEdges: vis.edges.length, level: lod.level, labels: lod.labels, texts };
  }

  if (lod.level !== 'cards') {
    drawNodesFar(ctx, scene, vis.nodes, v, p, state);
    ctx.globalAlpha = 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    return { drawnNodes: vis.nodes.length, drawnEdges: vis.edges.length, level: lod.level, labels: lod.labels, texts: [] };
  }

  // Link labels: a pill with the call count (red text when errors cross the threshold), placed where it covers
  // no card and no other pill (render/labels.ts).
  const pills = placeCardEdgeLabels(
    vis.nodes.map((n) => ({ x: n.box.x - 2, y: n.box.y - 2, w: n.box.w + 4, h: n.box.h + 4 })),
    vis.edges.map((e) => ({ id: e.id, points: e.points, label: e.label })),
    canvasMeasure(ctx, () => CARD_EDGE_FONT(p)),
    16,
  );
  const edgesById = new Map(vis.edges.map((e) => [e.id, e]));
  ctx.font = CARD_EDGE_FONT(p);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (const t of pills) {
    const e = edgesById.get(t.id)!;
    const faded = dim !== undefined && !dim.edges.has(e.id);
    ctx.globalAlpha = (faded ? 0.25 : 1) * markAlpha(e.mark);
    ctx.fillStyle = p.labelBg;
    ctx.beginPath();
    roundRect(ctx, t.box.x, t.box.y, t.box.w, t.box.h, 8);
    ctx.fill();
    ctx.strokeStyle = edgeColor(p, e, p.cardBorder);
    ctx.lineWidth = e.mark && markAlpha(e.mark) === 1 ? 1.5 : 1;
    ctx.stroke();
    ctx.fillStyle = edgeTextColor(p, e);
    ctx.fillText(t.text, t.x, t.box.y + t.box.h / 2 + 0.5);
  }
  ctx.globalAlpha = 1;
  const texts: PlacedText[] = pills.map((t) => ({ ...t, box: toScreenBox(t.box, v) }));

  // Nodes.
  for (const n of vis.nodes) {
    const { x, y, w, h } = n.box;
    const faded = dim !== undefined && !dim.nodes.has(n.id);
    ctx.globalAlpha = faded ? 0.25 : 1;
    const sel = isSel('node', n.id);
    const border = sel ? p.primary : nodeColor(p, n, isHover('node', n.id) ? p.primary : p.cardBorder);
    ctx.beginPath();
    roundRect(ctx, x, y, w, h, 8);
    ctx.fillStyle = p.card;
    ctx.fill();
    ctx.lineWidth = sel ? 3 : (n.errorRate !== undefined && n.errorRate >= WARN_RATE) || (n.mark && markAlpha(n.mark) === 1) ? 2 : 1;
    ctx.strokeStyle = border;
    if (n.mark?.presence === 'gone') {
      ctx.setLineDash([5, 3]);
    }
    ctx.stroke();
    ctx.setLineDash([]);
    drawKindIcon(ctx, n.kind, x + 24, y + h / 2, p.kinds[n.kind], p.card);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillStyle = p.text;
    ctx.font = `600 13px ${p.fontFamily}`;
    const textX = x + 46;
    const maxText = w - 52 - (n.instances !== undefined ? 26 : 0);
    const name = truncate(ctx, n.name, maxText);
    ctx.fillText(name, textX, y + 22);
    texts.push({ id: n.id, role: 'name', text: name, x: textX, y: y + 10, box: toScreenBox({ x: textX, y: y + 10, w: textWidth(ctx, name), h: 15 }, v) });
    ctx.font = `11px ${p.fontFamily}`;
    ctx.fillStyle = n.errorRate !== undefined && n.errorRate >= ERROR_RATE ? p.errorText : p.textWeak;
    // The numbers lose their last part when the card is too narrow for them all; a number is never cut.
    const sub = numberVariants(n.sub).find((t) => textWidth(ctx, t) <= w - 52);
    if (sub) {
      ctx.fillText(sub, textX, y + 39);
      texts.push({ id: n.id, role: 'sub', text: sub, x: textX, y: y + 29, box: toScreenBox({ x: textX, y: y + 29, w: textWidth(ctx, sub), h: 13 }, v) });
    }
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
    if (n.mark && n.mark.presence !== 'both') {
      drawPresenceBadge(ctx, n.mark, x + w - 6, y + h - 6, p);
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
  return { drawnNodes: vis.nodes.length, drawnEdges: vis.edges.length, level: lod.level, labels: lod.labels, texts };
}
