/**
 * TraceQL metrics `histogram_over_time(duration)` frames → a time × duration count grid (the underlay drawn
 * when the dot query was truncated), and numeric time series → the runtime overlay band.
 *
 * Grafana's Tempo backend returns one frame per series: fields [time, value], the value field named after the
 * single label's value and labelled `__bucket` = the bucket's upper bound in seconds (powers of two).
 */
import { FrameFormatError, frameLength, isFrameLike, toEpochMs, toNumber, type FrameLike } from './frameLike';

export interface HeatmapGrid {
  /** Column start times, epoch ms, ascending. */
  times: number[];
  /** Column width, ms. */
  stepMs: number;
  /** Bucket upper bounds, ms, ascending. A bucket spans (bound / 2, bound]. */
  bucketsMs: number[];
  /** counts[col * buckets + b]. */
  counts: Float64Array;
  maxCount: number;
  /** Sum of all counts: the number of transactions Tempo saw in the range (M in "N of M shown"). */
  total: number;
}

function bucketOf(frame: FrameLike): number | undefined {
  for (const f of frame.fields) {
    const label = f.labels?.['__bucket'];
    if (label !== undefined) {
      return Number(label);
    }
  }
  return undefined;
}

export function heatmapFromFrames(frames: unknown[]): HeatmapGrid | undefined {
  const series: Array<{ bucket: number; t: number[]; v: number[] }> = [];
  for (const frame of frames) {
    if (!isFrameLike(frame)) {
      continue;
    }
    const bucket = bucketOf(frame);
    if (bucket === undefined) {
      // Exemplar frames and anything else that is not a histogram series.
      continue;
    }
    if (!Number.isFinite(bucket) || bucket <= 0) {
      throw new FrameFormatError(`Histogram series with an invalid __bucket label: ${bucket}`);
    }
    const time = frame.fields.find((f) => f.type === 'time' || f.name.toLowerCase() === 'time');
    const value = frame.fields.find((f) => f !== time && (f.type === 'number' || f.labels?.['__bucket'] !== undefined));
    if (!time || !value) {
      throw new FrameFormatError('Histogram series without a time and a value field');
    }
    const n = frameLength(frame);
    const t: number[] = [];
    const v: number[] = [];
    for (let i = 0; i < n; i++) {
      const ti = toEpochMs(time.values[i]);
      const vi = toNumber(value.values[i]);
      if (Number.isFinite(ti) && Number.isFinite(vi)) {
        t.push(ti);
        v.push(vi);
      }
    }
    series.push({ bucket: bucket * 1000, t, v });
  }
  if (series.length === 0) {
    return undefined;
  }
  const sampleTimes = [...new Set(series.flatMap((s) => s.t))].sort((a, b) => a - b);
  const bucketsMs = [...new Set(series.map((s) => s.bucket))].sort((a, b) => a - b);
  const diffs: number[] = [];
  for (let i = 1; i < sampleTimes.length; i++) {
    diffs.push(sampleTimes[i]! - sampleTimes[i - 1]!);
  }
  diffs.sort((a, b) => a - b);
  const stepMs = diffs.length ? diffs[Math.floor(diffs.length / 2)]! : 60_000;
  // Tempo's TraceQL metrics intervals are right-closed and a sample carries its interval's END
  // (IntervalMapperQueryRange.TimestampOf in pkg/traceql/engine_metrics.go; measured on v3.0.3: the sample
  // at T counts the spans that started in (T - step, T]). Columns are drawn from their start.
  const times = sampleTimes.map((t) => t - stepMs);
  const col = new Map(sampleTimes.map((t, i) => [t, i]));
  const row = new Map(bucketsMs.map((b, i) => [b, i]));
  const counts = new Float64Array(times.length * bucketsMs.length);
  let maxCount = 0;
  let total = 0;
  for (const s of series) {
    const b = row.get(s.bucket)!;
    for (let i = 0; i < s.t.length; i++) {
      const idx = col.get(s.t[i]!)! * bucketsMs.length + b;
      counts[idx]! += s.v[i]!;
      total += s.v[i]!;
      if (counts[idx]! > maxCount) {
        maxCount = counts[idx]!;
      }
    }
  }
  return { times, stepMs, bucketsMs, counts, maxCount, total: Math.round(total) };
}

export interface RuntimeSeries {
  t: Float64Array;
  v: Float64Array;
  max: number;
}

/** Numeric time series (Prometheus range frames) → one series, worst value per timestamp. */
export function runtimeSeriesFromFrames(frames: unknown[]): RuntimeSeries | undefined {
  const byTime = new Map<number, number>();
  for (const frame of frames) {
    if (!isFrameLike(frame)) {
      continue;
    }
    const time = frame.fields.find((f) => f.type === 'time');
    const value = frame.fields.find((f) => f.type === 'number');
    if (!time || !value) {
      continue;
    }
    const n = frameLength(frame);
    for (let i = 0; i < n; i++) {
      const t = toEpochMs(time.values[i]);
      const v = toNumber(value.values[i]);
      if (Number.isFinite(t) && Number.isFinite(v)) {
        byTime.set(t, Math.max(v, byTime.get(t) ?? Number.NEGATIVE_INFINITY));
      }
    }
  }
  if (byTime.size === 0) {
    return undefined;
  }
  const entries = [...byTime.entries()].sort((a, b) => a[0] - b[0]);
  const t = new Float64Array(entries.map((e) => e[0]));
  const v = new Float64Array(entries.map((e) => e[1]));
  return { t, v, max: Math.max(...v) };
}
