import { type Point } from '../layout/types';

/**
 * Where the map's text goes, in screen pixels, so that no text is ever drawn over other text or over a node's
 * glyph. Pinpoint's map beside its scatter stays readable on a small panel because it leaves a label out rather
 * than piling labels up; this does the same: labels are placed by priority (node names, then link counts, then a
 * node's numbers) and a label that would collide is moved along its link, shortened (numbers lose their least
 * important part, never a digit) or left out. Pure, so it is unit-tested without a canvas.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type TextRole = 'name' | 'sub' | 'edge';

/** Text metrics of the canvas's fonts (cached by the caller). */
export interface Measure {
  width(role: TextRole, text: string): number;
  /** `text` cut with "…" to at most `max` px (returned whole when it fits). */
  fit(role: TextRole, text: string, max: number): string;
}

export interface PlacedText {
  /** Node or link id. */
  id: string;
  role: TextRole;
  text: string;
  /** Where the text is anchored: its centre (x) and top (y). */
  x: number;
  y: number;
  /** What it covers on screen, its background pill or halo included. */
  box: Box;
}

/** Line heights (px) of the glyph labels. */
export const NAME_LINE = 13;
export const SUB_LINE = 12;
export const EDGE_PILL_H = 14;
/** Gap between a glyph's rim and its name: clear of the 3 px selection ring by the label margin. */
const NAME_GAP = 4;
/** A name may spread over this many columns' width when nothing is in the way, up to NAME_MAX_PX. */
const NAME_SPREAD = 1.6;
const NAME_MAX_PX = 180;
/** Space kept free around every label (px), so neighbours never touch. */
const MARGIN = 1;
/** Positions along a link tried for its count, middle first (fractions of its on-screen length). */
const EDGE_SLOTS = [0.5, 0.38, 0.62, 0.27, 0.73];

export interface GlyphLabelNode {
  id: string;
  cx: number;
  cy: number;
  name: string;
  /** The node's numbers, parts joined by " · " in order of importance ("18k · ≈ 594 ms · 5.0%"). */
  sub: string;
  /** Instance badge on the glyph's shoulder: text must not cover it either. */
  badge?: Box;
}

export interface GlyphLabelEdge {
  id: string;
  /** The link as drawn on screen (glyph centre to glyph centre). */
  points: Point[];
  label: string;
}

export interface GlyphLabelInput {
  nodes: GlyphLabelNode[];
  edges: GlyphLabelEdge[];
  /** Glyph radius (px). */
  radius: number;
  /** Widest a node's name or numbers may be (px): the room of a layer column. */
  maxWidth: number;
  /** Draw names (and numbers when `sub`); link counts when `edgeLabels`. */
  names: boolean;
  sub: boolean;
  edgeLabels: boolean;
}

/** Boxes already covered, bucketed in a coarse grid so a frame with hundreds of labels stays cheap. */
export class Occupancy {
  private readonly cells = new Map<number, Array<Box & { source: Box }>>();
  constructor(
    private readonly cell = 64,
    /** Kept free around each box (both boxes are grown, so neighbours end up 2 × margin apart). */
    private readonly margin = MARGIN
  ) {}

  private keys(b: Box): number[] {
    const x0 = Math.floor(b.x / this.cell);
    const x1 = Math.floor((b.x + b.w) / this.cell);
    const y0 = Math.floor(b.y / this.cell);
    const y1 = Math.floor((b.y + b.h) / this.cell);
    const keys: number[] = [];
    for (let gx = x0; gx <= x1; gx++) {
      for (let gy = y0; gy <= y1; gy++) {
        // Screen coordinates stay far below 2^15 cells either way: one number per cell.
        keys.push((gx + 32768) * 65536 + (gy + 32768));
      }
    }
    return keys;
  }

  /** Whether `box` would overlap something taken, `except` (a label's own earlier box) aside. */
  hits(box: Box, except?: Box): boolean {
    const b = inflate(box, this.margin);
    for (const k of this.keys(b)) {
      for (const o of this.cells.get(k) ?? []) {
        if (o.source !== except && overlaps(o, b)) {
          return true;
        }
      }
    }
    return false;
  }

  /** `margin` 0 for obstacles that are not text (a glyph): text may touch them, not cover them. */
  add(box: Box, margin = this.margin): void {
    const b = { ...inflate(box, margin), source: box };
    for (const k of this.keys(b)) {
      const list = this.cells.get(k);
      if (list) {
        list.push(b);
      } else {
        this.cells.set(k, [b]);
      }
    }
  }

  /** Adds `b` when it is free; says whether it was. */
  claim(b: Box): boolean {
    if (this.hits(b)) {
      return false;
    }
    this.add(b);
    return true;
  }
}

function inflate(b: Box, by: number): Box {
  return by === 0 ? b : { x: b.x - by, y: b.y - by, w: b.w + 2 * by, h: b.h + 2 * by };
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** The point a fraction `t` along a polyline's length. */
export function pointAlong(points: Point[], t: number): Point {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    total += Math.hypot(points[i]!.x - points[i - 1]!.x, points[i]!.y - points[i - 1]!.y);
  }
  let walked = 0;
  const goal = total * t;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const seg = Math.hypot(b.x - a.x, b.y - a.y);
    if (seg > 0 && walked + seg >= goal) {
      const k = (goal - walked) / seg;
      return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
    }
    walked += seg;
  }
  return points[points.length - 1] ?? { x: 0, y: 0 };
}

/**
 * The longest leading run of " · "-separated parts that fits `max` px: "18k · ≈ 594 ms · 5.0%", then
 * "18k · ≈ 594 ms", then "18k". A number is dropped whole or shown whole, never cut into "≈ 59…".
 */
export function numberVariants(text: string): string[] {
  const parts = text.split(' · ');
  const out: string[] = [];
  for (let k = parts.length; k >= 1; k--) {
    out.push(parts.slice(0, k).join(' · '));
  }
  return out;
}

function centredBox(cx: number, top: number, w: number, h: number, pad: number): Box {
  return { x: cx - w / 2 - pad, y: top, w: w + 2 * pad, h };
}

/**
 * Each link's label at the first free slot along the link; a label of several parts (Compare's "p95 ×10.2 +2.6 s
 * · err +3.5 pt") loses its last parts before it is left out (the tooltip and the details have it whole).
 */
function placeEdgeLabels(taken: Occupancy, edges: GlyphLabelEdge[], measure: Measure, pillH: number): PlacedText[] {
  const placed: PlacedText[] = [];
  for (const e of edges) {
    if (e.points.length < 2 || e.label === '') {
      continue;
    }
    const spot = edgeSpot(taken, e, measure, pillH);
    if (spot) {
      placed.push(spot);
    }
  }
  return placed;
}

function edgeSpot(taken: Occupancy, e: GlyphLabelEdge, measure: Measure, pillH: number): PlacedText | undefined {
  for (const text of numberVariants(e.label)) {
    // Horizontal padding inside the pill grows with its height (the glyph and card pills).
    const w = measure.width('edge', text) + pillH * 0.6;
    for (const t of EDGE_SLOTS) {
      const at = pointAlong(e.points, t);
      const box = { x: at.x - w / 2, y: at.y - pillH / 2, w, h: pillH };
      if (taken.claim(box)) {
        return { id: e.id, role: 'edge', text, x: at.x, y: box.y, box };
      }
    }
  }
  return undefined;
}

/**
 * Cards (graph units): the text inside a card stays in it, so only link counts can collide, with cards or with
 * each other; each goes to the first free slot along its link, or is left out.
 */
export function placeCardEdgeLabels(
  cards: Box[],
  edges: GlyphLabelEdge[],
  measure: Measure,
  pillH: number
): PlacedText[] {
  const taken = new Occupancy(128, 2);
  for (const c of cards) {
    taken.add(c, 0);
  }
  return placeEdgeLabels(taken, edges, measure, pillH);
}

/**
 * Places the glyph mode's text. Glyph discs and instance badges are taken first (text never covers a node), then
 * every node's name (cut with "…" to the column; the tooltip has it whole), then each link's count at the first
 * free slot along it, then each node's numbers in the longest form that is free.
 */
export function placeGlyphLabels(input: GlyphLabelInput, measure: Measure): PlacedText[] {
  const taken = new Occupancy();
  const placed: PlacedText[] = [];
  const r = input.radius;
  for (const n of input.nodes) {
    // The selection ring is 3 px outside the disc.
    taken.add({ x: n.cx - r - 3, y: n.cy - r - 3, w: 2 * r + 6, h: 2 * r + 6 }, 0);
    if (n.badge) {
      taken.add(n.badge, 0);
    }
  }
  if (!input.names) {
    return placed;
  }
  // Names: first each cut to its own column (columns do not overlap, so every node gets one), then widened to
  // the whole name where that covers nothing (the tooltip has it whole either way).
  const names = new Map<string, PlacedText>();
  for (const n of input.nodes) {
    const text = measure.fit('name', n.name, input.maxWidth);
    const top = n.cy + r + NAME_GAP;
    const box = centredBox(n.cx, top, measure.width('name', text), NAME_LINE, 1);
    if (taken.claim(box)) {
      names.set(n.id, { id: n.id, role: 'name', text, x: n.cx, y: top, box });
    }
  }
  for (const n of input.nodes) {
    const narrow = names.get(n.id);
    const text = narrow && measure.fit('name', n.name, Math.min(NAME_MAX_PX, input.maxWidth * NAME_SPREAD));
    if (!narrow || text === undefined || text === narrow.text) {
      continue;
    }
    const box = centredBox(n.cx, narrow.y, measure.width('name', text), NAME_LINE, 1);
    if (!taken.hits(box, narrow.box)) {
      taken.add(box);
      names.set(n.id, { ...narrow, text, box });
    }
  }
  placed.push(...names.values());
  const named = new Set(names.keys());
  if (input.edgeLabels) {
    placed.push(...placeEdgeLabels(taken, input.edges, measure, EDGE_PILL_H));
  }
  if (input.sub) {
    for (const n of input.nodes) {
      if (!named.has(n.id) || n.sub === '') {
        continue;
      }
      // Below the name, clear of it by the label margin.
      const top = n.cy + r + NAME_GAP + NAME_LINE + 2 * MARGIN;
      for (const text of numberVariants(n.sub)) {
        const w = measure.width('sub', text);
        if (w > input.maxWidth) {
          continue;
        }
        const box = centredBox(n.cx, top, w, SUB_LINE, 1);
        if (taken.claim(box)) {
          placed.push({ id: n.id, role: 'sub', text, x: n.cx, y: top, box });
          break;
        }
      }
    }
  }
  return placed;
}
