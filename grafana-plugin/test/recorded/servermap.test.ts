/**
 * The server map built from what a real Tempo v3.0.3 metrics-generator wrote into a real Prometheus 3 while
 * `npm run demo` ran (fixtures/recorded, README there), converted the way Grafana's Prometheus data source does.
 */
import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { SERVER_MAP_REFS, manifest, readRecorded, serverMapFrames } from '../fixtures/recorded/load';
import { type PromApiResponse } from '../fixtures/recorded/toFrames';

function ok(result: ReturnType<typeof buildServerMap>): ServerMap {
  if (!result.ok) {
    throw new Error(`expected a map, got: ${result.error}`);
  }
  return result.map;
}

const DEMO_EDGES = [
  'user->demo/gateway',
  'demo/gateway->demo/orders',
  'demo/orders->demo/payments',
  'demo/orders->postgresql',
  'demo/orders->redis',
  'demo/payments->127.0.0.1',
];

describe.each([
  ['table format (as the dashboards set it)', true],
  ['time-series format', false],
])('server map from the recorded demo, %s', (_title, table) => {
  const map = ok(buildServerMap(serverMapFrames({ table }), { rangeSeconds: manifest().rangeSeconds }));
  const node = (name: string) => map.nodes.find((n) => n.name === name)!;

  it('has exactly the six demo edges, each with calls', () => {
    expect(map.edges.map((e) => e.id).sort()).toEqual([...DEMO_EDGES].sort());
    for (const e of map.edges) {
      expect(e.stats.calls).toBeGreaterThan(0);
    }
  });

  it('tells the node kinds apart: the entry caller, services, database, cache and the uninstrumented peer', () => {
    const kinds = Object.fromEntries(map.nodes.map((n) => [n.name, n.kind]));
    expect(kinds).toEqual({
      user: 'user',
      gateway: 'service',
      orders: 'service',
      payments: 'service',
      postgresql: 'database',
      redis: 'cache',
      '127.0.0.1': 'external',
    });
  });

  it('counts one instance per demo service from target_info', () => {
    for (const name of ['gateway', 'orders', 'payments']) {
      expect(node(name).instances).toBe(1);
    }
  });

  it("fills Pinpoint's 1 s / 3 s / 5 s / slow histogram on the edges the demo's slow route crosses", () => {
    const edge = map.edges.find((e) => e.id === 'user->demo/gateway')!;
    const h = edge.stats.histogram!;
    expect(h.approximate).toBe(false);
    // Bucket counts cover every call (errors are counted inside their latency band as well).
    expect(h.le1s + h.le3s + h.le5s + h.slow).toBe(edge.stats.calls);
    // /api/slow sleeps 0.2–8 s (demo README), so every band above 1 s gets transactions.
    expect(h.le3s).toBeGreaterThan(0);
    expect(h.le5s + h.slow).toBeGreaterThan(0);
  });

  it('has failures where the demo injects them and none on the database edges', () => {
    const errors = (id: string) => map.edges.find((e) => e.id === id)!.stats.errors ?? 0;
    expect(errors('user->demo/gateway')).toBeGreaterThan(0);
    expect(errors('demo/payments->127.0.0.1')).toBeGreaterThan(0);
    expect(errors('demo/orders->postgresql')).toBe(0);
  });
});

describe('the recorded Prometheus series themselves', () => {
  const latency = readRecorded<PromApiResponse>('prometheus/latency.json');

  it('carry the le bounds compose/tempo.yaml configures, 1, 3 and 5 s included', () => {
    const bounds = new Set(latency.data!.result.map((r) => r.metric.le));
    expect([...bounds].sort()).toEqual(['+Inf', '0.1', '0.3', '1', '10', '3', '5']);
  });

  it('were recorded with exactly the APM panel queries', () => {
    const queries = manifest().queries;
    for (const ref of SERVER_MAP_REFS) {
      expect(queries[`prometheus/${ref}`]).toMatch(
        ref === 'instances' ? /target_info/ : /traces_service_graph_request_/
      );
    }
  });
});
