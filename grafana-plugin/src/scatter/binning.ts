/**
 * Pixel binning (Pinpoint's xGroupUnit/yGroupUnit, Scouter's occupancy map): every dot is reduced to the
 * plot pixel it lands on, and each occupied pixel is painted once. Drawing cost is then bounded by the plot
 * area, not by the number of transactions, which is what lets a million dots draw in a few frames.
 */
import type { ScatterPoints } from './dots';
import type { YScaleType } from './scales';

export const SERIES_OK = 0;
export const SERIES_FAILED = 1;

export interface PlotViewport {
  /** Plot area size in device pixels (integers). */
  width: number;
  height: number;
  /** Time domain, epoch ms. */
  xMin: number;
  xMax: number;
  /** Duration domain, ms. Dots above yMax are drawn on the top row, like Pinpoint. */
  yMin: number;
  yMax: number;
  yScale: YScaleType;
}

export interface BinGrid {
  width: number;
  height: number;
  /** counts[series][row * width + col]. */
  counts: [Uint32Array, Uint32Array];
  /** Pixel key per point (row * width + col), -1 when outside the time range or hidden. */
  keys: Int32Array;
  /** Largest per-pixel count of each series (for the density shading). */
  maxCount: [number, number];
  /** Points actually placed (visible series, inside the time range). */
  placed: number;
}

/** Converts a duration to a fractional row from the top (0 = yMax); shared by binning, hit-testing and axes. */
export function yToRowFn(vp: PlotViewport): (y: number) => number {
  const h = vp.height;
  if (vp.yScale === 'log') {
    const lo = Math.log10(Math.max(vp.yMin, 1e-3));
    const hi = Math.log10(Math.max(vp.yMax, 10 ** lo * 10));
    const k = h / (hi - lo);
    const floor = 10 ** lo;
    return (y) => (hi - Math.log10(y > floor ? y : floor)) * k;
  }
  const k = h / (vp.yMax - vp.yMin || 1);
  return (y) => (vp.yMax - y) * k;
}

export function rowToYFn(vp: PlotViewport): (row: number) => number {
  const h = vp.height;
  if (vp.yScale === 'log') {
    const lo = Math.log10(Math.max(vp.yMin, 1e-3));
    const hi = Math.log10(Math.max(vp.yMax, 10 ** lo * 10));
    return (row) => 10 ** (hi - (row / h) * (hi - lo));
  }
  return (row) => vp.yMax - (row / h) * (vp.yMax - vp.yMin);
}

export function xToColFn(vp: PlotViewport): (x: number) => number {
  const k = vp.width / (vp.xMax - vp.xMin || 1);
  return (x) => (x - vp.xMin) * k;
}

export function colToXFn(vp: PlotViewport): (col: number) => number {
  const k = (vp.xMax - vp.xMin || 1) / vp.width;
  return (col) => vp.xMin + col * k;
}

/**
 * Bin all points. `visible[s]` hides a series (legend toggle). Reuses `reuse` buffers when the size matches,
 * so re-binning on a legend toggle or resize does not allocate per frame.
 */
export function binPoints(
  points: ScatterPoints,
  vp: PlotViewport,
  visible: readonly [boolean, boolean] = [true, true],
  reuse?: BinGrid
): BinGrid {
  const w = Math.max(1, Math.floor(vp.width));
  const h = Math.max(1, Math.floor(vp.height));
  const size = w * h;
  let counts: [Uint32Array, Uint32Array];
  let keys: Int32Array;
  if (reuse && reuse.width === w && reuse.height === h && reuse.keys.length === points.n) {
    counts = reuse.counts;
    counts[0].fill(0);
    counts[1].fill(0);
    keys = reuse.keys;
  } else {
    counts = [new Uint32Array(size), new Uint32Array(size)];
    keys = new Int32Array(points.n);
  }
  const { x, y, failed, n } = points;
  const kx = w / (vp.xMax - vp.xMin || 1);
  const xMin = vp.xMin;
  const maxRow = h - 1;
  const maxCol = w - 1;
  const max: [number, number] = [0, 0];
  let placed = 0;
  const logScale = vp.yScale === 'log';
  const toRow = yToRowFn(vp);
  // Linear case inlined: this loop is the hot path for 1M points.
  const ky = h / (vp.yMax - vp.yMin || 1);
  const yMax = vp.yMax;
  for (let i = 0; i < n; i++) {
    const s = failed[i]!;
    const xi = x[i]!;
    if (!visible[s] || xi < xMin || xi > vp.xMax) {
      keys[i] = -1;
      continue;
    }
    let col = ((xi - xMin) * kx) | 0;
    if (col > maxCol) {
      col = maxCol;
    }
    let row = logScale ? toRow(y[i]!) | 0 : ((yMax - y[i]!) * ky) | 0;
    if (row < 0) {
      row = 0;
    } else if (row > maxRow) {
      row = maxRow;
    }
    const key = row * w + col;
    keys[i] = key;
    const c = ++counts[s][key]!;
    if (c > max[s]) {
      max[s] = c;
    }
    placed++;
  }
  return { width: w, height: h, counts, keys, maxCount: max, placed };
}

/** RGBA colour packed for a little-endian Uint32 view of ImageData. */
export function packRGBA(r: number, g: number, b: number, a: number): number {
  return ((a & 255) << 24) | ((b & 255) << 16) | ((g & 255) << 8) | (r & 255);
}

export function parseColor(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(css.trim());
  if (hex) {
    const v = parseInt(hex[1]!, 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }
  const rgb = /^rgba?\((\d+)[ ,]+(\d+)[ ,]+(\d+)/i.exec(css.trim());
  if (rgb) {
    return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  }
  return [128, 128, 128];
}

/**
 * Paint the binned dots into an RGBA pixel buffer (width × height of the plot). Each occupied pixel becomes
 * a (2r+1)² square; opacity grows with the log of the pixel's count, so dense areas read as darker without
 * losing the single outlier. Failed dots are painted last, on top, as in Pinpoint.
 */
export function paintBins(
  buffer: Uint32Array,
  grid: BinGrid,
  colors: readonly [[number, number, number], [number, number, number]],
  radius: number
): void {
  const { width: w, height: h } = grid;
  buffer.fill(0);
  const r = Math.max(0, Math.floor(radius));
  for (let s = 0; s < 2; s++) {
    const counts = grid.counts[s]!;
    const [cr, cg, cb] = colors[s]!;
    const maxLog = Math.log(grid.maxCount[s]! + 1);
    const lut = new Uint32Array(256);
    for (let a = 0; a < 256; a++) {
      lut[a] = packRGBA(cr, cg, cb, a);
    }
    for (let key = 0; key < counts.length; key++) {
      const c = counts[key]!;
      if (c === 0) {
        continue;
      }
      const alpha = maxLog > 0 ? 150 + Math.round((105 * Math.log(c + 1)) / maxLog) : 255;
      const color = lut[alpha > 255 ? 255 : alpha]!;
      const row = (key / w) | 0;
      const col = key - row * w;
      const r0 = row - r < 0 ? 0 : row - r;
      const r1 = row + r >= h ? h - 1 : row + r;
      const c0 = col - r < 0 ? 0 : col - r;
      const c1 = col + r >= w ? w - 1 : col + r;
      for (let yy = r0; yy <= r1; yy++) {
        const base = yy * w;
        for (let xx = c0; xx <= c1; xx++) {
          buffer[base + xx] = color;
        }
      }
    }
  }
}
