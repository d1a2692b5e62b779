/**
 * Canvas scatter widget (framework-free): x = time, y = duration, one dot per transaction, success/failed
 * series with legend toggles, optional heatmap underlay and runtime band, drag-to-select and click.
 *
 * Two stacked canvases: the base one holds axes, underlay and dots and is redrawn only when data, size or
 * options change; the overlay holds the drag rectangle so dragging never re-renders a million dots.
 */
import {
  binPoints,
  paintBins,
  parseColor,
  SERIES_FAILED,
  SERIES_OK,
  xToColFn,
  yToRowFn,
  type BinGrid,
  type PlotViewport,
} from './binning';
import type { ScatterPoints } from './dots';
import type { HeatmapGrid, RuntimeSeries } from './heatmap';
import {
  formatDurationMs,
  formatTimeTick,
  linearTicks,
  logTicks,
  niceMax,
  timeTicks,
  type YScaleType,
} from './scales';
import { buildPixelIndex, hitTest, pixelRectToData, selectInRect, type DataRect, type PixelIndex } from './selection';

export interface ScatterTheme {
  background: string;
  text: string;
  textWeak: string;
  grid: string;
  ok: string;
  failed: string;
  heat: string;
  band: string;
  selection: string;
  /** Compare: the baseline's dots and percentile lines. */
  baseline: string;
  fontFamily: string;
  fontSize: number;
}

/** A horizontal line across the plot at a duration (compare: p50 / p95 of each range). */
export interface PercentileLine {
  valueMs: number;
  label: string;
  /** 'current' in the text colour, 'baseline' in the baseline grey. */
  range: 'current' | 'baseline';
  dash: number[];
}

export const DEFAULT_THEME: ScatterTheme = {
  background: '#181b1f',
  text: '#ccccdc',
  textWeak: '#8e8e9e',
  grid: 'rgba(204, 204, 220, 0.12)',
  ok: '#73bf69',
  failed: '#f2495c',
  heat: '#5794f2',
  band: '#ff9830',
  selection: '#fade2a',
  baseline: '#7e8189',
  fontFamily: 'Inter, Helvetica, Arial, sans-serif',
  fontSize: 11,
};

export interface ScatterOptions {
  yScale: YScaleType;
  /** 'auto' = nice ceiling of the slowest visible dot. */
  yMax: number | 'auto';
  /** Dot half-size in CSS px (0 = single pixel). */
  radius: number;
  legend: [string, string];
  /** Runtime band threshold in the series' unit; columns above it are shaded across the plot. */
  bandThreshold: number;
  bandLabel: string;
  /** Minutes east of UTC for tick labels. */
  utcOffsetMin: number;
}

export const DEFAULT_OPTIONS: ScatterOptions = {
  yScale: 'linear',
  yMax: 'auto',
  radius: 1.5,
  legend: ['Success', 'Failed'],
  bandThreshold: 0.1,
  bandLabel: 'event-loop lag p99',
  utcOffsetMin: 0,
};

export interface ScatterEvents {
  /** Drag-select finished: the data rectangle and the indices of the visible dots inside it. */
  select: { rect: DataRect; indices: Uint32Array };
  /** Click on (or near) a dot. */
  click: { index: number };
  /** A legend entry was toggled. */
  legend: { series: 0 | 1; visible: boolean };
}

type Listener<K extends keyof ScatterEvents> = (event: ScatterEvents[K]) => void;

const PAD = { left: 58, right: 12, top: 24, bottom: 26 };
const BAND_H = 14;
const DRAG_MIN_PX = 4;

export interface RenderStats {
  binMs: number;
  paintMs: number;
  totalMs: number;
  placed: number;
}

export class ScatterChart {
  readonly element: HTMLDivElement;
  private readonly base: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly dotsCanvas: HTMLCanvasElement;
  private theme: ScatterTheme;
  private options: ScatterOptions;
  private points: ScatterPoints = { n: 0, x: new Float64Array(0), y: new Float64Array(0), failed: new Uint8Array(0) };
  private heatmap: HeatmapGrid | undefined;
  private runtime: RuntimeSeries | undefined;
  private baseline: ScatterPoints | undefined;
  private baselineGrid: BinGrid | undefined;
  private lines: PercentileLine[] = [];
  private xRange: [number, number] = [Date.now() - 3_600_000, Date.now()];
  private visible: [boolean, boolean] = [true, true];
  private cssW = 0;
  private cssH = 0;
  private dpr = 1;
  private grid: BinGrid | undefined;
  private pixelIndex: PixelIndex | undefined;
  private viewport: PlotViewport | undefined;
  private legendBoxes: Array<{ x0: number; x1: number; y0: number; y1: number; series: 0 | 1 }> = [];
  private dragStart: { x: number; y: number } | undefined;
  private selectionPx: { a: { x: number; y: number }; b: { x: number; y: number } } | undefined;
  private listeners: { [K in keyof ScatterEvents]: Set<Listener<K>> } = {
    select: new Set(),
    click: new Set(),
    legend: new Set(),
  };
  lastRender: RenderStats = { binMs: 0, paintMs: 0, totalMs: 0, placed: 0 };

  constructor(container: HTMLElement, options: Partial<ScatterOptions> = {}, theme: Partial<ScatterTheme> = {}) {
    this.theme = { ...DEFAULT_THEME, ...theme };
    this.options = { ...DEFAULT_OPTIONS, ...options };
    const doc = container.ownerDocument;
    this.element = doc.createElement('div');
    this.element.style.position = 'relative';
    this.element.setAttribute('data-testid', 'scatter-chart');
    this.base = doc.createElement('canvas');
    this.overlay = doc.createElement('canvas');
    this.dotsCanvas = doc.createElement('canvas');
    for (const c of [this.base, this.overlay]) {
      c.style.position = 'absolute';
      c.style.left = '0';
      c.style.top = '0';
      this.element.appendChild(c);
    }
    this.base.setAttribute('data-testid', 'scatter-canvas');
    this.overlay.setAttribute('data-testid', 'scatter-overlay');
    this.overlay.style.cursor = 'crosshair';
    container.appendChild(this.element);
    this.overlay.addEventListener('mousedown', this.onMouseDown);
    doc.addEventListener('mousemove', this.onMouseMove);
    doc.addEventListener('mouseup', this.onMouseUp);
  }

  on<K extends keyof ScatterEvents>(event: K, listener: Listener<K>): () => void {
    (this.listeners[event] as Set<Listener<K>>).add(listener);
    return () => (this.listeners[event] as Set<Listener<K>>).delete(listener);
  }

  private emit<K extends keyof ScatterEvents>(event: K, payload: ScatterEvents[K]): void {
    for (const l of this.listeners[event] as Set<Listener<K>>) {
      l(payload);
    }
  }

  setSize(width: number, height: number, dpr = globalThis.devicePixelRatio || 1): void {
    this.cssW = Math.max(120, Math.floor(width));
    this.cssH = Math.max(100, Math.floor(height));
    this.dpr = Math.max(1, Math.min(3, dpr));
    this.element.style.width = `${this.cssW}px`;
    this.element.style.height = `${this.cssH}px`;
    for (const c of [this.base, this.overlay]) {
      c.width = Math.round(this.cssW * this.dpr);
      c.height = Math.round(this.cssH * this.dpr);
      c.style.width = `${this.cssW}px`;
      c.style.height = `${this.cssH}px`;
    }
  }

  setData(points: ScatterPoints): void {
    this.points = points;
    this.selectionPx = undefined;
  }

  setTimeRange(from: number, to: number): void {
    this.xRange = [from, to > from ? to : from + 1];
  }

  setHeatmap(grid: HeatmapGrid | undefined): void {
    this.heatmap = grid;
  }

  setRuntime(series: RuntimeSeries | undefined): void {
    this.runtime = series;
  }

  /** Compare: the baseline's dots, already placed on the current time axis; drawn in grey under the current ones. */
  setBaseline(points: ScatterPoints | undefined): void {
    this.baseline = points && points.n > 0 ? points : undefined;
  }

  setPercentileLines(lines: PercentileLine[]): void {
    this.lines = lines.filter((l) => Number.isFinite(l.valueMs) && l.valueMs > 0);
  }

  setOptions(options: Partial<ScatterOptions>): void {
    this.options = { ...this.options, ...options };
  }

  setTheme(theme: Partial<ScatterTheme>): void {
    this.theme = { ...this.theme, ...theme };
  }

  setSeriesVisible(series: 0 | 1, visible: boolean): void {
    this.visible[series] = visible;
  }

  isSeriesVisible(series: 0 | 1): boolean {
    return this.visible[series];
  }

  getViewport(): PlotViewport | undefined {
    return this.viewport;
  }

  /** Plot area in CSS px relative to the widget (for tests and the harness). */
  getPlotRect(): { left: number; top: number; width: number; height: number } {
    const top = this.plotTop();
    return { left: PAD.left, top, width: this.cssW - PAD.left - PAD.right, height: this.cssH - top - PAD.bottom };
  }

  /** Legend hit areas in CSS px relative to the widget. */
  getLegendBoxes(): Array<{ x0: number; x1: number; y0: number; y1: number; series: 0 | 1 }> {
    return this.legendBoxes.map((b) => ({ ...b }));
  }

  private plotTop(): number {
    return PAD.top + (this.runtime ? BAND_H + 4 : 0);
  }

  private autoYMax(): number {
    const { y, failed, n } = this.points;
    let max = 0;
    for (let i = 0; i < n; i++) {
      if (this.visible[failed[i]!] && y[i]! > max) {
        max = y[i]!;
      }
    }
    if (this.heatmap && !n) {
      max = Math.max(max, ...this.heatmap.bucketsMs);
    }
    // One y scale for both ranges: the baseline's slowest dot counts too.
    const b = this.baseline;
    for (let i = 0; b && i < b.n; i++) {
      if (b.y[i]! > max) {
        max = b.y[i]!;
      }
    }
    return niceMax(max);
  }

  /** Re-bin and redraw everything on the base canvas. */
  render(): RenderStats {
    const t0 = performance.now();
    const ctx = this.base.getContext('2d');
    if (!ctx || this.cssW === 0) {
      return this.lastRender;
    }
    const dpr = this.dpr;
    const plot = this.getPlotRect();
    const yMax = this.options.yMax === 'auto' ? this.autoYMax() : Math.max(1e-3, this.options.yMax);
    const vp: PlotViewport = {
      width: Math.max(1, Math.round(plot.width * dpr)),
      height: Math.max(1, Math.round(plot.height * dpr)),
      xMin: this.xRange[0],
      xMax: this.xRange[1],
      yMin: this.options.yScale === 'log' ? Math.min(1, yMax / 10) : 0,
      yMax,
      yScale: this.options.yScale,
    };
    this.viewport = vp;

    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = this.theme.background;
    ctx.fillRect(0, 0, this.base.width, this.base.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawGridAndAxes(ctx, vp, plot);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    const ox = Math.round(plot.left * dpr);
    const oy = Math.round(plot.top * dpr);
    this.drawHeatmap(ctx, vp, ox, oy);
    this.drawStallShading(ctx, vp, ox, oy);

    this.drawBaselineDots(ctx, vp, ox, oy);
    const tb = performance.now();
    this.grid = binPoints(this.points, vp, this.visible, this.grid);
    this.pixelIndex = undefined;
    const tp = performance.now();
    if (this.grid.placed > 0) {
      this.dotsCanvas.width = vp.width;
      this.dotsCanvas.height = vp.height;
      const dctx = this.dotsCanvas.getContext('2d');
      if (dctx) {
        const img = dctx.createImageData(vp.width, vp.height);
        paintBins(
          new Uint32Array(img.data.buffer),
          this.grid,
          [parseColor(this.theme.ok), parseColor(this.theme.failed)],
          Math.round(this.options.radius * dpr)
        );
        dctx.putImageData(img, 0, 0);
        ctx.drawImage(this.dotsCanvas, ox, oy);
      }
    }
    const te = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    this.drawPercentileLines(ctx, vp, plot);
    this.drawRuntimeBand(ctx, plot);
    this.drawLegend(ctx);
    this.drawOverlay();
    this.lastRender = { binMs: tp - tb, paintMs: te - tp, totalMs: performance.now() - t0, placed: this.grid.placed };
    return this.lastRender;
  }

  private drawBaselineDots(ctx: CanvasRenderingContext2D, vp: PlotViewport, ox: number, oy: number): void {
    if (!this.baseline) {
      return;
    }
    this.baselineGrid = binPoints(this.baseline, vp, [true, true], this.baselineGrid);
    if (this.baselineGrid.placed === 0) {
      return;
    }
    this.dotsCanvas.width = vp.width;
    this.dotsCanvas.height = vp.height;
    const dctx = this.dotsCanvas.getContext('2d');
    if (!dctx) {
      return;
    }
    const grey = parseColor(this.theme.baseline);
    const img = dctx.createImageData(vp.width, vp.height);
    paintBins(new Uint32Array(img.data.buffer), this.baselineGrid, [grey, grey], Math.round(this.options.radius * this.dpr));
    dctx.putImageData(img, 0, 0);
    ctx.save();
    ctx.globalAlpha = 0.55;
    ctx.drawImage(this.dotsCanvas, ox, oy);
    ctx.restore();
  }

  private drawPercentileLines(
    ctx: CanvasRenderingContext2D,
    vp: PlotViewport,
    plot: { left: number; top: number; width: number; height: number }
  ): void {
    if (this.lines.length === 0) {
      return;
    }
    const toRow = yToRowFn(vp);
    ctx.save();
    ctx.font = `${this.theme.fontSize}px ${this.theme.fontFamily}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    ctx.lineWidth = 1;
    for (const line of this.lines) {
      const y = plot.top + toRow(line.valueMs) / this.dpr;
      if (y < plot.top || y > plot.top + plot.height) {
        continue;
      }
      const color = line.range === 'current' ? this.theme.text : this.theme.baseline;
      ctx.strokeStyle = color;
      ctx.setLineDash(line.dash);
      ctx.beginPath();
      ctx.moveTo(plot.left, Math.round(y) + 0.5);
      ctx.lineTo(plot.left + plot.width, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillStyle = color;
      // Current labels at the right edge, the baseline's at the left: two lines close together stay readable.
      ctx.textAlign = line.range === 'current' ? 'right' : 'left';
      ctx.fillText(line.label, line.range === 'current' ? plot.left + plot.width - 4 : plot.left + 4, y - 1);
    }
    ctx.restore();
  }

  private drawGridAndAxes(
    ctx: CanvasRenderingContext2D,
    vp: PlotViewport,
    plot: { left: number; top: number; width: number; height: number }
  ): void {
    const { theme } = this;
    ctx.font = `${theme.fontSize}px ${theme.fontFamily}`;
    ctx.lineWidth = 1;
    const toRow = yToRowFn(vp);
    const toCol = xToColFn(vp);
    const yTicks = vp.yScale === 'log' ? logTicks(vp.yMin, vp.yMax) : linearTicks(0, vp.yMax, Math.max(2, Math.floor(plot.height / 40)));
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const v of yTicks) {
      const y = plot.top + toRow(v) / this.dpr;
      ctx.strokeStyle = theme.grid;
      ctx.beginPath();
      ctx.moveTo(plot.left, Math.round(y) + 0.5);
      ctx.lineTo(plot.left + plot.width, Math.round(y) + 0.5);
      ctx.stroke();
      ctx.fillStyle = theme.textWeak;
      ctx.fillText(formatDurationMs(v), plot.left - 6, y);
    }
    const span = vp.xMax - vp.xMin;
    const xTicks = timeTicks(vp.xMin, vp.xMax, Math.max(2, Math.floor(plot.width / 90)));
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of xTicks) {
      const x = plot.left + toCol(t) / this.dpr;
      ctx.strokeStyle = theme.grid;
      ctx.beginPath();
      ctx.moveTo(Math.round(x) + 0.5, plot.top);
      ctx.lineTo(Math.round(x) + 0.5, plot.top + plot.height);
      ctx.stroke();
      ctx.fillStyle = theme.textWeak;
      // The last tick often sits on the plot's right edge: keep its label on the canvas instead of cutting it.
      const label = formatTimeTick(t, span, this.options.utcOffsetMin);
      const half = ctx.measureText(label).width / 2;
      ctx.fillText(label, Math.max(half, Math.min(x, this.cssW - half - 1)), plot.top + plot.height + 6);
    }
    ctx.strokeStyle = theme.textWeak;
    ctx.strokeRect(plot.left + 0.5, plot.top + 0.5, plot.width - 1, plot.height - 1);
  }

  private drawHeatmap(ctx: CanvasRenderingContext2D, vp: PlotViewport, ox: number, oy: number): void {
    const hm = this.heatmap;
    if (!hm || hm.maxCount <= 0) {
      return;
    }
    const toCol = xToColFn(vp);
    const toRow = yToRowFn(vp);
    const nb = hm.bucketsMs.length;
    const maxLog = Math.log(hm.maxCount + 1);
    const [r, g, b] = parseColor(this.theme.heat);
    ctx.save();
    ctx.beginPath();
    ctx.rect(ox, oy, vp.width, vp.height);
    ctx.clip();
    for (let c = 0; c < hm.times.length; c++) {
      const x0 = ox + toCol(hm.times[c]!);
      const x1 = ox + toCol(hm.times[c]! + hm.stepMs);
      if (x1 < ox || x0 > ox + vp.width) {
        continue;
      }
      for (let k = 0; k < nb; k++) {
        const count = hm.counts[c * nb + k]!;
        if (count <= 0) {
          continue;
        }
        const upper = hm.bucketsMs[k]!;
        const yTop = oy + Math.max(0, toRow(upper));
        const yBottom = oy + Math.min(vp.height, toRow(upper / 2));
        const alpha = 0.12 + (0.6 * Math.log(count + 1)) / maxLog;
        ctx.fillStyle = `rgba(${r}, ${g}, ${b}, ${alpha.toFixed(3)})`;
        ctx.fillRect(Math.floor(x0), Math.floor(yTop), Math.max(1, Math.ceil(x1 - x0)), Math.max(1, Math.ceil(yBottom - yTop)));
      }
    }
    ctx.restore();
  }

  /** Columns where the runtime series exceeds the threshold get a faint full-height shade: stalls line up with dots. */
  private drawStallShading(ctx: CanvasRenderingContext2D, vp: PlotViewport, ox: number, oy: number): void {
    const rt = this.runtime;
    if (!rt) {
      return;
    }
    const toCol = xToColFn(vp);
    const [r, g, b] = parseColor(this.theme.band);
    ctx.fillStyle = `rgba(${r}, ${g}, ${b}, 0.10)`;
    for (let i = 0; i < rt.t.length; i++) {
      if (rt.v[i]! <= this.options.bandThreshold) {
        continue;
      }
      const next = i + 1 < rt.t.length ? rt.t[i + 1]! : rt.t[i]! + (i > 0 ? rt.t[i]! - rt.t[i - 1]! : 60_000);
      const x0 = Math.max(0, toCol(rt.t[i]!));
      const x1 = Math.min(vp.width, toCol(next));
      if (x1 > x0) {
        ctx.fillRect(ox + x0, oy, Math.max(1, x1 - x0), vp.height);
      }
    }
  }

  private drawRuntimeBand(ctx: CanvasRenderingContext2D, plot: { left: number; top: number; width: number }): void {
    const rt = this.runtime;
    if (!rt || !this.viewport) {
      return;
    }
    const vp = this.viewport;
    const toCol = xToColFn(vp);
    const top = plot.top - BAND_H - 3;
    const scaleMax = Math.max(rt.max, this.options.bandThreshold * 2);
    const [r, g, b] = parseColor(this.theme.band);
    ctx.fillStyle = this.theme.grid;
    ctx.fillRect(plot.left, top, plot.width, BAND_H);
    for (let i = 0; i < rt.t.length; i++) {
      const next = i + 1 < rt.t.length ? rt.t[i + 1]! : rt.t[i]! + (i > 0 ? rt.t[i]! - rt.t[i - 1]! : 60_000);
      const x0 = plot.left + Math.max(0, toCol(rt.t[i]!) / this.dpr);
      const x1 = plot.left + Math.min(vp.width, toCol(next)) / this.dpr;
      if (x1 <= x0) {
        continue;
      }
      const level = Math.min(1, rt.v[i]! / scaleMax);
      const h = Math.max(1, level * BAND_H);
      ctx.fillStyle = `rgba(${r}, ${g}, ${b}, ${(0.35 + 0.65 * level).toFixed(3)})`;
      ctx.fillRect(x0, top + BAND_H - h, Math.max(1, x1 - x0), h);
    }
    ctx.fillStyle = this.theme.text;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.font = `${this.theme.fontSize - 1}px ${this.theme.fontFamily}`;
    ctx.fillText(`${this.options.bandLabel} · max ${formatDurationMs(rt.max * 1000)}`, plot.left + 4, top + BAND_H / 2);
  }

  private drawLegend(ctx: CanvasRenderingContext2D): void {
    const { theme } = this;
    ctx.font = `${theme.fontSize}px ${theme.fontFamily}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    let x = PAD.left;
    const y = 11;
    this.legendBoxes = [];
    const totals = [0, 0];
    for (let i = 0; i < this.points.n; i++) {
      totals[this.points.failed[i]!]!++;
    }
    for (const s of [SERIES_OK, SERIES_FAILED] as const) {
      const label = `${this.options.legend[s]} ${totals[s]!.toLocaleString('en-US')}`;
      const on = this.visible[s];
      const color = s === SERIES_OK ? theme.ok : theme.failed;
      ctx.globalAlpha = on ? 1 : 0.35;
      ctx.fillStyle = color;
      ctx.fillRect(x, y - 4, 8, 8);
      if (!on) {
        ctx.strokeStyle = color;
        ctx.strokeRect(x + 0.5, y - 3.5, 7, 7);
      }
      ctx.fillStyle = theme.text;
      ctx.fillText(label, x + 12, y);
      const w = 12 + ctx.measureText(label).width;
      ctx.globalAlpha = 1;
      this.legendBoxes.push({ x0: x - 2, x1: x + w + 2, y0: 0, y1: PAD.top - 2, series: s });
      x += w + 16;
    }
    if (this.baseline) {
      // Not a toggle: the baseline is switched with Compare in the panel header.
      ctx.fillStyle = theme.baseline;
      ctx.fillRect(x, y - 4, 8, 8);
      ctx.fillStyle = theme.textWeak;
      ctx.fillText(`Baseline ${this.baseline.n.toLocaleString('en-US')}`, x + 12, y);
    }
  }

  private drawOverlay(): void {
    const ctx = this.overlay.getContext('2d');
    if (!ctx) {
      return;
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    if (!this.selectionPx) {
      return;
    }
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const plot = this.getPlotRect();
    const { a, b } = this.selectionPx;
    const x0 = plot.left + Math.max(0, Math.min(a.x, b.x));
    const x1 = plot.left + Math.min(plot.width, Math.max(a.x, b.x));
    const y0 = plot.top + Math.max(0, Math.min(a.y, b.y));
    const y1 = plot.top + Math.min(plot.height, Math.max(a.y, b.y));
    ctx.fillStyle = 'rgba(250, 222, 42, 0.12)';
    ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    ctx.strokeStyle = this.theme.selection;
    ctx.setLineDash([4, 3]);
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, x1 - x0 - 1, y1 - y0 - 1);
  }

  private localPoint(ev: MouseEvent): { x: number; y: number } {
    const r = this.overlay.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  }

  private toPlot(p: { x: number; y: number }): { x: number; y: number } {
    const plot = this.getPlotRect();
    return { x: p.x - plot.left, y: p.y - plot.top };
  }

  private onMouseDown = (ev: MouseEvent): void => {
    if (ev.button !== 0) {
      return;
    }
    const p = this.localPoint(ev);
    const legend = this.legendBoxes.find((b) => p.x >= b.x0 && p.x <= b.x1 && p.y >= b.y0 && p.y <= b.y1);
    if (legend) {
      this.visible[legend.series] = !this.visible[legend.series];
      this.render();
      this.emit('legend', { series: legend.series, visible: this.visible[legend.series] });
      return;
    }
    const plot = this.getPlotRect();
    const q = this.toPlot(p);
    if (q.x < 0 || q.y < 0 || q.x > plot.width || q.y > plot.height) {
      return;
    }
    ev.preventDefault();
    this.dragStart = q;
    this.selectionPx = undefined;
  };

  private onMouseMove = (ev: MouseEvent): void => {
    if (!this.dragStart) {
      return;
    }
    const q = this.toPlot(this.localPoint(ev));
    this.selectionPx = { a: this.dragStart, b: q };
    this.drawOverlay();
  };

  private onMouseUp = (ev: MouseEvent): void => {
    const start = this.dragStart;
    if (!start) {
      return;
    }
    this.dragStart = undefined;
    const end = this.toPlot(this.localPoint(ev));
    if (Math.abs(end.x - start.x) < DRAG_MIN_PX && Math.abs(end.y - start.y) < DRAG_MIN_PX) {
      this.selectionPx = undefined;
      this.drawOverlay();
      const index = this.hitTestCss(end.x, end.y);
      if (index >= 0) {
        this.emit('click', { index });
      }
      return;
    }
    this.selectionPx = { a: start, b: end };
    this.drawOverlay();
    this.emit('select', this.selectPlotRect(start, end));
  };

  /** Hit-test in plot CSS px; -1 when no dot is near. */
  hitTestCss(x: number, y: number, radiusCss = 5): number {
    if (!this.grid || !this.viewport) {
      return -1;
    }
    this.pixelIndex ??= buildPixelIndex(this.grid);
    return hitTest(this.pixelIndex, this.points, this.viewport, x * this.dpr, y * this.dpr, radiusCss * this.dpr);
  }

  /** Select by plot CSS px corners (used by the mouse handler, tests and benchmarks). */
  selectPlotRect(a: { x: number; y: number }, b: { x: number; y: number }): { rect: DataRect; indices: Uint32Array } {
    if (!this.viewport) {
      return { rect: { x0: 0, x1: 0, y0: 0, y1: 0 }, indices: new Uint32Array(0) };
    }
    const d = this.dpr;
    const rect = pixelRectToData(this.viewport, { x: a.x * d, y: a.y * d }, { x: b.x * d, y: b.y * d });
    return { rect, indices: selectInRect(this.points, rect, this.visible) };
  }

  clearSelection(): void {
    this.selectionPx = undefined;
    this.drawOverlay();
  }

  destroy(): void {
    const doc = this.element.ownerDocument;
    this.overlay.removeEventListener('mousedown', this.onMouseDown);
    doc.removeEventListener('mousemove', this.onMouseMove);
    doc.removeEventListener('mouseup', this.onMouseUp);
    for (const set of Object.values(this.listeners)) {
      set.clear();
    }
    this.element.remove();
  }
}
