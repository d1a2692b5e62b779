import {
  buildServerMap,
  resolveRoles,
  roleOfExpression,
  type ServerMap,
  DEFAULT_ROLES,
} from '../../src/servermap/model';
import { bucketPairsOf } from '../../src/servermap/model/bucketPairs';
import { addBuckets } from '../../src/servermap/model/histogram';
import { demoTopology, GRAFANA_REF_IDS, prometheusResponse, QUERIES } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';

function ok(result: ReturnType<typeof buildServerMap>): ServerMap {
  if (!result.ok) {
    throw new Error(`expected a map, got: ${result.error}`);
  }
  return result.map;
}
const edge = (m: ServerMap, from: string, to: string) =>
  m.edges.find((e) => e.source.endsWith(from) && e.target.endsWith(to))!;
const node = (m: ServerMap, name: string) => m.nodes.find((n) => n.name === name)!;

// What a user who adds the queries in the panel editor gets: Grafana's refIds A, B, C…
const GRAFANA_REFIDS = GRAFANA_REF_IDS;
const targets = Object.entries(GRAFANA_REFIDS).map(([role, refId]) => ({
  refId,
  expr: QUERIES[role as keyof typeof QUERIES],
}));

describe('role detection from the query expression', () => {
  it('knows each service-graph metric and refuses expressions naming two', () => {
    expect(roleOfExpression(QUERIES.calls)).toBe('calls');
    expect(roleOfExpression(QUERIES.errors)).toBe('errors');
    expect(roleOfExpression(QUERIES.latency)).toBe('latency');
    expect(roleOfExpression(QUERIES.latency.replace('server_seconds', 'client_seconds'))).toBe('clientLatency');
    expect(roleOfExpression(QUERIES.latencySum)).toBe('latencySum');
    expect(roleOfExpression(QUERIES.latencyCount)).toBe('latencyCount');
    expect(roleOfExpression(QUERIES.instances)).toBe('instances');
    expect(
      roleOfExpression(
        'rate(traces_service_graph_request_server_seconds_sum[5m]) / rate(traces_service_graph_request_server_seconds_count[5m])'
      )
    ).toBeUndefined();
    expect(roleOfExpression('up')).toBeUndefined();
    expect(roleOfExpression(undefined)).toBeUndefined();
  });

  it('builds the map from refIds A–F with the expressions of the panel queries (table format has no executed query)', () => {
    const frames = framesFromResponse(
      prometheusResponse(demoTopology(), { table: true, exactAverages: true, refIds: GRAFANA_REFIDS })
    );
    const map = ok(buildServerMap(frames, { rangeSeconds: 3600, queries: targets }));
    expect(map.edges).toHaveLength(6);
    expect(edge(map, 'user', 'gateway').stats.errors).toBe(900);
    expect(node(map, 'orders').instances).toBe(2);
    expect(edge(map, 'user', 'gateway').stats.histogram?.le5s).toBe(500);
    expect(map.warnings).toEqual([]);
  });

  it('reads the expression from the frames (executedQueryString) when the queries are not passed', () => {
    const frames = framesFromResponse(prometheusResponse(demoTopology(), { refIds: GRAFANA_REFIDS }));
    const map = ok(buildServerMap(frames, { rangeSeconds: 3600 }));
    expect(edge(map, 'gateway', 'orders').stats.calls).toBe(14400);
    expect(edge(map, 'gateway', 'orders').stats.errors).toBe(720);
  });

  it('lets a refId option override detection, ignores hidden queries', () => {
    const frames = framesFromResponse(prometheusResponse(demoTopology(), { refIds: GRAFANA_REFIDS }));
    const byRef = new Map<string, typeof frames>();
    for (const f of frames) {
      byRef.set(f.refId!, [...(byRef.get(f.refId!) ?? []), f]);
    }
    // The errors option names B's refId explicitly; calls is detected.
    const roles = resolveRoles(byRef, { ...DEFAULT_ROLES, errors: 'C' }, targets);
    expect(roles.calls).toBe('A');
    expect(roles.errors).toBe('C');
    // C is taken by the override, so no query is left for the latency role: it keeps its (absent) default.
    expect(roles.latency).toBe('latency');
    const hidden = resolveRoles(
      byRef,
      DEFAULT_ROLES,
      targets.map((t) => ({ ...t, hide: t.refId === 'A' }))
    );
    // A hidden query's expression is not used, but its frames still say what ran.
    expect(hidden.calls).toBe('A');
  });

  it('says what it expected when no query is on the service-graph metrics', () => {
    const frames = framesFromResponse(prometheusResponse(demoTopology(), { refIds: GRAFANA_REFIDS }));
    const res = buildServerMap(
      frames.map((f) => ({ ...f, meta: {} })),
      { queries: [{ refId: 'A', expr: 'up' }] }
    );
    expect(res.ok).toBe(false);
    expect(!res.ok && res.error).toMatch(/traces_service_graph_request_total.*got refIds: A, B, C, D/);
  });
});

describe('exact averages from _sum / _count', () => {
  it('gives exact link and node averages where buckets would give midpoints', () => {
    const estimated = ok(
      buildServerMap(framesFromResponse(prometheusResponse(demoTopology())), { rangeSeconds: 3600 })
    );
    const exact = ok(
      buildServerMap(framesFromResponse(prometheusResponse(demoTopology(), { exactAverages: true })), {
        rangeSeconds: 3600,
      })
    );
    const est = edge(estimated, 'user', 'gateway').stats;
    expect(est.avgApproximate).toBe(true);
    expect(est.avgMs).not.toBeCloseTo(450, 0);
    const s = edge(exact, 'user', 'gateway').stats;
    expect(s.avgMs).toBeCloseTo(450, 6);
    expect(s.avgApproximate).toBe(false);
    expect(edge(exact, 'orders', 'redis').stats.avgMs).toBeCloseTo(1, 6);
    // orders receives only gateway's calls: 5040 s / 14400.
    expect(node(exact, 'orders').inbound.avgMs).toBeCloseTo(350, 6);
    expect(node(exact, 'orders').inbound.avgApproximate).toBe(false);
    expect(exact.warnings).toEqual([]);
  });

  it('keeps the estimate (≈) and says why when only one of the two queries is there', () => {
    const res = prometheusResponse(demoTopology(), { exactAverages: true });
    delete res.results.latencyCount;
    const map = ok(buildServerMap(framesFromResponse(res), { rangeSeconds: 3600 }));
    expect(edge(map, 'user', 'gateway').stats.avgApproximate).toBe(true);
    expect(map.warnings.join('\n')).toMatch(/need both .*_sum and _count/);
  });

  it('a node is exact only when all its inbound links are', () => {
    const topo = demoTopology();
    topo.edges.push({ ...topo.edges[1]!, client: 'batch', clientNamespace: 'demo', sumSeconds: undefined });
    const map = ok(
      buildServerMap(framesFromResponse(prometheusResponse(topo, { exactAverages: true })), { rangeSeconds: 3600 })
    );
    expect(node(map, 'orders').inbound.avgApproximate).toBe(true);
    expect(node(map, 'gateway').inbound.avgApproximate).toBe(false);
  });
});

describe('merging histograms with different bounds', () => {
  it('adds element-wise on the same bounds', () => {
    expect(
      addBuckets(
        [
          [0.1, 1],
          [1, 5],
          [Infinity, 6],
        ],
        [
          [0.1, 2],
          [1, 2],
          [Infinity, 3],
        ]
      )
    ).toEqual([
      [0.1, 3],
      [1, 7],
      [Infinity, 9],
    ]);
  });

  it('keeps only the bounds both have, never pairing buckets by position', () => {
    const a: Array<[number, number]> = [
      [0.1, 5],
      [0.5, 8],
      [1, 10],
      [Infinity, 10],
    ];
    const b: Array<[number, number]> = [
      [0.25, 3],
      [1, 4],
      [Infinity, 4],
    ];
    // By position this would pair 0.1 with 0.25; at 0.5 b's count is unknown. Exact: 1 s → 14, +Inf → 14.
    expect(addBuckets(a, b)).toEqual([
      [1, 14],
      [Infinity, 14],
    ]);
    expect(
      addBuckets(
        [
          [0.1, 1],
          [Infinity, 2],
        ],
        [
          [0.2, 1],
          [Infinity, 2],
        ]
      )
    ).toBeUndefined();
  });

  it('gives a node no histogram rather than an invented one when its links share no bound', () => {
    const topo = demoTopology();
    const other = {
      ...topo.edges[1]!,
      client: 'batch',
      clientNamespace: 'demo',
      buckets: [
        [0.25, 100],
        [Infinity, 100],
      ] as Array<[number, number]>,
    };
    topo.edges.push(other);
    const map = ok(buildServerMap(framesFromResponse(prometheusResponse(topo)), { rangeSeconds: 3600 }));
    expect(node(map, 'orders').inbound.histogram).toBeUndefined();
    expect(bucketPairsOf(edge(map, 'batch', 'orders').stats.buckets!)).toEqual([
      [0.25, 100],
      [Infinity, 100],
    ]);
  });
});
