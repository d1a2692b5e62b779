/**
 * Where the baseline comes from, as pure functions: the baseline's absolute range for the panel to query
 * (see README.md, "How the panel would fetch the baseline"), and the split of Grafana's own "Time comparison"
 * frames when a dashboard has that on.
 */

/** Epoch milliseconds. */
export interface AbsoluteRange {
  from: number;
  to: number;
}

export const BASELINE_SHIFTS = { '1h': 3_600_000, '1d': 86_400_000, '7d': 604_800_000 } as const;
export type BaselineShift = keyof typeof BASELINE_SHIFTS;

/** The same range shifted back, or a range of its own (of any length: calls are compared per minute). */
export type BaselineChoice = { shift: BaselineShift } | { range: AbsoluteRange };

export type BaselineRangeResult =
  { ok: true; range: AbsoluteRange; rangeSeconds: number } | { ok: false; error: string };

function validRange(r: AbsoluteRange | undefined): r is AbsoluteRange {
  return !!r && Number.isFinite(r.from) && Number.isFinite(r.to) && r.from < r.to;
}

/**
 * The baseline's absolute range. Absolute on purpose: a shifted `now-…` range handed on as relative would let the
 * data source treat it as "up to now" (Grafana's own compare passes the shifted instants for that reason).
 */
export function baselineRange(current: AbsoluteRange, choice: BaselineChoice): BaselineRangeResult {
  if (!validRange(current)) {
    return { ok: false, error: 'The current time range is not a valid range (from must be before to)' };
  }
  let range: AbsoluteRange;
  if ('shift' in choice) {
    const shiftMs = BASELINE_SHIFTS[choice.shift];
    if (shiftMs === undefined) {
      return {
        ok: false,
        error: `Unknown baseline shift "${String(choice.shift)}"; use one of ${Object.keys(BASELINE_SHIFTS).join(', ')}`,
      };
    }
    range = { from: current.from - shiftMs, to: current.to - shiftMs };
  } else {
    if (!validRange(choice.range)) {
      return { ok: false, error: 'The baseline range is not a valid range (from must be before to)' };
    }
    range = { from: choice.range.from, to: choice.range.to };
  }
  return { ok: true, range, rangeSeconds: (range.to - range.from) / 1000 };
}

/** The frame fields the split reads; Grafana's DataFrame has them. */
export interface CompareFrameLike {
  refId?: string;
  meta?: { timeCompare?: { diffMs?: number; isTimeShiftQuery?: boolean } };
}

const COMPARE_SUFFIX = '-compare';
/** 'e', the suffix's last character: most refIds are rejected on it without a string compare. */
const COMPARE_SUFFIX_LAST = COMPARE_SUFFIX.charCodeAt(COMPARE_SUFFIX.length - 1);

function hasCompareRefId(refId: string | undefined): boolean {
  return (
    typeof refId === 'string' &&
    refId.length >= COMPARE_SUFFIX.length &&
    refId.charCodeAt(refId.length - 1) === COMPARE_SUFFIX_LAST &&
    refId.endsWith(COMPARE_SUFFIX)
  );
}

function isTimeCompareFrame(frame: CompareFrameLike): boolean {
  return hasCompareRefId(frame.refId) || frame.meta?.timeCompare?.isTimeShiftQuery === true;
}

/**
 * Splits `data.series` into the current frames and the baseline frames Grafana's panel "Time comparison" adds
 * (refId `<refId>-compare`, `meta.timeCompare.isTimeShiftQuery`). Baseline frames get their original refId back,
 * so role detection sees the same queries on both sides; `shiftMs` is how far back they were taken (positive).
 * Without comparison frames, `current` is `series` itself (not a copy): every refresh of a map of thousands of
 * frames passes here, almost never with a comparison, and the frames are walked once.
 */
export function splitTimeCompareFrames<T extends CompareFrameLike>(
  series: readonly T[]
): { current: readonly T[]; baseline: T[]; shiftMs?: number } {
  let first = 0;
  while (first < series.length && !isTimeCompareFrame(series[first]!)) {
    first++;
  }
  if (first === series.length) {
    return { current: series, baseline: [] };
  }
  const current: T[] = series.slice(0, first);
  const baseline: T[] = [];
  let shiftMs: number | undefined;
  for (let i = first; i < series.length; i++) {
    const frame = series[i]!;
    if (!isTimeCompareFrame(frame)) {
      current.push(frame);
      continue;
    }
    const refId = frame.refId ?? '';
    baseline.push({ ...frame, refId: refId.endsWith(COMPARE_SUFFIX) ? refId.slice(0, -COMPARE_SUFFIX.length) : refId });
    const diff = frame.meta?.timeCompare?.diffMs;
    if (shiftMs === undefined && typeof diff === 'number' && Number.isFinite(diff)) {
      // diffMs is the baseline's start minus the current start: negative for a range in the past.
      shiftMs = Math.abs(diff);
    }
  }
  return shiftMs === undefined ? { current, baseline } : { current, baseline, shiftMs };
}
