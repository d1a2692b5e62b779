/**
 * Service dashboard (var `service`): RED by operation from Tempo span metrics, Pinpoint's response
 * histogram (1 s / 3 s / 5 s / slow / error) from the service-graph histogram, callers and callees,
 * the OTel HTTP server histogram with exemplars, and the slow/failed transactions from Tempo.
 */
import {
  CustomVariableBuilder,
  type DashboardBuilder,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { SearchTableType, DataqueryBuilder as TempoQuery } from '@grafana/grafana-foundation-sdk/tempo';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { MIMIR, TEMPO, dsRef, type DataSourceSpec } from '../datasources.ts';
import { dashboardUrl } from '../links.ts';
import {
  PINPOINT_COLORS,
  barGauge,
  colorOverride,
  joinTable,
  promTarget,
  stat,
  table,
  timeseries,
} from '../panels.ts';
import { kitDashboard, labelValuesVariable } from '../kit-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { telemetryMatcher, traceqlTelemetryMatcher } from '../matchers.ts';

export const SERVICE_DATA_SOURCES: readonly DataSourceSpec[] = [MIMIR, TEMPO];

const SM = `${telemetryMatcher('service', 'service')}, span_kind=~"$span_kind"`;
const SERVICE_NAME = telemetryMatcher('service_name', 'service');
const SG = 'traces_service_graph_request';
/** Span-metrics error status as Tempo writes it. */
const ERR = 'status_code="STATUS_CODE_ERROR"';

/**
 * Pinpoint's response classes over `window` from span metrics: successful spans by duration (the kit's
 * Tempo has span-metrics buckets at 1, 3 and 5 s) and failed spans as "error", so the five classes
 * partition the calls exactly as Pinpoint's histogram does.
 */
export function pinpointHistogramQueries(
  window: string,
): Record<'1s' | '3s' | '5s' | 'slow' | 'error', string> {
  const ok = `${SM}, status_code!="STATUS_CODE_ERROR"`;
  const bucket = (le: string) =>
    `sum(increase(traces_spanmetrics_latency_bucket{${ok}, le=~"${le}|${le}.0"}[${window}]))`;
  return {
    '1s': bucket('1'),
    '3s': `${bucket('3')} - ${bucket('1')}`,
    '5s': `${bucket('5')} - ${bucket('3')}`,
    slow: `sum(increase(traces_spanmetrics_latency_count{${ok}}[${window}])) - ${bucket('5')}`,
    // A service that never failed has no error series: show 0, not a gap.
    error: `sum(increase(traces_spanmetrics_calls_total{${SM}, ${ERR}}[${window}])) or vector(0)`,
  };
}

export function serviceDashboard(): DashboardBuilder {
  const builder = kitDashboard('LGTM APM — Service', {
    uid: DASHBOARD_UIDS.service,
    description: 'Per-service RED by operation, Pinpoint response histogram, callers and callees',
    tags: ['apm', 'tempo'],
    dataSources: SERVICE_DATA_SOURCES,
  });
  builder.withVariable(
    labelValuesVariable('service', {
      label: 'Service',
      dataSource: MIMIR,
      query: 'label_values(traces_spanmetrics_calls_total, service)',
    }),
  );
  builder.withVariable(
    new CustomVariableBuilder('span_kind')
      .label('Span kind')
      .description(
        'Server spans are the service’s own operations (Pinpoint’s view); client spans are its outgoing calls',
      )
      .values('SPAN_KIND_SERVER,SPAN_KIND_CONSUMER,SPAN_KIND_CLIENT,SPAN_KIND_PRODUCER,SPAN_KIND_INTERNAL')
      .current({ text: 'SPAN_KIND_SERVER', value: 'SPAN_KIND_SERVER' }),
  );

  // Headline numbers for the selected kind of spans.
  builder.withPanel(
    stat('Requests / s', {
      description: 'Span rate of the selected kind',
      unit: 'reqps',
      width: 6,
      decimals: 2,
    }).withTarget(
      promTarget(`sum(rate(traces_spanmetrics_calls_total{${SM}}[$__rate_interval]))`, { refId: 'A' }),
    ),
  );
  builder.withPanel(
    stat('Error ratio', {
      description: 'Spans with status error / all spans',
      unit: 'percentunit',
      width: 6,
      decimals: 2,
      thresholds: [
        [0.01, 'orange'],
        [0.05, 'red'],
      ],
    }).withTarget(
      promTarget(
        `(sum(rate(traces_spanmetrics_calls_total{${SM}, ${ERR}}[$__rate_interval])) or vector(0)) / sum(rate(traces_spanmetrics_calls_total{${SM}}[$__rate_interval]))`,
        { refId: 'A' },
      ),
    ),
  );
  builder.withPanel(
    stat('p95 latency', { description: '95th percentile span duration', unit: 's', width: 6 }).withTarget(
      promTarget(
        `histogram_quantile(0.95, sum by (le) (rate(traces_spanmetrics_latency_bucket{${SM}}[$__rate_interval])))`,
        { refId: 'A' },
      ),
    ),
  );
  builder.withPanel(
    stat('Instances', {
      description: 'Running instances of the service (target_info)',
      unit: 'none',
      width: 6,
    }).withTarget(promTarget(`count(target_info{${SERVICE_NAME}})`, { refId: 'A' })),
  );

  builder.withRow(new RowBuilder('Operations (span metrics)'));
  builder.withPanel(
    timeseries('Request rate by operation', {
      description: 'traces_spanmetrics_calls_total by span_name',
      unit: 'reqps',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(`sum by (span_name) (rate(traces_spanmetrics_calls_total{${SM}}[$__rate_interval]))`, {
        refId: 'A',
        legend: '{{span_name}}',
      }),
    ),
  );
  builder.withPanel(
    timeseries('Error ratio by operation', {
      description: 'Error spans / all spans per operation (operations that never failed are not drawn)',
      unit: 'percentunit',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `sum by (span_name) (rate(traces_spanmetrics_calls_total{${SM}, ${ERR}}[$__rate_interval])) / sum by (span_name) (rate(traces_spanmetrics_calls_total{${SM}}[$__rate_interval]))`,
        { refId: 'A', legend: '{{span_name}}' },
      ),
    ),
  );
  const latency = timeseries('Latency p50 / p95 / p99 by operation', {
    description: 'Span duration percentiles per operation. Exemplars (diamonds) open the trace in Tempo.',
    unit: 's',
    width: 24,
    height: 9,
    min: 0,
    legendTable: true,
  });
  for (const [refId, quantile] of [
    ['p50', 0.5],
    ['p95', 0.95],
    ['p99', 0.99],
  ] as const) {
    latency.withTarget(
      promTarget(
        `histogram_quantile(${quantile}, sum by (span_name, le) (rate(traces_spanmetrics_latency_bucket{${SM}}[$__rate_interval])))`,
        { refId, legend: `${refId} {{span_name}}`, exemplar: true },
      ),
    );
  }
  builder.withPanel(latency);

  const operations = table('Operations', {
    description: 'Per operation over the dashboard time range',
    width: 24,
    height: 8,
  })
    .transformations(
      joinTable(
        ['span_name'],
        [
          ['calls', 'Calls'],
          ['rps', 'Req/s'],
          ['errors', 'Errors'],
          ['avg', 'Avg'],
          ['p95', 'p95'],
          ['p99', 'p99'],
        ],
      ),
    )
    .overrideByName('span_name', [{ id: 'displayName', value: 'Operation' }])
    .overrideByName('Calls', [{ id: 'decimals', value: 0 }])
    .overrideByName('Req/s', [
      { id: 'unit', value: 'reqps' },
      { id: 'decimals', value: 2 },
    ])
    .overrideByName('Errors', [{ id: 'unit', value: 'percentunit' }])
    .overrideByName('Avg', [{ id: 'unit', value: 's' }])
    .overrideByName('p95', [{ id: 'unit', value: 's' }])
    .overrideByName('p99', [{ id: 'unit', value: 's' }]);
  const ops = {
    calls: `sum by (span_name) (increase(traces_spanmetrics_calls_total{${SM}}[$__range]))`,
    rps: `sum by (span_name) (rate(traces_spanmetrics_calls_total{${SM}}[$__range]))`,
    errors: `(sum by (span_name) (increase(traces_spanmetrics_calls_total{${SM}, ${ERR}}[$__range])) or sum by (span_name) (increase(traces_spanmetrics_calls_total{${SM}}[$__range])) * 0) / sum by (span_name) (increase(traces_spanmetrics_calls_total{${SM}}[$__range]))`,
    avg: `sum by (span_name) (increase(traces_spanmetrics_latency_sum{${SM}}[$__range])) / sum by (span_name) (increase(traces_spanmetrics_latency_count{${SM}}[$__range]))`,
    p95: `histogram_quantile(0.95, sum by (span_name, le) (increase(traces_spanmetrics_latency_bucket{${SM}}[$__range])))`,
    p99: `histogram_quantile(0.99, sum by (span_name, le) (increase(traces_spanmetrics_latency_bucket{${SM}}[$__range])))`,
  };
  for (const [refId, expr] of Object.entries(ops))
    operations.withTarget(promTarget(expr, { refId, instant: true, table: true }));
  builder.withPanel(operations);

  builder.withRow(new RowBuilder('Response histogram (Pinpoint 1 s / 3 s / 5 s / slow / error)'));
  const histogram = timeseries('Response histogram over time', {
    description:
      'Calls per interval by response class, as Pinpoint counts them: successful calls under 1 s, 1–3 s, 3–5 s, ' +
      'over 5 s (slow), and failed calls (error). From span metrics of the selected span kind; needs span-metrics ' +
      'buckets at 1, 3 and 5 s (the kit’s tempo.yaml sets them).',
    unit: 'short',
    width: 16,
    height: 9,
    stackedBars: true,
    min: 0,
  })
    .interval('1m')
    .overrides(
      (['1s', '3s', '5s', 'slow', 'error'] as const).map((name) =>
        colorOverride(name, PINPOINT_COLORS[name]),
      ),
    );
  for (const [name, expr] of Object.entries(pinpointHistogramQueries('$__interval'))) {
    histogram.withTarget(promTarget(expr, { refId: name, legend: name, interval: '1m' }));
  }
  builder.withPanel(histogram);
  const summary = barGauge('Response summary (time range)', {
    description:
      'Pinpoint’s response summary: calls per response class (as in the histogram) over the whole time range',
    unit: 'short',
    width: 8,
    height: 9,
  }).overrides(
    (['1s', '3s', '5s', 'slow', 'error'] as const).map((name) => colorOverride(name, PINPOINT_COLORS[name])),
  );
  for (const [name, expr] of Object.entries(pinpointHistogramQueries('$__range'))) {
    summary.withTarget(promTarget(expr, { refId: name, legend: name, instant: true }));
  }
  builder.withPanel(summary);

  builder.withRow(new RowBuilder('Callers and callees (service graph)'));
  builder.withPanel(
    edgeTable(
      'Callers',
      'client',
      telemetryMatcher('server', 'service'),
      'Who calls this service; latency measured by the service (server side)',
    ),
  );
  builder.withPanel(
    edgeTable(
      'Callees',
      'server',
      telemetryMatcher('client', 'service'),
      'What this service calls (services, databases, external hosts); latency seen by the caller',
    ),
  );
  builder.withPanel(
    timeseries('Callers over time', {
      description: 'Calls per second into the service by caller',
      unit: 'reqps',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `sum by (client) (rate(${SG}_total{${telemetryMatcher('server', 'service')}}[$__rate_interval]))`,
        {
          refId: 'A',
          legend: '{{client}}',
        },
      ),
    ),
  );
  builder.withPanel(
    timeseries('Callees p95 (client side)', {
      description: 'p95 latency of outgoing calls as the service sees them',
      unit: 's',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `histogram_quantile(0.95, sum by (server, le) (rate(${SG}_client_seconds_bucket{${telemetryMatcher('client', 'service')}}[$__rate_interval])))`,
        { refId: 'A', legend: '{{server}}', exemplar: true },
      ),
    ),
  );

  builder.withRow(new RowBuilder('HTTP server (OpenTelemetry instrumentation)'));
  builder.withPanel(
    timeseries('HTTP p95 by route', {
      description:
        'http_server_request_duration_seconds from the preload; exemplars carry trace_id and open the trace',
      unit: 's',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `histogram_quantile(0.95, sum by (http_route, le) (rate(http_server_request_duration_seconds_bucket{${SERVICE_NAME}}[$__rate_interval])))`,
        { refId: 'A', legend: '{{http_route}}', exemplar: true },
      ),
    ),
  );
  builder.withPanel(
    timeseries('HTTP requests by status code', {
      description: 'Responses per second by http_response_status_code',
      unit: 'reqps',
      width: 12,
      stackedBars: true,
      min: 0,
    }).withTarget(
      promTarget(
        `sum by (http_response_status_code) (rate(http_server_request_duration_seconds_count{${SERVICE_NAME}}[$__rate_interval]))`,
        { refId: 'A', legend: '{{http_response_status_code}}' },
      ),
    ),
  );

  builder.withRow(new RowBuilder('Transactions'));
  builder.withPanel(
    new TablePanel()
      .title('Slow (> 3 s) and failed transactions')
      .description(
        'Tempo search (TraceQL) for the service’s server spans that failed or took more than 3 s; click a trace id to open it',
      )
      .datasource(dsRef(TEMPO))
      .span(24)
      .height(9)
      .withTarget(
        new TempoQuery()
          .datasource(dsRef(TEMPO))
          .refId('A')
          .queryType('traceql')
          .query(
            `{ ${traceqlTelemetryMatcher('resource.service.name', 'service')} && kind = server && (status = error || duration > 3s) }`,
          )
          .limit(20)
          .tableType(SearchTableType.Traces),
      ),
  );
  return builder;
}

/** Instant table of the edges on one side of the service with calls, errors, p95. */
function edgeTable(
  title: string,
  peer: 'client' | 'server',
  selector: string,
  description: string,
): TablePanel {
  const side = peer === 'client' ? 'server' : 'client';
  const panel = table(title, { description, width: 12, height: 8 })
    .transformations(
      joinTable(
        [peer],
        [
          ['calls', 'Calls'],
          ['errors', 'Errors'],
          ['p95', 'p95'],
        ],
      ),
    )
    .overrideByName(peer, [
      { id: 'displayName', value: peer === 'client' ? 'Caller' : 'Callee' },
      {
        id: 'links',
        value: [
          {
            title: 'Service dashboard',
            url: dashboardUrl(DASHBOARD_UIDS.service, { service: '${__value.raw:percentencode}' }, [
              'mimir',
              'tempo',
              'span_kind',
            ]),
          },
        ],
      },
    ])
    .overrideByName('Calls', [{ id: 'decimals', value: 0 }])
    .overrideByName('Errors', [{ id: 'unit', value: 'percentunit' }])
    .overrideByName('p95', [{ id: 'unit', value: 's' }]);
  const queries = {
    calls: `sum by (${peer}) (increase(${SG}_total{${selector}}[$__range]))`,
    errors: `sum by (${peer}) (increase(${SG}_failed_total{${selector}}[$__range])) / sum by (${peer}) (increase(${SG}_total{${selector}}[$__range]))`,
    p95: `histogram_quantile(0.95, sum by (${peer}, le) (increase(${SG}_${side}_seconds_bucket{${selector}}[$__range])))`,
  };
  for (const [refId, expr] of Object.entries(queries))
    panel.withTarget(promTarget(expr, { refId, instant: true, table: true }));
  return panel;
}
