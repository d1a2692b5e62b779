import { binPoints, paintBins, packRGBA, yToRowFn, type PlotViewport } from '../../src/scatter/binning';
import { pointsOf, type Transaction } from '../../src/scatter/dots';
import { buildPixelIndex, hitTest, pixelRectToData, selectInRect } from '../../src/scatter/selection';

function tx(startMs: number, durationMs: number, failed = false): Transaction {
  return { traceId: `t${startMs}-${durationMs}`, spanId: 's', startMs, durationMs, failed, name: 'GET /', service: 'orders' };
}

// 100 px wide over 100 s (1 px per second), 50 px high over 0..1000 ms (20 ms per px).
const vp: PlotViewport = { width: 100, height: 50, xMin: 0, xMax: 100_000, yMin: 0, yMax: 1000, yScale: 'linear' };

describe('binPoints', () => {
  it('puts each dot on its pixel and counts coincident dots once per pixel', () => {
    const pts = pointsOf([tx(10_000, 500), tx(10_400, 510), tx(50_000, 0, true), tx(99_999, 990)]);
    const grid = binPoints(pts, vp);
    // 10 s → col 10; 500 ms → row (1000-500)/20 = 25; 510 ms → row 24.5 → 24
    expect(grid.keys[0]).toBe(25 * 100 + 10);
    expect(grid.keys[1]).toBe(24 * 100 + 10);
    // 0 ms lands on the bottom row (49), failed series
    expect(grid.keys[2]).toBe(49 * 100 + 50);
    expect(grid.counts[1][49 * 100 + 50]).toBe(1);
    expect(grid.counts[0][49 * 100 + 50]).toBe(0);
    expect(grid.placed).toBe(4);
    const two = binPoints(pointsOf([tx(10_000, 500), tx(10_100, 490)]), vp);
    expect(two.counts[0][25 * 100 + 10]).toBe(2);
    expect(two.maxCount[0]).toBe(2);
  });

  it('draws dots above the axis maximum on the top row and drops dots outside the time range', () => {
    const grid = binPoints(pointsOf([tx(20_000, 50_000), tx(-5, 10), tx(100_001, 10)]), vp);
    expect(grid.keys[0]).toBe(0 * 100 + 20);
    expect(grid.keys[1]).toBe(-1);
    expect(grid.keys[2]).toBe(-1);
    expect(grid.placed).toBe(1);
  });

  it('leaves hidden series out (legend toggle)', () => {
    const pts = pointsOf([tx(1000, 10), tx(2000, 10, true)]);
    const grid = binPoints(pts, vp, [true, false]);
    expect(grid.placed).toBe(1);
    expect(grid.keys[1]).toBe(-1);
    expect(grid.counts[1].reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('maps a log axis by decades', () => {
    const logVp: PlotViewport = { ...vp, yMin: 1, yMax: 1000, yScale: 'log' };
    const row = yToRowFn(logVp);
    expect(row(1000)).toBeCloseTo(0);
    expect(row(100)).toBeCloseTo(50 / 3);
    expect(row(1)).toBeCloseTo(50);
    expect(row(0)).toBeCloseTo(50); // zero is drawn at the floor, not at -Infinity
    const grid = binPoints(pointsOf([tx(0, 10)]), logVp);
    expect(grid.keys[0]).toBe(Math.floor((50 * 2) / 3) * 100);
  });

  it('reuses buffers when re-binning at the same size', () => {
    const pts = pointsOf([tx(1000, 10)]);
    const a = binPoints(pts, vp);
    const b = binPoints(pts, vp, [true, true], a);
    expect(b.counts[0]).toBe(a.counts[0]);
    expect(b.counts[0][49 * 100 + 1]).toBe(1);
  });
});

describe('paintBins', () => {
  it('paints a (2r+1)² square per occupied pixel, failed on top', () => {
    const pts = pointsOf([tx(10_000, 500), tx(11_000, 500, true)]);
    const grid = binPoints(pts, vp);
    const buf = new Uint32Array(vp.width * vp.height);
    paintBins(buf, grid, [[0, 255, 0], [255, 0, 0]], 1);
    const at = (col: number, row: number) => buf[row * vp.width + col]!;
    // col 10 ok, col 11 failed: their squares overlap on cols 10..11 and the failed colour wins there.
    expect(at(9, 25) & 0xffffff).toBe(packRGBA(0, 255, 0, 0) & 0xffffff);
    expect(at(10, 25) & 0xffffff).toBe(packRGBA(255, 0, 0, 0) & 0xffffff);
    expect(at(12, 26) & 0xffffff).toBe(packRGBA(255, 0, 0, 0) & 0xffffff);
    expect(at(13, 25)).toBe(0);
    expect(at(10, 27)).toBe(0);
    expect(buf.filter((v) => v !== 0).length).toBe(12);
  });
});

describe('hit-testing and rectangle selection', () => {
  const list = [tx(10_000, 500), tx(10_000, 520, true), tx(60_000, 100), tx(61_000, 900)];
  const pts = pointsOf(list);
  const grid = binPoints(pts, vp);
  const index = buildPixelIndex(grid);

  it('finds the nearest dot within the radius', () => {
    expect(hitTest(index, pts, vp, 60, 45, 3)).toBe(2);
    expect(hitTest(index, pts, vp, 61.5, 5.5, 3)).toBe(3);
    expect(hitTest(index, pts, vp, 30, 30, 3)).toBe(-1);
  });

  it('prefers the failed dot when two are equally near (it is drawn on top)', () => {
    // dots 0 and 1 are at rows 25 and 24, col 10: clicking between them is a tie
    expect(hitTest(index, pts, vp, 10, 24.5, 3)).toBe(1);
  });

  it('selects exactly the dots inside a pixel rectangle', () => {
    const rect = pixelRectToData(vp, { x: 55, y: 49 }, { x: 65, y: 40 });
    expect(rect.x0).toBe(55_000);
    expect(rect.x1).toBe(65_000);
    expect(rect.y0).toBeCloseTo(20);
    expect(rect.y1).toBeCloseTo(200);
    expect([...selectInRect(pts, rect)]).toEqual([2]);
    const all = pixelRectToData(vp, { x: 0, y: 50 }, { x: 100, y: 0 });
    expect(all.y1).toBe(Number.POSITIVE_INFINITY);
    expect([...selectInRect(pts, all)]).toEqual([0, 1, 2, 3]);
    expect([...selectInRect(pts, all, [true, false])]).toEqual([0, 2, 3]);
  });

  it('a rectangle touching the top edge takes dots above the axis maximum', () => {
    const over = pointsOf([tx(5000, 5000), tx(5000, 960)]);
    const r = pixelRectToData(vp, { x: 0, y: 0 }, { x: 10, y: 3 });
    expect([...selectInRect(over, r)]).toEqual([0, 1]);
    const below = pixelRectToData(vp, { x: 0, y: 1 }, { x: 10, y: 3 });
    expect([...selectInRect(over, below)]).toEqual([1]);
  });
});

describe('axis labels', () => {
  it('formats durations and ticks readably', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { formatDurationMs, linearTicks, logTicks, niceMax, timeTicks, formatTimeTick } = require('../../src/scatter/scales');
    expect(formatDurationMs(0)).toBe('0');
    expect(formatDurationMs(0.9999)).toBe('1.00 ms');
    expect(formatDurationMs(0.25)).toBe('250 µs');
    expect(formatDurationMs(1500)).toBe('1.50 s');
    expect(formatDurationMs(3000)).toBe('3 s');
    expect(niceMax(3380)).toBe(4000);
    expect(linearTicks(0, 4000, 4)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(logTicks(1, 1000)).toEqual([1, 10, 100, 1000]);
    const t0 = Date.UTC(2026, 10, 25, 10, 0, 0);
    expect(timeTicks(t0, t0 + 15 * 60_000, 6)).toEqual([0, 5, 10, 15].map((m) => t0 + m * 60_000));
    expect(formatTimeTick(t0 + 90_000, 15 * 60_000)).toBe('10:01:30');
  });
});
