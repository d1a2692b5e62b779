import { buildServerMap, filterMap, quantileMs, normaliseBuckets, type ServerMap } from '../../src/servermap/model';
import { demoTopology, generateTopology, prometheusResponse, tempoServiceGraphFrames, bucketsFrom } from '../fixtures/serviceGraph';
import { framesFromResponse, framesFromWire } from '../fixtures/load';

function ok(result: ReturnType<typeof buildServerMap>): ServerMap {
  if (!result.ok) {
    throw new Error(`expected a map, got: ${result.error}`);
  }
  return result.map;
}

const node = (m: ServerMap, name: string) => m.nodes.find((n) => n.name === name)!;
const edge = (m: ServerMap, from: string, to: string) => m.edges.find((e) => e.source.endsWith(from) && e.target.endsWith(to))!;

describe('buildServerMap from Prometheus frames (demo topology)', () => {
  const frames = framesFromResponse(prometheusResponse(demoTopology()));
  const map = ok(buildServerMap(frames, { rangeSeconds: 3600 }));

  it('has the demo nodes with their kinds and instance counts', () => {
    const kinds = Object.fromEntries(map.nodes.map((n) => [n.name, n.kind]));
    expect(kinds).toEqual({
      user: 'user',
      gateway: 'service',
      orders: 'service',
      payments: 'service',
      postgresql: 'database',
      redis: 'cache',
      external: 'external',
    });
    expect(node(map, 'orders').instances).toBe(2);
    expect(node(map, 'orders').id).toBe('demo/orders');
    expect(node(map, 'postgresql').system).toBe('postgresql');
    expect(map.edges).toHaveLength(6);
  });

  it('sums calls and errors per edge and per node (inbound)', () => {
    const gw = edge(map, 'user', 'gateway');
    expect(gw.stats.calls).toBe(18000);
    expect(gw.stats.errors).toBe(900);
    expect(gw.stats.errorRate).toBeCloseTo(0.05);
    expect(gw.stats.ratePerSecond).toBeCloseTo(5);
    expect(node(map, 'orders').inbound.calls).toBe(14400);
    expect(node(map, 'orders').outbound.calls).toBe(7200 + 14400 + 21600);
    // Edges without a failed_total series have zero (known) errors, not unknown.
    expect(edge(map, 'orders', 'redis').stats.errors).toBe(0);
  });

  it('builds the exact Pinpoint histogram when bounds include 1/3/5 s', () => {
    const h = edge(map, 'user', 'gateway').stats.histogram!;
    expect(h).toEqual({ le1s: 9000 + 4200 + 2700, le3s: 1200, le5s: 500, slow: 400, error: 900, approximate: false });
    // T = 1 s is a bound, 4T = 4 s is not (interpolated halfway between 3 s: 17100 and 5 s: 17600).
    expect(edge(map, 'user', 'gateway').stats.apdex).toBeCloseTo((15900 + (17350 - 15900) / 2) / 18000);
    expect(edge(map, 'user', 'gateway').stats.apdexApproximate).toBe(true);
    const exact = ok(buildServerMap(frames, { apdexThresholdSeconds: 0.075 + 0.025 }));
    expect(exact.edges[0]!.stats.apdexApproximate).toBe(true); // 0.4 s is not a bound either
  });

  it('computes percentiles like histogram_quantile', () => {
    const s = edge(map, 'orders', 'payments').stats;
    // 7200 calls: 6000 ≤ 0.1 s → p50 inside the first bucket: 0.1 * 3600/6000 = 60 ms.
    expect(s.p50Ms).toBeCloseTo(60);
    // p99 rank 7128: bucket (0.3, 1] holds 6900..7150 → 0.3 + 0.7 * 228/250.
    expect(s.p99Ms).toBeCloseTo((0.3 + (0.7 * 228) / 250) * 1000);
  });

  it('gives the same numbers for range queries (newest sample holds increase over the range)', () => {
    const range = ok(buildServerMap(framesFromResponse(prometheusResponse(demoTopology(), { range: true })), { rangeSeconds: 3600 }));
    expect(edge(range, 'user', 'gateway').stats.calls).toBeCloseTo(18000);
    expect(edge(range, 'orders', 'payments').stats.histogram).toEqual(edge(map, 'orders', 'payments').stats.histogram);
  });
});

describe('buildServerMap from Tempo Service Graph frames', () => {
  const topo = demoTopology();
  const map = ok(buildServerMap(framesFromWire(tempoServiceGraphFrames(topo, 3600)), { rangeSeconds: 3600 }));

  it('produces the same nodes, kinds and call counts as the Prometheus input', () => {
    const prom = ok(buildServerMap(framesFromResponse(prometheusResponse(topo)), { rangeSeconds: 3600 }));
    expect(map.input).toBe('tempo');
    // Grafana marks virtual nodes and databases `isinstrumented = false`: the unknown host is external again.
    expect(map.nodes.map((n) => [n.id, n.kind]).sort()).toEqual(prom.nodes.map((n) => [n.id, n.kind]).sort());
    expect(node(map, 'external').kind).toBe('external');
    expect(edge(map, 'user', 'gateway').stats.calls).toBeCloseTo(18000, -1);
    expect(node(map, 'gateway').inbound.errors).toBeCloseTo(900, -1);
    expect(map.warnings.join(' ')).toMatch(/no histogram/);
  });

  it('reads frames from Grafana before 11.5 (no isinstrumented field): the unknown leaf host reads as a service', () => {
    const old = ok(buildServerMap(framesFromWire(tempoServiceGraphFrames(topo, 3600, 'A', { isInstrumentedField: false })), { rangeSeconds: 3600 }));
    expect(node(old, 'external').kind).toBe('service');
    // Known database/cache names still get their kind from the name.
    expect(node(old, 'postgresql').kind).toBe('database');
    expect(node(old, 'redis').kind).toBe('cache');
  });
});

describe('garbage in → a clear message, never an exception', () => {
  it('says which refIds it expected when the roles are missing', () => {
    const res = buildServerMap([{ refId: 'A', fields: [{ name: 'Value', type: 'number', values: [1] }] }]);
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error).toMatch(/expected a query on traces_service_graph_request_total \(or one with refId "calls"\).*got refIds: A/);
  });

  it('names the missing labels when the aggregation is wrong', () => {
    const res = buildServerMap([
      { refId: 'calls', fields: [{ name: 'Time', type: 'time', values: [1] }, { name: 'Value', type: 'number', labels: { job: 'x' }, values: [3] }] },
    ]);
    expect(!res.ok && res.error).toMatch(/labelled \{job\} but the server map needs client, server/);
  });

  it('reports empty data and no traffic', () => {
    expect(buildServerMap([]).ok).toBe(false);
    expect(buildServerMap(undefined).ok).toBe(false);
    const res = buildServerMap([{ refId: 'calls', fields: [] }]);
    expect(!res.ok && res.error).toMatch(/No traffic/);
  });

  it('skips NaN samples with a warning', () => {
    const map = ok(
      buildServerMap([
        {
          refId: 'calls',
          fields: [
            { name: 'Time', type: 'time', values: [1, 2] },
            { name: 'Value', type: 'number', labels: { client: 'a', server: 'b' }, values: [10, Number.NaN] },
          ],
        },
      ]),
    );
    expect(map.edges[0]!.stats.calls).toBe(10);
    expect(map.warnings.join('\n')).toMatch(/1 NaN/);
    expect(map.warnings.join('\n')).toMatch(/no "errors" query/);
  });

  it('turns a raw counter range series into its increase across a reset', () => {
    const map = ok(
      buildServerMap([
        {
          refId: 'calls',
          fields: [
            { name: 'Time', type: 'time', values: [1, 2, 3, 4] },
            { name: 'Value', type: 'number', labels: { __name__: 'traces_service_graph_request_total', client: 'a', server: 'b' }, values: [100, 150, 20, 50] },
          ],
        },
      ]),
    );
    // 100→150 (+50), reset to 20 (+20), 20→50 (+30)
    expect(map.edges[0]!.stats.calls).toBe(100);
  });

  it('handles a latency query without +Inf bucket and non-monotonic counts', () => {
    expect(normaliseBuckets([[1, 5], [0.5, 3]])).toBeUndefined();
    expect(normaliseBuckets([[1, 5], [0.5, 6], [Infinity, 7]])).toEqual([[0.5, 6], [1, 6], [Infinity, 7]]);
    // Duplicate bounds (two series for one bound) are summed first, then counts are made monotonic.
    expect(normaliseBuckets([[1, 5], [0.5, 8], [1, 2], [Infinity, 9], [Number.NaN, 4], [3, -1]])).toEqual([[0.5, 8], [1, 8], [Infinity, 9]]);
    expect(normaliseBuckets([[0.5, 1], [0.5, 2], [Infinity, 2]])).toEqual([[0.5, 3], [Infinity, 3]]);
    expect(quantileMs([[1, 0], [Infinity, 10]], 0.5)).toBe(1000);
  });

  it('marks histogram and Apdex approximate with Tempo default buckets', () => {
    const b: Array<[number, number]> = [[0.1, 10], [0.2, 20], [0.4, 40], [0.8, 60], [1.6, 80], [3.2, 90], [6.4, 95], [12.8, 99], [Infinity, 100]];
    const map = ok(
      buildServerMap(
        [
          { refId: 'calls', fields: [{ name: 'Value', type: 'number', labels: { client: 'a', server: 'b' }, values: [100] }] },
          ...b.map(([le, v]) => ({
            refId: 'latency',
            fields: [{ name: 'Value', type: 'number', labels: { client: 'a', server: 'b', le: Number.isFinite(le) ? String(le) : '+Inf' }, values: [v] }],
          })),
        ],
        { apdexThresholdSeconds: 0.5 },
      ),
    );
    const s = map.edges[0]!.stats;
    expect(s.histogram!.approximate).toBe(true);
    expect(s.histogram!.le1s + s.histogram!.le3s + s.histogram!.le5s + s.histogram!.slow).toBeCloseTo(100);
    // T = 0.5 s and 4T = 2 s are not bounds: interpolated and flagged.
    expect(s.apdexApproximate).toBe(true);
    expect(s.apdex).toBeGreaterThan(0.4);
    expect(s.apdex).toBeLessThan(0.9);
  });

  it('copes with 50,000 edges by keeping the busiest and saying so', () => {
    const fields = (i: number) => [{ name: 'Value', type: 'number', labels: { client: `c${i % 500}`, server: `s${i}` }, values: [i + 1] }];
    const frames = Array.from({ length: 50000 }, (_, i) => ({ refId: 'calls', fields: fields(i) }));
    const map = ok(buildServerMap(frames, { maxEdges: 20000 }));
    expect(map.edges).toHaveLength(20000);
    expect(Math.min(...map.edges.map((e) => e.stats.calls))).toBe(30001);
    expect(map.warnings.join('\n')).toMatch(/30000 of 50000 links/);
  });

  it('never throws on malformed frames', () => {
    const res = buildServerMap([{ refId: 'calls', fields: null } as never, { refId: 'calls', fields: [{ name: 'x', values: ['a'] }] }]);
    expect(typeof res.ok).toBe('boolean');
  });
});

describe('filterMap', () => {
  const map = ok(buildServerMap(framesFromResponse(prometheusResponse(demoTopology()))));
  const base = { inboundDepth: 1, outboundDepth: 1, hideTerminal: false, maxNodes: Infinity };

  it('focuses on a service with inbound/outbound depth', () => {
    const d1 = filterMap(map, { ...base, focus: 'demo/orders' });
    expect(d1.nodes.map((n) => n.name).sort()).toEqual(['gateway', 'orders', 'payments', 'postgresql', 'redis']);
    const d2 = filterMap(map, { ...base, focus: 'demo/orders', inboundDepth: 2, outboundDepth: 2 });
    expect(d2.nodes).toHaveLength(7);
    expect(d1.hiddenByFilter).toBe(2);
  });

  it('hides terminal nodes', () => {
    const f = filterMap(map, { ...base, hideTerminal: true });
    expect(f.nodes.map((n) => n.name).sort()).toEqual(['gateway', 'orders', 'payments', 'user']);
    expect(f.edges.every((e) => f.nodes.some((n) => n.id === e.target))).toBe(true);
  });

  it('limits nodes, keeps the busiest and counts the hidden ones', () => {
    const big = ok(buildServerMap(framesFromResponse(prometheusResponse(generateTopology(300, 7)))));
    const f = filterMap(big, { ...base, maxNodes: 100 });
    expect(f.nodes).toHaveLength(100);
    expect(f.hiddenByLimit).toBe(big.nodes.length - 100);
    expect(f.nodes.some((n) => n.kind === 'user')).toBe(true);
  });
});

describe('fixtures', () => {
  it('generate the requested size', () => {
    const t = generateTopology(1000, 3);
    const names = new Set(t.edges.flatMap((e) => [e.client, e.server]));
    expect(names.size).toBe(1000);
    expect(t.edges.length).toBe(3000);
    expect(bucketsFrom(10, [1, 1]).at(-1)).toEqual([Infinity, 10]);
  });
});

describe('table-format frames', () => {
  it('the shipped dashboards\' table-format answers build the same map as one frame per series', () => {
    for (const topology of [demoTopology(), generateTopology(200, 3)]) {
      const perSeries = ok(buildServerMap(framesFromResponse(prometheusResponse(topology))));
      const tables = framesFromResponse(prometheusResponse(topology, { table: true }));
      expect(tables.length).toBe(4);
      const table = ok(buildServerMap(tables));
      expect(table.nodes).toEqual(perSeries.nodes);
      expect(table.edges).toEqual(perSeries.edges);
    }
  });


  it('matches error series to links exactly, then by connection type, then by client and server', () => {
    const col = (name: string, values: string[]) => ({ name, type: 'string', values });
    const map = ok(
      buildServerMap([
        {
          refId: 'calls',
          fields: [
            col('client', ['api', 'api', 'api']),
            col('server', ['store', 'store', 'store']),
            col('client_service_namespace', ['', 'shop', 'shop']),
            col('connection_type', ['', '', 'database']),
            { name: 'Value #calls', type: 'number', values: [100, 200, 300] },
          ],
        },
        {
          refId: 'errors',
          fields: [
            col('client', ['api', 'api', 'api', 'web']),
            col('server', ['store', 'store', 'store', 'store']),
            col('client_service_namespace', ['shop', '', '']),
            col('connection_type', ['', 'database', '']),
            { name: 'Value #errors', type: 'number', values: [7, 11, 13, 17] },
          ],
        },
      ]),
    );
    const errors = Object.fromEntries(map.edges.map((e) => [`${e.source}|${e.connectionType}`, e.stats.errors]));
    // Exact (namespace + type) → shop/api ''; type only → the database link; neither → the first api → store link.
    expect(errors).toEqual({ 'api|': 13, 'shop/api|': 7, 'shop/api|database': 11 });
    expect(map.warnings.some((w) => w.includes('1 series match no link'))).toBe(true);
  });

  it('reads a table (label columns + Value #calls) like the time-series shape', () => {
    const map = ok(
      buildServerMap([
        {
          refId: 'calls',
          fields: [
            { name: 'Time', type: 'time', values: [1, 1, 1] },
            { name: 'client', type: 'string', values: ['user', 'gateway', 'orders'] },
            { name: 'server', type: 'string', values: ['gateway', 'orders', 'postgresql'] },
            { name: 'connection_type', type: 'string', values: ['', '', 'database'] },
            { name: 'Value #calls', type: 'number', values: [1800, 1440, 1440] },
          ],
        },
      ]),
    );
    expect(map.edges.map((e) => [e.id, e.stats.calls])).toEqual([
      ['user->gateway', 1800],
      ['gateway->orders', 1440],
      ['orders->postgresql', 1440],
    ]);
    expect(node(map, 'postgresql').kind).toBe('database');
  });
});
