/** Hit-testing a click and selecting the dots inside a dragged rectangle. */
import { colToXFn, rowToYFn, xToColFn, yToRowFn, type BinGrid, type PlotViewport } from './binning';
import type { ScatterPoints } from './dots';

/** Points grouped by pixel (CSR layout), built once per binning and only when a click needs it. */
export interface PixelIndex {
  /** offsets[key]..offsets[key+1] are the positions in `order` of the points on pixel `key`. */
  offsets: Uint32Array;
  order: Uint32Array;
  width: number;
  height: number;
}

export function buildPixelIndex(grid: BinGrid): PixelIndex {
  const size = grid.width * grid.height;
  const offsets = new Uint32Array(size + 1);
  const keys = grid.keys;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k >= 0) {
      offsets[k + 1]!++;
    }
  }
  for (let k = 0; k < size; k++) {
    offsets[k + 1]! += offsets[k]!;
  }
  const cursor = offsets.slice(0, size);
  const order = new Uint32Array(offsets[size]!);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (k >= 0) {
      order[cursor[k]!++] = i;
    }
  }
  return { offsets, order, width: grid.width, height: grid.height };
}

/**
 * The point nearest to plot pixel (px, py) within `radius` pixels, or -1. Failed dots win ties because they
 * are drawn on top.
 */
export function hitTest(
  index: PixelIndex,
  points: ScatterPoints,
  vp: PlotViewport,
  px: number,
  py: number,
  radius = 4
): number {
  const toCol = xToColFn(vp);
  const toRow = yToRowFn(vp);
  const c0 = Math.max(0, Math.floor(px - radius));
  const c1 = Math.min(index.width - 1, Math.floor(px + radius));
  const r0 = Math.max(0, Math.floor(py - radius));
  const r1 = Math.min(index.height - 1, Math.floor(py + radius));
  let best = -1;
  let bestD = radius * radius + 1e-9;
  let bestFailed = 0;
  for (let row = r0; row <= r1; row++) {
    for (let col = c0; col <= c1; col++) {
      const key = row * index.width + col;
      for (let j = index.offsets[key]!; j < index.offsets[key + 1]!; j++) {
        const i = index.order[j]!;
        const dx = Math.min(toCol(points.x[i]!), index.width - 0.5) - px;
        const dy = Math.min(Math.max(toRow(points.y[i]!), 0), index.height - 0.5) - py;
        const d = dx * dx + dy * dy;
        const f = points.failed[i]!;
        if (d < bestD || (d === bestD && f > bestFailed)) {
          best = i;
          bestD = d;
          bestFailed = f;
        }
      }
    }
  }
  return best;
}

/** A selection in data units: time (epoch ms) × duration (ms). */
export interface DataRect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * Plot-pixel rectangle → data rectangle. A rectangle that touches the top row also takes the dots drawn
 * there because they exceed yMax (y1 = Infinity), so what the user sees is what the list gets.
 */
export function pixelRectToData(
  vp: PlotViewport,
  a: { x: number; y: number },
  b: { x: number; y: number }
): DataRect {
  const toX = colToXFn(vp);
  const toY = rowToYFn(vp);
  const left = Math.max(0, Math.min(a.x, b.x));
  const right = Math.min(vp.width, Math.max(a.x, b.x));
  const top = Math.max(0, Math.min(a.y, b.y));
  const bottom = Math.min(vp.height, Math.max(a.y, b.y));
  return {
    x0: toX(left),
    x1: toX(right),
    y0: bottom >= vp.height ? Math.min(0, vp.yMin) : toY(bottom),
    y1: top <= 0 ? Number.POSITIVE_INFINITY : toY(top),
  };
}

/** Indices of the visible points inside the rectangle (inclusive), in time order of the input. */
export function selectInRect(
  points: ScatterPoints,
  rect: DataRect,
  visible: readonly [boolean, boolean] = [true, true]
): Uint32Array {
  const { x, y, failed, n } = points;
  const out = new Uint32Array(n);
  let m = 0;
  const { x0, x1, y0, y1 } = rect;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi < x0 || xi > x1) {
      continue;
    }
    const yi = y[i]!;
    if (yi < y0 || yi > y1 || !visible[failed[i]!]) {
      continue;
    }
    out[m++] = i;
  }
  return out.slice(0, m);
}
