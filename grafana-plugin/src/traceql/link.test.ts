import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import {
  bandRequest,
  buildDotsQuery,
  buildHistogramQuery,
  buildInstanceQueries,
  buildLoadQuery,
  instanceRequests,
  linkLabel,
  linkSpanService,
  linkSpanset,
  loadRequests,
  nodeSpanset,
  serviceGraphMatchers,
  type TraceLink,
} from './index';

type Parser = typeof traceqlParser | typeof promqlParser;

function syntaxErrors(parser: Parser, query: string): number[] {
  const at: number[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) {
        at.push(node.from);
      }
    },
  });
  return at;
}

// lezer-traceql 1.0.0 predates Tempo's `nestedSetParent` intrinsic (pkg/traceql/lexer.go): checked as text.
const parsesAsTraceql = (q: string) => syntaxErrors(traceqlParser, q.replace(' && nestedSetParent < 0', ''));
// Grafana substitutes its macros before Prometheus sees the query; check the grammar with values in their place.
const parsesAsPromql = (q: string) =>
  syntaxErrors(promqlParser, q.replace('$__interval', '30s').replace(/\$__range/g, '600s'));

const svc = (name: string) => ({ name, kind: 'service' as const });
const gatewayToOrders: TraceLink = { source: svc('gateway'), target: svc('orders') };

describe('link → TraceQL', () => {
  it('gives the caller’s client spans whose direct child is the callee’s server span', () => {
    const q = linkSpanset(gatewayToOrders);
    // Structural operators return the right-hand side: the parents (gateway's client spans).
    expect(q).toBe(
      '{ resource.service.name = "orders" && kind = server } < { resource.service.name = "gateway" && kind = client }'
    );
    expect(parsesAsTraceql(q)).toEqual([]);
    expect(linkSpanService(gatewayToOrders)).toBe('gateway');
    expect(linkLabel(gatewayToOrders)).toBe('gateway → orders');
  });

  it('puts duration and status conditions on the returned (caller) side', () => {
    const q = linkSpanset(gatewayToOrders, ['duration >= 1s', 'status = error']);
    expect(q).toBe(
      '{ resource.service.name = "orders" && kind = server } < { resource.service.name = "gateway" && kind = client && duration >= 1s && status = error }'
    );
    expect(parsesAsTraceql(q)).toEqual([]);
  });

  it('asks for the root server spans of X for user → X (the virtual "user" has no spans)', () => {
    const link: TraceLink = { source: { name: 'user', kind: 'user' }, target: svc('gateway') };
    expect(linkSpanset(link)).toBe('{ resource.service.name = "gateway" && kind = server && nestedSetParent < 0 }');
    expect(linkSpanService(link)).toBe('gateway');
    expect(linkSpanset(link)).not.toContain('"user"');
  });

  it('asks for the caller’s client spans naming a database, cache or external host', () => {
    const db = linkSpanset({ source: svc('orders'), target: { name: 'postgresql', kind: 'database' } });
    expect(db).toMatch(
      /^\{ resource\.service\.name = "orders" && kind = client && \(span\.db\.system = "postgresql" \|\| /
    );
    const ext = linkSpanset({ source: svc('payments'), target: { name: '127.0.0.1', kind: 'external' } }, [
      'duration >= 5ms',
    ]);
    expect(ext).toBe(
      '{ resource.service.name = "payments" && kind = client && (span.server.address = "127.0.0.1" || span.peer.service = "127.0.0.1") && duration >= 5ms }'
    );
    for (const q of [db, ext]) {
      expect(parsesAsTraceql(q)).toEqual([]);
    }
  });

  it('pairs producer and consumer spans for a messaging link between services, producers for a queue node', () => {
    const q = linkSpanset({ source: svc('orders'), target: svc('mailer'), connectionType: 'messaging_system' });
    expect(q).toBe(
      '{ resource.service.name = "mailer" && kind = consumer } < { resource.service.name = "orders" && kind = producer }'
    );
    const queue = linkSpanset({ source: svc('orders'), target: { name: 'kafka', kind: 'messaging' } });
    expect(queue).toContain('(kind = producer || kind = client)');
    expect(nodeSpanset({ name: 'kafka', kind: 'messaging' })).toContain('(kind = producer || kind = client)');
    for (const text of [q, queue]) {
      expect(parsesAsTraceql(text)).toEqual([]);
    }
  });

  it('escapes names so they cannot break out of the string', () => {
    const q = linkSpanset({ source: svc('a"b'), target: svc('c\\d') });
    expect(q).toContain('resource.service.name = "a\\"b"');
    expect(q).toContain('resource.service.name = "c\\\\d"');
    expect(parsesAsTraceql(q)).toEqual([]);
  });

  it('feeds the scatter’s dots, heatmap and band queries', () => {
    const dots = buildDotsQuery({ service: 'gateway', link: gatewayToOrders });
    expect(dots).toBe(
      '{ resource.service.name = "orders" && kind = server } < { resource.service.name = "gateway" && kind = client } | select(name, status, span.http.route, span.http.request.method, span.http.response.status_code, statusMessage, span.client.address, span.net.sock.peer.addr)'
    );
    expect(buildHistogramQuery({ service: 'gateway', link: gatewayToOrders })).toBe(
      '{ resource.service.name = "orders" && kind = server } < { resource.service.name = "gateway" && kind = client } | histogram_over_time(duration)'
    );
    const band = bandRequest({ service: 'gateway', link: gatewayToOrders, minMs: 1000, maxMs: 3000, status: 'ok' });
    expect(band.query).toContain(
      '{ resource.service.name = "gateway" && kind = client && duration >= 1s && duration <= 3s && status != error }'
    );
    for (const q of [dots, band.query]) {
      expect(parsesAsTraceql(q)).toEqual([]);
    }
  });
});

describe('load and instance PromQL', () => {
  it('selects a node’s inbound series, the user’s outbound ones, or one link, with namespaces when known', () => {
    expect(serviceGraphMatchers({ server: { name: 'orders', namespace: 'demo' } })).toBe(
      '{server="orders", server_service_namespace="demo"}'
    );
    expect(serviceGraphMatchers({ client: { name: 'user' } })).toBe('{client="user"}');
    expect(
      serviceGraphMatchers({ client: { name: 'gateway', namespace: 'demo' }, server: { name: 'postgresql' } })
    ).toBe('{client="gateway", client_service_namespace="demo", server="postgresql"}');
    expect(serviceGraphMatchers({ server: { name: 'we"ird' } })).toBe('{server="we\\"ird"}');
    expect(() => serviceGraphMatchers({})).toThrow('A client or server is required');
    expect(() => serviceGraphMatchers({ server: { name: '' } })).toThrow('A server name is required');
  });

  it('counts calls and failed calls per $__interval', () => {
    const calls = buildLoadQuery('calls', { server: { name: 'orders' } });
    const errors = buildLoadQuery('errors', { server: { name: 'orders' } });
    expect(calls).toBe('sum(increase(traces_service_graph_request_total{server="orders"}[$__interval]))');
    expect(errors).toBe('sum(increase(traces_service_graph_request_failed_total{server="orders"}[$__interval]))');
    for (const q of [calls, errors]) {
      expect(parsesAsPromql(q)).toEqual([]);
    }
    expect(loadRequests({ server: { name: 'orders' } })).toEqual([
      { refId: 'load-calls', expr: calls, range: true, instant: false, interval: '30s' },
      { refId: 'load-errors', expr: errors, range: true, instant: false, interval: '30s' },
    ]);
  });

  it('breaks a service down by instance from the SDK’s HTTP server histogram and target_info', () => {
    const q = buildInstanceQueries({ service: 'orders', namespace: 'demo' });
    expect(q).toEqual({
      calls:
        'sum by (instance) (increase(http_server_request_duration_seconds_count{service_name="orders", service_namespace="demo"}[$__range]))',
      errors:
        'sum by (instance) (increase(http_server_request_duration_seconds_count{service_name="orders", service_namespace="demo", error_type!=""}[$__range]))',
      durationSum:
        'sum by (instance) (increase(http_server_request_duration_seconds_sum{service_name="orders", service_namespace="demo"}[$__range]))',
      p95: 'histogram_quantile(0.95, sum by (instance, le) (increase(http_server_request_duration_seconds_bucket{service_name="orders", service_namespace="demo"}[$__range])))',
      roster:
        'max by (instance, host_name, process_pid) (last_over_time(target_info{service_name="orders", service_namespace="demo"}[$__range]))',
    });
    for (const text of Object.values(q)) {
      expect([text, parsesAsPromql(text)]).toEqual([text, []]);
    }
    expect(buildInstanceQueries({ service: 'orders' }).calls).toContain('{service_name="orders"}');
    expect(() => buildInstanceQueries({ service: ' ' })).toThrow('A service name is required');
    expect(instanceRequests({ service: 'orders' }).map((r) => [r.refId, r.instant])).toEqual([
      ['instances-calls', true],
      ['instances-errors', true],
      ['instances-durationSum', true],
      ['instances-p95', true],
      ['instances-roster', true],
    ]);
  });

  it('the PromQL check itself catches a broken query', () => {
    expect(parsesAsPromql('sum(increase(x{server="a"}[$__interval])').length).toBeGreaterThan(0);
  });
});
