import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

import {
  bandRequest,
  buildDotsQuery,
  buildHistogramQuery,
  buildRequestCountQuery,
  buildRuntimeOverlayQuery,
  buildTraceLogsQuery,
  dotsRequest,
  histogramRequest,
  traceRequest,
  traceqlDuration,
  traceqlString,
  transactionSpanset,
} from './index';

type Parser = { parse(input: string): { iterate(spec: { enter(node: { type: { isError: boolean } ; from: number }): void }): void } };

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

describe('TraceQL builders', () => {
  it('selects the server spans of the service with the list attributes', () => {
    const q = buildDotsQuery({ service: 'orders' });
    expect(q).toBe(
      '{ resource.service.name = "orders" && kind = server } | select(name, status, span.http.route, span.http.request.method, span.http.response.status_code, statusMessage, span.client.address, span.net.sock.peer.addr)'
    );
    expect(syntaxErrors(traceqlParser, q)).toEqual([]);
  });

  it('builds a duration band and status filter that parse', () => {
    const q = transactionSpanset({ service: 'orders', minMs: 1200, maxMs: 3400.2, status: 'error' });
    expect(q).toBe(
      '{ resource.service.name = "orders" && kind = server && duration >= 1200ms && duration <= 3401ms && status = error }'
    );
    expect(syntaxErrors(traceqlParser, q)).toEqual([]);
    const ok = transactionSpanset({ service: 'orders', minMs: 0.25, maxMs: 5000, status: 'ok' });
    expect(ok).toContain('duration >= 250us && duration <= 5s && status != error');
    expect(syntaxErrors(traceqlParser, ok)).toEqual([]);
  });

  it('escapes service names so they cannot break out of the string', () => {
    const q = buildDotsQuery({ service: 'we"ird\\svc' });
    expect(q).toContain('resource.service.name = "we\\"ird\\\\svc"');
    expect(syntaxErrors(traceqlParser, q)).toEqual([]);
    expect(traceqlString('a\nb')).toBe('"a\\nb"');
  });

  it('builds the heatmap histogram as a TraceQL metrics query', () => {
    const q = buildHistogramQuery({ service: 'orders' });
    expect(q).toBe('{ resource.service.name = "orders" && kind = server } | histogram_over_time(duration)');
    expect(syntaxErrors(traceqlParser, q)).toEqual([]);
  });

  it('formats durations exactly enough and rejects bad input', () => {
    expect(traceqlDuration(0)).toBe('0us');
    expect(traceqlDuration(0.5)).toBe('500us');
    expect(traceqlDuration(12.9)).toBe('12ms');
    expect(traceqlDuration(3000)).toBe('3s');
    expect(traceqlDuration(3001)).toBe('3001ms');
    expect(() => traceqlDuration(-1)).toThrow('Invalid duration');
    expect(() => traceqlDuration(Number.NaN)).toThrow('Invalid duration');
  });

  it('refuses to query without a service', () => {
    expect(() => buildDotsQuery({ service: '  ' })).toThrow('service name is required');
  });

  it('the lezer check itself catches a broken query', () => {
    expect(syntaxErrors(traceqlParser, '{ resource.service.name = "orders" && kind = server').length).toBeGreaterThan(0);
  });
});

describe('query models', () => {
  it('asks Tempo for span rows with a limit and spss', () => {
    const q = dotsRequest({ service: 'orders' });
    expect(q).toMatchObject({ refId: 'dots', queryType: 'traceql', limit: 5000, spss: 5, tableType: 'spans' });
    expect(dotsRequest({ service: 'orders' }, 100, 2)).toMatchObject({ limit: 100, spss: 2 });
    expect(() => dotsRequest({ service: 'orders' }, 0)).toThrow('Dot limit must be a positive number');
    expect(bandRequest({ service: 'orders', minMs: 10, maxMs: 20 })).toMatchObject({ refId: 'band', limit: 500 });
  });

  it('asks for a range histogram with an optional step', () => {
    expect(histogramRequest({ service: 'orders' }, '30s')).toMatchObject({ metricsQueryType: 'range', step: '30s' });
    expect(histogramRequest({ service: 'orders' })).not.toHaveProperty('step');
  });

  it('looks traces up by hex id only', () => {
    expect(traceRequest('4bf92f3577b34da6a3ce929d0e0e4736')).toEqual({
      refId: 'trace',
      queryType: 'traceql',
      query: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(() => traceRequest('{ }')).toThrow('Not a trace id');
  });
});

describe('LogQL and PromQL builders', () => {
  it('finds a trace’s log lines across services', () => {
    const q = buildTraceLogsQuery('4BF92F3577B34DA6');
    expect(q).toBe('{service_name=~".+"} | trace_id="00000000000000004bf92f3577b34da6"');
    expect(syntaxErrors(logqlParser, q)).toEqual([]);
    expect(() => buildTraceLogsQuery('x" } or {')).toThrow('Not a trace id');
  });

  it('builds runtime overlay queries that parse', () => {
    const lag = buildRuntimeOverlayQuery('eventLoopLag', 'orders');
    expect(lag).toBe('max(nodejs_eventloop_lag_p99_seconds{service_name="orders"})');
    expect(syntaxErrors(promqlParser, lag)).toEqual([]);
    const gc = buildRuntimeOverlayQuery('gcPause', 'or"ders');
    expect(gc).toBe('max(rate(nodejs_gc_duration_seconds_sum{service_name="or\\"ders"}[$__rate_interval]))');
    // $__rate_interval is a Grafana macro; check the PromQL grammar with the value Grafana substitutes.
    expect(syntaxErrors(promqlParser, gc.replace('$__rate_interval', '1m'))).toEqual([]);
  });

  it('counts requests from SDK metrics for the sampling estimate', () => {
    const q = buildRequestCountQuery('orders');
    expect(q).toBe('sum(increase(http_server_request_duration_seconds_count{service_name="orders"}[$__range]))');
    expect(syntaxErrors(promqlParser, q.replace('$__range', '15m'))).toEqual([]);
  });
});
