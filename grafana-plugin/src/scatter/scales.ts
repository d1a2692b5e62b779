/** Axis scales and tick generation for the scatter (time × duration, linear or log). */

export type YScaleType = 'linear' | 'log';

export interface Scale {
  /** Data value → pixel (may fall outside the range for out-of-domain values). */
  toPx(v: number): number;
  /** Pixel → data value. */
  fromPx(px: number): number;
  domain: [number, number];
  range: [number, number];
}

export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  const k = (r1 - r0) / span;
  return {
    toPx: (v) => r0 + (v - d0) * k,
    fromPx: (px) => d0 + (px - r0) / k,
    domain: [d0, d1],
    range: [r0, r1],
  };
}

/** Log scale for durations: values below `floor` (0 ms included) are drawn at the floor. */
export function logScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const lo = Math.log10(Math.max(d0, 1e-3));
  const hi = Math.log10(Math.max(d1, Math.max(d0, 1e-3) * 10));
  const k = (r1 - r0) / (hi - lo);
  const floor = 10 ** lo;
  return {
    toPx: (v) => r0 + (Math.log10(v > floor ? v : floor) - lo) * k,
    fromPx: (px) => 10 ** (lo + (px - r0) / k),
    domain: [floor, 10 ** hi],
    range: [r0, r1],
  };
}

/** 1-2-5 "nice" step covering `span` in about `count` steps. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

/** Round a max duration up to a nice axis end (e.g. 7 321 → 8 000). */
export function niceMax(v: number): number {
  if (!(v > 0)) {
    return 1000;
  }
  const step = niceStep(v, 5);
  return Math.ceil(v / step) * step;
}

export function linearTicks(d0: number, d1: number, count: number): number[] {
  const step = niceStep(d1 - d0, count);
  const ticks: number[] = [];
  for (let v = Math.ceil(d0 / step) * step; v <= d1 + step * 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(12)));
  }
  return ticks;
}

export function logTicks(d0: number, d1: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(Math.max(d0, 1e-3))); 10 ** e <= d1 * 1.0001; e++) {
    const v = 10 ** e;
    if (v >= d0 * 0.9999) {
      ticks.push(Number(v.toPrecision(12)));
    }
  }
  return ticks;
}

const TIME_STEPS_MS = [
  1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
  7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000,
];

export function timeTicks(from: number, to: number, count: number): number[] {
  const raw = (to - from) / Math.max(1, count);
  const step = TIME_STEPS_MS.find((s) => s >= raw) ?? Math.ceil(raw / 86_400_000) * 86_400_000;
  const ticks: number[] = [];
  for (let v = Math.ceil(from / step) * step; v <= to; v += step) {
    ticks.push(v);
  }
  return ticks;
}

export function formatDurationMs(ms: number): string {
  if (ms === 0) {
    return '0';
  }
  if (ms >= 1000) {
    const s = ms / 1000;
    return `${Number.isInteger(s) ? s : s.toFixed(s < 10 ? 2 : 1)} s`;
  }
  if (ms >= 0.9995) {
    return `${Number.isInteger(ms) ? ms : ms.toFixed(ms < 10 ? 2 : 1)} ms`;
  }
  return `${Math.round(ms * 1000)} µs`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** HH:MM:SS (or HH:MM for ranges over 2 h) in the given zone offset, minutes east of UTC. */
export function formatTimeTick(ms: number, spanMs: number, utcOffsetMin = 0): string {
  const d = new Date(ms + utcOffsetMin * 60_000);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (spanMs > 2 * 86_400_000) {
    return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${hm}`;
  }
  return spanMs > 7_200_000 ? hm : `${hm}:${pad(d.getUTCSeconds())}`;
}
