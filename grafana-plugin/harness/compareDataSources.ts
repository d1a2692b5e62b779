/**
 * Harness stand-ins for the Mimir and Tempo data sources while comparing, installed with @grafana/runtime's
 * `setDataSourceSrv` so the panel's production path (its own targets re-run through
 * getDataSourceSrv().get(uid).query with the baseline's range) runs unchanged. The baseline is the demo before
 * the bad release (test/fixtures/compare.ts), counts scaled to the length of the range asked for; the release
 * query gets two versions of the selected service; Tempo answers the dot query with the recorded-format search
 * fixture, moved into the range asked for, the baseline's dots three times faster.
 */
import { dataFrameFromJSON, type DataFrameJSON, type DataQueryRequest } from '@grafana/data';
import { demoTopology, prometheusResponse, type Topology } from '../test/fixtures/serviceGraph';
import { framesFromResponse } from '../test/fixtures/load';
import searchSpans from '../test/fixtures/tempo/search-spans.json';
import { answer, exposeQueryLog, installFakeDataSources } from './fakeDataSources';
import { topologyDetailsFrames } from './topologyDetails';

export type CompareScenario = 'ok' | 'baseline-error' | 'baseline-empty' | 'one-version';

/** Every query the fakes answered, for browser tests (window.__lgtmapmQueries). */
const log: Array<{ uid: string; refIds: string[]; exprs: string[]; from: number; to: number }> = [];

/** Counts of a topology recorded over one hour, scaled to `seconds` of the same load. */
export function scaledTopology(t: Topology, seconds: number, fromSeconds = 3600): Topology {
  const k = seconds / fromSeconds;
  return {
    ...t,
    edges: t.edges.map((e) => ({
      ...e,
      calls: Math.round(e.calls * k),
      errors: Math.round(e.errors * k),
      buckets: e.buckets.map(([le, c]) => [le, Math.round(c * k)] as [number, number]),
      sumSeconds: e.sumSeconds === undefined ? undefined : e.sumSeconds * k,
    })),
  };
}

/** Server-span calls per version and step, in the wire shape of a Prometheus range query (one frame per version). */
function releaseFrames(versions: Array<{ version: string; from: number; to: number }>, stepMs: number) {
  return versions.map(({ version, from, to }) => {
    const times: number[] = [];
    const values: number[] = [];
    for (let t = from; t <= to; t += stepMs) {
      times.push(t);
      values.push(300);
    }
    return dataFrameFromJSON({
      schema: {
        refId: 'releases',
        fields: [
          { name: 'Time', type: 'time' as never },
          { name: 'Value', type: 'number' as never, labels: { service_version: version } },
        ],
      },
      data: { values: [times, values] },
    } as DataFrameJSON);
  });
}

/** The search fixture's dots moved into [from, to), durations multiplied by `slower`. */
function dotsIn(from: number, to: number, slower: number) {
  const frame = (Object.values(searchSpans.results)[0] as { frames: DataFrameJSON[] }).frames[0]!;
  const names = frame.schema!.fields.map((f) => f.name);
  const values = frame.data!.values.map((v) => [...(v as unknown[])]);
  const ti = names.indexOf('time');
  const di = names.indexOf('duration');
  const times = values[ti] as number[];
  const min = Math.min(...times);
  const max = Math.max(...times);
  const k = (to - from) / Math.max(1, max - min + 1);
  values[ti] = times.map((t) => from + Math.floor((t - min) * k));
  values[di] = (values[di] as number[]).map((d) => Math.round(d * slower));
  return [dataFrameFromJSON({ schema: frame.schema, data: { values } } as DataFrameJSON)];
}

export function installCompareDataSources(
  scenario: CompareScenario,
  current: { from: number; to: number },
  topologies: {
    /** The baseline's topology over one hour (default: the demo before the bad release). */
    baseline?: () => Topology;
    /** The current range's topology over one hour, for the details panel's queries (default: the baseline's). */
    current?: () => Topology;
  } = {}
): void {
  const baselineTopology = topologies.baseline ?? demoTopology;
  const currentTopology = topologies.current ?? baselineTopology;
  exposeQueryLog(log);
  // The new version rolled out when the current range starts; the old one ran for the three hours before it.
  const versions =
    scenario === 'one-version'
      ? [{ version: '1.4.0', from: current.from - 3 * 3_600_000, to: current.to }]
      : [
          { version: '1.3.2', from: current.from - 3 * 3_600_000, to: current.from - 60_000 },
          { version: '1.4.0', from: current.from, to: current.to },
        ];
  const inCurrent = (from: number) => from >= current.from;
  installFakeDataSources([
    {
      uid: 'mimir',
      type: 'prometheus',
      name: 'Mimir',
      query(req: DataQueryRequest) {
        const from = req.range.from.valueOf();
        const to = req.range.to.valueOf();
        const targets = req.targets as unknown as Array<{ refId: string; expr?: string }>;
        log.push({
          uid: 'mimir',
          refIds: targets.map((t) => t.refId),
          exprs: targets.map((t) => t.expr ?? ''),
          from,
          to,
        });
        if (targets.some((t) => t.expr?.includes('traces_spanmetrics_calls_total'))) {
          return answer(releaseFrames(versions, 60_000));
        }
        // The details panel of the selected node or link: its load over time and its instances.
        const details = topologyDetailsFrames(inCurrent(from) ? currentTopology() : baselineTopology(), {
          targets,
          from,
          to,
          intervalMs: req.intervalMs,
        });
        if (details) {
          return answer(details);
        }
        if (scenario === 'baseline-error') {
          return answer({ message: 'bad_data: query timed out in expression evaluation' });
        }
        if (scenario === 'baseline-empty') {
          return answer([]);
        }
        const seconds = (to - from) / 1000;
        const all = framesFromResponse(
          prometheusResponse(scaledTopology(baselineTopology(), seconds), { endMs: to, rangeSeconds: seconds })
        );
        const asked = new Set(targets.map((t) => t.refId));
        return answer(all.filter((f) => asked.has(f.refId ?? '')));
      },
    },
    {
      uid: 'tempo',
      type: 'tempo',
      name: 'Tempo',
      query(req: DataQueryRequest) {
        const from = req.range.from.valueOf();
        const to = req.range.to.valueOf();
        log.push({ uid: 'tempo', refIds: req.targets.map((t) => t.refId), exprs: [], from, to });
        const q = String((req.targets[0] as unknown as { query?: string }).query ?? '');
        if (q.includes('histogram_over_time')) {
          return answer([]);
        }
        // After the release the service is three times slower: the baseline's dots are a third of the current ones.
        return answer(dotsIn(from, to, inCurrent(from) ? 1 : 1 / 3));
      },
    },
  ]);
}
