/**
 * Answers the details panel's Prometheus queries (load over time `load-*`, per instance `instances-*`) from a
 * harness topology, so a fixture whose map is generated (compare) shows a filled details panel: the numbers are
 * the topology's own, spread over the range asked for. Frames in the Prometheus data source's wire shape.
 */
import { dataFrameFromJSON, type DataFrame, type DataFrameJSON } from '@grafana/data';
import { type Topology, type TopologyEdge } from '../test/fixtures/serviceGraph';

/** The counts of a topology over `rangeMs` as counts per hour (what topologyDetailsFrames spreads over a range). */
export function perHour(t: Topology, rangeMs: number): Topology {
  const k = 3_600_000 / rangeMs;
  return {
    instances: t.instances,
    edges: t.edges.map((e) => ({
      ...e,
      calls: e.calls * k,
      errors: e.errors * k,
      buckets: e.buckets.map(([le, n]) => [le, n * k] as [number, number]),
      sumSeconds: e.sumSeconds === undefined ? undefined : e.sumSeconds * k,
    })),
  };
}

/** `name="value"` matchers of the expression's first selector (`{client="a", server="b"}`). */
export function selectorMatchers(expr: string): Record<string, string> {
  const selector = /\{([^}]*)\}/.exec(expr)?.[1] ?? '';
  const out: Record<string, string> = {};
  for (const m of selector.matchAll(/(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) {
    out[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  }
  return out;
}

function seriesFrame(refId: string, labels: Record<string, string>, times: number[], values: number[]): DataFrame {
  return dataFrameFromJSON({
    schema: {
      refId,
      fields: [
        { name: 'Time', type: 'time' as never },
        { name: 'Value', type: 'number' as never, labels },
      ],
    },
    data: { values: [times, values] },
  } as DataFrameJSON);
}

function matches(e: TopologyEdge, m: Record<string, string>): boolean {
  return (
    (m.client === undefined || e.client === m.client) &&
    (m.server === undefined || e.server === m.server) &&
    (m.client_service_namespace === undefined || e.clientNamespace === m.client_service_namespace) &&
    (m.server_service_namespace === undefined || e.serverNamespace === m.server_service_namespace)
  );
}

/** The bucket bound (seconds) holding the 95th percentile of cumulative counts, like histogram_quantile's bucket. */
function p95Seconds(buckets: Array<[number, number]>): number | undefined {
  const total = buckets[buckets.length - 1]?.[1] ?? 0;
  const bucket = buckets.find(([, c]) => c >= total * 0.95);
  return total > 0 && bucket && Number.isFinite(bucket[0]) ? bucket[0] : undefined;
}

/** A target's minimum interval ("30s", "1m") in ms, as Grafana's Prometheus data source reads it; 0 when unset. */
function minIntervalMs(interval: string | undefined): number {
  const m = /^(\d+)(s|m)$/.exec(interval ?? '');
  return m ? Number(m[1]) * (m[2] === 'm' ? 60_000 : 1000) : 0;
}

export interface DetailsRequest {
  targets: Array<{ refId: string; expr?: string; interval?: string }>;
  from: number;
  to: number;
  intervalMs: number;
}

/**
 * Frames for the request's `load-*` and `instances-*` targets, or undefined when it holds neither. `perHour` is
 * the topology over one hour of the load the range had (counts are scaled to the range, or to each interval).
 */
export function topologyDetailsFrames(perHour: Topology, req: DetailsRequest): DataFrame[] | undefined {
  const asked = req.targets.filter((t) => t.refId.startsWith('load-') || t.refId.startsWith('instances-'));
  if (asked.length === 0) {
    return undefined;
  }
  const frames: DataFrame[] = [];
  for (const t of asked) {
    const m = selectorMatchers(t.expr ?? '');
    if (t.refId.startsWith('load-')) {
      const edges = perHour.edges.filter((e) => matches(e, m));
      const total = edges.reduce((s, e) => s + (t.refId === 'load-errors' ? e.errors : e.calls), 0);
      if (edges.length === 0 || total === 0) {
        continue; // Prometheus answers no series for a selector that matches none.
      }
      // The step Grafana's Prometheus data source would use: the request's interval, at least the target's.
      const stepMs = Math.max(req.intervalMs, minIntervalMs(t.interval));
      const perInterval = (total * stepMs) / 3_600_000;
      const times: number[] = [];
      const values: number[] = [];
      // A gentle wave, so a chart of the answer is not a flat bar row (deterministic: same every run).
      for (let time = req.from + stepMs, i = 0; time <= req.to; time += stepMs, i++) {
        times.push(time);
        values.push(Math.round(perInterval * (1 + 0.25 * Math.sin(i / 4))));
      }
      frames.push(seriesFrame(t.refId, {}, times, values));
      continue;
    }
    const service = m.service_name;
    const into = perHour.edges.filter((e) => e.server === service);
    const count = service ? (perHour.instances[service] ?? (into.length > 0 ? 1 : 0)) : 0;
    const k = (req.to - req.from) / 3_600_000 / Math.max(1, count);
    const calls = into.reduce((s, e) => s + e.calls, 0);
    const errors = into.reduce((s, e) => s + e.errors, 0);
    const seconds = into.reduce((s, e) => s + (e.sumSeconds ?? 0), 0);
    const p95 = p95Seconds(into[0]?.buckets ?? []);
    for (let i = 1; i <= count; i++) {
      const instance = `${service}-${i}`;
      const value: Record<string, number | undefined> = {
        'instances-calls': Math.round(calls * k),
        'instances-errors': errors > 0 ? Math.round(errors * k) : undefined,
        'instances-durationSum': seconds > 0 ? seconds * k : undefined,
        'instances-p95': p95,
        'instances-roster': 1,
      };
      const v = value[t.refId];
      if (v !== undefined) {
        const labels: Record<string, string> =
          t.refId === 'instances-roster' ? { instance, host_name: `host-${i}`, process_pid: String(1000 + i) } : { instance };
        frames.push(seriesFrame(t.refId, labels, [req.to], [v]));
      }
    }
  }
  return frames;
}
