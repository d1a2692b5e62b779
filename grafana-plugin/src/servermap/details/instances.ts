/**
 * Per-instance breakdown for the details panel (Pinpoint's agent list): the instant queries' frames
 * (`instances-calls`, `-errors`, `-durationSum`, `-p95`, `-roster`) → one row per `instance` label.
 */
import { readSeries, type FrameLike } from '../model';
import { type InstanceSeries } from '../../traceql';

export interface InstanceRow {
  /** The `instance` label: `service.instance.id` (a UUID for the project's SDK). */
  instance: string;
  host?: string;
  pid?: string;
  calls: number;
  errors: number;
  errorRate?: number;
  /** Exact: the histogram's sum ÷ count. */
  avgMs?: number;
  /** Interpolated inside the histogram's buckets (histogram_quantile): an estimate. */
  p95Ms?: number;
}

export interface InstancesModel {
  rows: InstanceRow[];
  /** Instances with requests but no roster entry, or the reverse, are still listed; this only says if any ran. */
  anyTraffic: boolean;
  /**
   * The service has the HTTP server metric at all. Without it (not an HTTP server, or an SDK on the old HTTP
   * conventions) the roster's instances have unknown numbers, not zero.
   */
  httpMetric: boolean;
}

function newest(values: number[]): number | undefined {
  const v = values[values.length - 1];
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** Reads the frames of one request holding all five queries (told apart by refId). */
export function instancesFromFrames(frames: FrameLike[]): InstancesModel {
  const rows = new Map<string, InstanceRow>();
  const row = (instance: string): InstanceRow => {
    let r = rows.get(instance);
    if (!r) {
      r = { instance, calls: 0, errors: 0 };
      rows.set(instance, r);
    }
    return r;
  };
  const bySeries = (series: InstanceSeries) => readSeries(frames.filter((f) => f.refId === `instances-${series}`));
  for (const s of bySeries('roster')) {
    const instance = s.labels.instance;
    if (instance) {
      const r = row(instance);
      r.host = s.labels.host_name || undefined;
      r.pid = s.labels.process_pid || undefined;
    }
  }
  const durationSum = new Map<string, number>();
  const httpMetric = bySeries('calls').length > 0;
  for (const [series, apply] of [
    ['calls', (r: InstanceRow, v: number) => (r.calls = v)],
    ['errors', (r: InstanceRow, v: number) => (r.errors = v)],
    ['durationSum', (r: InstanceRow, v: number) => durationSum.set(r.instance, v)],
    ['p95', (r: InstanceRow, v: number) => (r.p95Ms = v * 1000)],
  ] as const) {
    for (const s of bySeries(series)) {
      const instance = s.labels.instance;
      const v = newest(s.values);
      if (instance && v !== undefined) {
        apply(row(instance), v);
      }
    }
  }
  for (const r of rows.values()) {
    if (r.calls > 0) {
      r.errorRate = r.errors / r.calls;
      const sum = durationSum.get(r.instance);
      r.avgMs = sum === undefined ? undefined : (sum / r.calls) * 1000;
    }
  }
  const sorted = [...rows.values()].sort((a, b) => b.calls - a.calls || a.instance.localeCompare(b.instance));
  return { rows: sorted, anyTraffic: sorted.some((r) => r.calls > 0), httpMetric };
}
