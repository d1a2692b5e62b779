/**
 * The details panel's models and query inputs, fed with what real Prometheus 3 / Tempo v3.0.3 answered while two
 * copies of the demo ran (test/fixtures/recorded/details, README there).
 */
import { buildServerMap, type ServerMap, type FrameLike } from '../../src/servermap/model';
import { loadFromFrames } from '../../src/servermap/details/load';
import { instancesFromFrames } from '../../src/servermap/details/instances';
import { metricsDatasourceUid } from '../../src/servermap/details/datasource';
import { instanceSelector, linkScatterNote, loadSelector, traceLinkOf } from '../../src/servermap/details/selectors';
import {
  buildDotsQuery,
  buildHistogramQuery,
  buildInstanceQueries,
  buildLoadQuery,
  linkSpanService,
} from '../../src/traceql';
import { detailsManifest, detailsProm } from '../fixtures/recorded/details';
import { detailsMapFrames, detailsPromFrames } from '../fixtures/recorded/detailsFrames';

function recordedMap(): ServerMap {
  const built = buildServerMap(detailsMapFrames(), { rangeSeconds: detailsManifest.rangeSeconds });
  if (!built.ok) {
    throw new Error(built.error);
  }
  return built.map;
}

const sum = (file: string) => (detailsProm[file]!.data!.result[0]?.values ?? []).reduce((s, [, v]) => s + Number(v), 0);

describe('the recording is what the panel asks for', () => {
  const map = recordedMap();
  const orders = map.nodes.find((n) => n.name === 'orders')!;
  const gateway = map.nodes.find((n) => n.name === 'gateway')!;
  const edge = map.edges.find((e) => e.source === gateway.id && e.target === orders.id)!;
  const q = detailsManifest.queries;

  it('load queries for the node orders and the link gateway → orders', () => {
    const node = loadSelector(orders)!;
    const link = loadSelector(undefined, { source: gateway, target: orders })!;
    expect(buildLoadQuery('calls', node)).toBe(q['prometheus/load-node-calls']);
    expect(buildLoadQuery('errors', node)).toBe(q['prometheus/load-node-errors']);
    expect(buildLoadQuery('calls', link)).toBe(q['prometheus/load-link-calls']);
    expect(buildLoadQuery('errors', link)).toBe(q['prometheus/load-link-errors']);
  });

  it('instance queries for orders', () => {
    const built = buildInstanceQueries(instanceSelector(orders)!);
    for (const [series, text] of Object.entries(built)) {
      expect(text.replaceAll('$__range', `${detailsManifest.rangeSeconds}s`)).toBe(q[`prometheus/instances-${series}`]);
    }
  });

  it('the link-filtered scatter’s dots and heatmap', () => {
    const link = traceLinkOf(edge, gateway, orders);
    const service = linkSpanService(link);
    expect(service).toBe('gateway');
    expect(buildDotsQuery({ service, link })).toBe((q['tempo/link-dots'] as { q: string }).q);
    expect(buildHistogramQuery({ service, link })).toBe((q['tempo/link-histogram'] as { q: string }).q);
    expect(buildDotsQuery({ service: 'orders' })).toBe((q['tempo/service-dots'] as { q: string }).q);
  });
});

describe('load over time', () => {
  const frames = [
    ...detailsPromFrames('load-node-calls', 'load-calls'),
    ...detailsPromFrames('load-node-errors', 'load-errors'),
  ];

  it('gives one bar per recorded interval with its calls and errors', () => {
    const load = loadFromFrames(frames as FrameLike[]);
    const calls = detailsProm['load-node-calls']!.data!.result[0]!.values!;
    expect(load.bars.map((b) => b.t)).toEqual(calls.map(([t]) => t * 1000));
    expect(load.bars.map((b) => b.calls)).toEqual(calls.map(([, v]) => Number(v)));
    expect(load.totalCalls).toBeCloseTo(sum('load-node-calls'), 6);
    expect(load.totalErrors).toBeCloseTo(sum('load-node-errors'), 6);
    expect(load.intervalMs).toBe(detailsManifest.stepSeconds * 1000);
    expect(load.totalErrors!).toBeGreaterThan(0);
    expect(load.skipped).toBe(0);
  });

  it('reads an interval without an errors sample as 0 errors, and errors as unknown when their query failed', () => {
    const callsOnly = detailsPromFrames('load-node-calls', 'load-calls') as FrameLike[];
    expect(loadFromFrames(callsOnly).bars.every((b) => b.errors === 0)).toBe(true);
    const unknown = loadFromFrames(callsOnly, false);
    expect(unknown.bars.every((b) => b.errors === undefined)).toBe(true);
    expect(unknown.totalErrors).toBeUndefined();
  });

  it('takes Grafana’s step from the time field, sums several series, counts NaN samples and tolerates no data', () => {
    const frame = (refId: string, times: number[], values: unknown[]): FrameLike => ({
      refId,
      fields: [
        { name: 'Time', type: 'time', values: times, config: { interval: 60_000 } as never },
        { name: 'Value', type: 'number', values },
      ],
    });
    const load = loadFromFrames([
      frame('load-calls', [60_000, 180_000], [10, 20]),
      frame('load-calls', [60_000], [5]),
      frame('load-errors', [180_000], [Number.NaN]),
    ]);
    expect(load.intervalMs).toBe(60_000);
    expect(load.bars).toEqual([
      { t: 60_000, calls: 15, errors: 0 },
      { t: 180_000, calls: 20, errors: 0 },
    ]);
    expect(load.skipped).toBe(1);
    expect(loadFromFrames([])).toEqual({ bars: [], intervalMs: undefined, totalCalls: 0, totalErrors: 0, skipped: 0 });
  });
});

describe('instances', () => {
  const frames = ['calls', 'errors', 'durationSum', 'p95', 'roster'].flatMap((s) =>
    detailsPromFrames(`instances-${s}`, `instances-${s}`)
  ) as FrameLike[];
  const value = (file: string, instance: string) =>
    Number(detailsProm[file]!.data!.result.find((r) => r.metric.instance === instance)!.value![1]);

  it('lists both recorded orders instances with calls, errors, exact average and p95', () => {
    const { rows, anyTraffic, httpMetric } = instancesFromFrames(frames);
    expect([anyTraffic, httpMetric]).toEqual([true, true]);
    const roster = detailsProm['instances-roster']!.data!.result;
    expect(rows.map((r) => r.instance).sort()).toEqual(roster.map((r) => r.metric.instance).sort());
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.calls).toBe(value('instances-calls', r.instance));
      expect(r.errors).toBe(value('instances-errors', r.instance));
      expect(r.errorRate).toBeCloseTo(r.errors / r.calls, 12);
      expect(r.avgMs).toBeCloseTo((value('instances-durationSum', r.instance) / r.calls) * 1000, 9);
      expect(r.p95Ms).toBeCloseTo(value('instances-p95', r.instance) * 1000, 9);
      const entry = roster.find((x) => x.metric.instance === r.instance)!;
      expect([r.host, r.pid]).toEqual([entry.metric.host_name, entry.metric.process_pid]);
    }
    // Busiest first.
    expect(rows[0]!.calls).toBeGreaterThanOrEqual(rows[1]!.calls);
  });

  it('keeps an idle instance from the roster, and an instance with no error series has 0 errors', () => {
    const frame = (refId: string, instance: string, v: number, extra: Record<string, string> = {}): FrameLike => ({
      refId,
      fields: [
        { name: 'Time', type: 'time', values: [1] },
        { name: 'Value', type: 'number', labels: { instance, ...extra }, values: [v] },
      ],
    });
    const { rows, anyTraffic } = instancesFromFrames([
      frame('instances-roster', 'idle', 1, { host_name: 'h1' }),
      frame('instances-roster', 'busy', 1),
      frame('instances-calls', 'busy', 10),
      frame('instances-durationSum', 'busy', 0.5),
      frame('instances-p95', 'busy', Number.NaN),
    ]);
    expect(anyTraffic).toBe(true);
    expect(rows).toEqual([
      { instance: 'busy', calls: 10, errors: 0, errorRate: 0, avgMs: 50 },
      { instance: 'idle', host: 'h1', calls: 0, errors: 0 },
    ]);
    expect(instancesFromFrames([])).toEqual({ rows: [], anyTraffic: false, httpMetric: false });
    // Only the roster: a service without the HTTP server metric has instances with unknown numbers.
    const rosterOnly = instancesFromFrames([frame('instances-roster', 'worker-1', 1)]);
    expect(rosterOnly).toMatchObject({ httpMetric: false, anyTraffic: false, rows: [{ instance: 'worker-1' }] });
  });
});

describe('what the details query', () => {
  const map = recordedMap();
  const node = (name: string) => map.nodes.find((n) => n.name === name)!;

  it('a node’s inbound series, the user’s outbound series, a link’s own', () => {
    expect(loadSelector(node('orders'))).toEqual({ server: { name: 'orders', namespace: 'demo' } });
    expect(loadSelector(node('postgresql'))).toEqual({ server: { name: 'postgresql', namespace: undefined } });
    expect(loadSelector(node('user'))).toEqual({ client: { name: 'user', namespace: undefined } });
    expect(loadSelector(undefined, { source: node('user'), target: node('gateway') })).toEqual({
      client: { name: 'user', namespace: undefined },
      server: { name: 'gateway', namespace: 'demo' },
    });
    expect(loadSelector()).toBeUndefined();
  });

  it('says what the scatter shows for a link', () => {
    const link = (a: string, b: string) => {
      const e = map.edges.find((x) => x.source === node(a).id && x.target === node(b).id)!;
      return linkScatterNote(traceLinkOf(e, node(a), node(b)));
    };
    expect(link('user', 'gateway')).toBe(
      'The scatter shows the requests that start a trace in gateway (its root server spans).'
    );
    expect(link('orders', 'payments')).toBe(
      "The scatter shows orders's calls answered by payments (client spans of orders)."
    );
    expect(link('orders', 'postgresql')).toBe(
      "The scatter shows orders's calls to postgresql (client spans of orders)."
    );
  });

  it('instances only for services', () => {
    expect(instanceSelector(node('orders'))).toEqual({ service: 'orders', namespace: 'demo' });
    for (const name of ['user', 'postgresql', 'redis', '127.0.0.1']) {
      expect(instanceSelector(node(name))).toBeUndefined();
    }
  });

  it('the Prometheus data source of the panel’s calls query, else the fallback', () => {
    const prom = (uid: string, expr: string, type = 'prometheus') => ({ refId: uid, expr, datasource: { uid, type } });
    expect(
      metricsDatasourceUid(
        [
          prom('other', 'count by (service_name) (target_info)'),
          prom('mimir-eu', 'sum(increase(traces_service_graph_request_total[$__range]))'),
        ],
        'mimir'
      )
    ).toBe('mimir-eu');
    expect(metricsDatasourceUid([prom('other', 'count by (service_name) (target_info)')], 'mimir')).toBe('other');
    expect(
      metricsDatasourceUid(
        [{ refId: 'A', queryType: 'serviceMap', datasource: { uid: 'tempo', type: 'tempo' } }],
        'mimir'
      )
    ).toBe('mimir');
    expect(metricsDatasourceUid([{ refId: 'A', expr: 'up' }], 'mimir')).toBe('mimir');
    expect(metricsDatasourceUid(undefined, 'mimir')).toBe('mimir');
  });
});
