/** Compact counts like Pinpoint's link labels: 950, 18.0k, 1.2M. */
export function formatCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) {
    return '–';
  }
  const abs = Math.abs(n);
  if (abs >= 1e9) {
    return `${(n / 1e9).toFixed(1)}G`;
  }
  if (abs >= 1e6) {
    return `${(n / 1e6).toFixed(1)}M`;
  }
  if (abs >= 1e4) {
    return `${(n / 1e3).toFixed(0)}k`;
  }
  if (abs >= 1e3) {
    return `${(n / 1e3).toFixed(1)}k`;
  }
  return abs < 10 && !Number.isInteger(n) ? n.toFixed(1) : String(Math.round(n));
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return '–';
  }
  if (ms >= 10000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  if (ms >= 1000) {
    return `${(ms / 1000).toFixed(2)} s`;
  }
  return ms >= 10 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

export function formatPercent(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate)) {
    return '–';
  }
  const p = rate * 100;
  return p === 0 ? '0%' : p < 0.1 ? '<0.1%' : p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

export function formatRate(perSecond: number | undefined): string {
  if (perSecond === undefined || !Number.isFinite(perSecond)) {
    return '–';
  }
  return perSecond >= 100 ? `${Math.round(perSecond)}/s` : `${perSecond.toFixed(perSecond >= 10 ? 1 : 2)}/s`;
}

/** Exact count with thousands grouping for the details panel: 1,497 (counts from increase() are rounded). */
export function formatExactCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) {
    return '–';
  }
  return Math.round(n).toLocaleString('en-US');
}

let numberFormatWarm = false;

/**
 * Formats one number with grouping, once per page, so the browser's number formatting is set up before a large
 * map needs it: the first toLocaleString of a page loads its locale data (~15-35 ms in Chromium), and it fell in
 * the task that rendered a 50,000-link map ("N nodes hidden") or in a slice of its scene (formatExactCount).
 * Call it from a task of its own while the page waits anyway (the map worker's build).
 */
export function warmNumberFormat(): void {
  if (!numberFormatWarm) {
    numberFormatWarm = true;
    formatExactCount(1234);
  }
}

/** "≈ " before a number that is an estimate (bucket midpoints, interpolation inside buckets). */
export function approx(text: string, estimated: boolean | undefined): string {
  return estimated && text !== '–' ? `≈ ${text}` : text;
}
