/**
 * Load over time for the details panel: the two range queries' frames (`load-calls`, `load-errors`) → one bar
 * per interval with its calls and failed calls, as Pinpoint's load chart shows a node's or link's traffic.
 */
import { toNumber, type FieldLike, type FrameLike } from '../model/frames';

export interface LoadBar {
  /** End of the interval the bar counts, epoch ms (Prometheus labels an `increase` with its window's end). */
  t: number;
  calls: number;
  /** Undefined when the errors query did not answer. */
  errors?: number;
}

export interface LoadModel {
  bars: LoadBar[];
  /** Interval length in ms: Grafana's step from the time field, else the smallest gap between samples. */
  intervalMs?: number;
  totalCalls: number;
  totalErrors?: number;
  /** Samples that were NaN/±Inf and were left out. */
  skipped: number;
}

function timeFieldOf(frame: FrameLike): FieldLike | undefined {
  return frame.fields.find((f) => f.type === 'time' || f.name === 'Time' || f.name === 'time');
}

/** Sums every number field of the frames by timestamp (a `sum(...)` query has one series; more are added up). */
function pointsByTime(frames: FrameLike[]): { points: Map<number, number>; stepMs?: number; skipped: number } {
  const points = new Map<number, number>();
  let stepMs: number | undefined;
  let skipped = 0;
  for (const frame of frames) {
    const time = timeFieldOf(frame);
    if (!time) {
      continue;
    }
    const interval = (time.config as { interval?: unknown } | undefined)?.interval;
    if (typeof interval === 'number' && interval > 0) {
      stepMs = interval;
    }
    for (const field of frame.fields) {
      if (field === time || field.type !== 'number') {
        continue;
      }
      for (let i = 0; i < field.values.length; i++) {
        const t = toNumber(time.values[i]);
        const v = toNumber(field.values[i]);
        if (!Number.isFinite(t)) {
          continue;
        }
        if (!Number.isFinite(v)) {
          // Prometheus leaves a gap rather than NaN for an empty window; a NaN is worth counting.
          if (field.values[i] !== null && field.values[i] !== undefined) {
            skipped++;
          }
          continue;
        }
        points.set(t, (points.get(t) ?? 0) + v);
      }
    }
  }
  return { points, stepMs, skipped };
}

function smallestGap(times: number[]): number | undefined {
  let gap: number | undefined;
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d > 0 && (gap === undefined || d < gap)) {
      gap = d;
    }
  }
  return gap;
}

/**
 * `errorsAnswered` = the errors query succeeded. Tempo creates the failed-calls series only at the first
 * failure, so an interval with calls and no errors sample had none: it counts as 0, not as unknown.
 */
export function loadFromFrames(frames: FrameLike[], errorsAnswered = true): LoadModel {
  const calls = pointsByTime(frames.filter((f) => f.refId === 'load-calls'));
  const errors = pointsByTime(frames.filter((f) => f.refId === 'load-errors'));
  const times = [...new Set([...calls.points.keys(), ...errors.points.keys()])].sort((a, b) => a - b);
  const bars: LoadBar[] = times.map((t) => ({
    t,
    calls: calls.points.get(t) ?? 0,
    errors: errorsAnswered ? (errors.points.get(t) ?? 0) : undefined,
  }));
  const totalCalls = bars.reduce((s, b) => s + b.calls, 0);
  return {
    bars,
    intervalMs: calls.stepMs ?? errors.stepMs ?? smallestGap(times),
    totalCalls,
    totalErrors: errorsAnswered ? bars.reduce((s, b) => s + (b.errors ?? 0), 0) : undefined,
    skipped: calls.skipped + errors.skipped,
  };
}
