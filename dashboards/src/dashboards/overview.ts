/**
 * APM overview (home): Pinpoint's main screen — server map and scatter (the kit's panel), per-service
 * RED table, error-rate and slow-rate (> 3 s) trends. All service statistics come from Tempo's service
 * graph (server side of each edge), so databases and external hosts get rows too, as on Pinpoint's map.
 */
import { type DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { apmPanel } from '../apm-panel.ts';
import { LOKI, MIMIR, TEMPO, type DataSourceSpec } from '../datasources.ts';
import { dashboardUrl } from '../links.ts';
import { joinTable, promTarget, stat, table, timeseries } from '../panels.ts';
import { kitDashboard, labelValuesVariable } from '../kit-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { telemetryMatcher } from '../matchers.ts';

export const OVERVIEW_DATA_SOURCES: readonly DataSourceSpec[] = [MIMIR, TEMPO, LOKI];

const SG = 'traces_service_graph_request';
const SEL = telemetryMatcher('server', 'service');
/** `le` is "3" from Tempo's remote write and "3.0" after Prometheus 3 scrape normalisation. */
const LE_3S = 'le=~"3|3.0"';

/**
 * Latency series of each edge into the selected nodes: the server side, or the client side where the
 * server side never measured time. Tempo records 0 s server latency for uninstrumented servers
 * (virtual nodes such as external hosts), whose real latency only the caller sees.
 */
export function measured(
  part: 'bucket' | 'sum' | 'count',
  window: string,
  extra = '',
  fn: 'increase' | 'rate' = 'increase',
): string {
  const sel = extra ? `${SEL}, ${extra}` : SEL;
  const server = `${fn}(${SG}_server_seconds_${part}{${sel}}[${window}])`;
  const client = `${fn}(${SG}_client_seconds_${part}{${sel}}[${window}])`;
  const serverTimed = `${fn}(${SG}_server_seconds_sum{${SEL}}[${window}]) > 0`;
  return `(${server} and on (client, server, connection_type) (${serverTimed}) or ${client})`;
}

/** Share of calls above 3 s (Pinpoint "slow") per node, or overall when `by` is empty. */
function slowRatio(window: string, fn: 'increase' | 'rate', by: string): string {
  const agg = by ? `sum by (${by})` : 'sum';
  return `1 - ${agg} (${measured('bucket', window, LE_3S, fn)}) / ${agg} (${measured('count', window, '', fn)})`;
}

const q = {
  requests: `sum by (server) (increase(${SG}_total{${SEL}}[$__range]))`,
  rps: `sum by (server) (rate(${SG}_total{${SEL}}[$__range]))`,
  errorRatio: `sum by (server) (increase(${SG}_failed_total{${SEL}}[$__range])) / sum by (server) (increase(${SG}_total{${SEL}}[$__range]))`,
  avg: `sum by (server) (${measured('sum', '$__range')}) / sum by (server) (${measured('count', '$__range')})`,
  p95: `histogram_quantile(0.95, sum by (server, le) (${measured('bucket', '$__range')}))`,
  slowRatio: slowRatio('$__range', 'increase', 'server'),
  instances: `sum by (server) (label_replace(count by (service_name) (target_info{${telemetryMatcher('service_name', 'service')}}), "server", "$1", "service_name", "(.*)"))`,
};

export function overviewDashboard(): DashboardBuilder {
  const builder = kitDashboard('LGTM APM — Overview', {
    uid: DASHBOARD_UIDS.overview,
    description: 'Server map, response-time scatter and per-service RED statistics (Pinpoint main view)',
    tags: ['apm', 'tempo'],
    dataSources: OVERVIEW_DATA_SOURCES,
  });
  builder.withVariable(
    labelValuesVariable('service', {
      label: 'Service',
      description: 'Server-side node of the service graph (instrumented services, databases, external hosts)',
      dataSource: MIMIR,
      query: 'label_values(traces_service_graph_request_total, server)',
    })
      .includeAll(true)
      .allValue('.+')
      .current({ text: 'All', value: '$__all' }),
  );

  builder.withPanel(
    apmPanel('Server map and response-time scatter', {
      width: 24,
      height: 18,
      serviceDashboardUid: DASHBOARD_UIDS.service,
    }),
  );

  builder.withRow(new RowBuilder('Services (RED over the time range)'));
  builder.withPanel(
    stat('Requests / s', {
      description: 'All calls into the selected nodes',
      unit: 'reqps',
      width: 6,
      decimals: 2,
    }).withTarget(promTarget(`sum(rate(${SG}_total{${SEL}}[$__rate_interval]))`, { refId: 'A' })),
  );
  builder.withPanel(
    stat('Error ratio', {
      description: 'Failed calls / calls',
      unit: 'percentunit',
      width: 6,
      decimals: 2,
      thresholds: [
        [0.01, 'orange'],
        [0.05, 'red'],
      ],
    }).withTarget(
      promTarget(
        `sum(rate(${SG}_failed_total{${SEL}}[$__rate_interval])) / sum(rate(${SG}_total{${SEL}}[$__rate_interval]))`,
        { refId: 'A' },
      ),
    ),
  );
  builder.withPanel(
    stat('Slow ratio (> 3 s)', {
      description:
        'Share of calls slower than 3 s (measured by the node; by its callers for uninstrumented nodes)',
      unit: 'percentunit',
      width: 6,
      decimals: 2,
      thresholds: [
        [0.01, 'orange'],
        [0.05, 'red'],
      ],
    }).withTarget(promTarget(slowRatio('$__rate_interval', 'rate', ''), { refId: 'A' })),
  );
  builder.withPanel(
    stat('Instances', {
      description: 'Running service instances (target_info)',
      unit: 'none',
      width: 6,
    }).withTarget(
      promTarget(`count(target_info{${telemetryMatcher('service_name', 'service')}})`, { refId: 'A' }),
    ),
  );

  const red = table('Services', {
    description:
      'Per node, calls into it from the service graph over the dashboard time range; latency as the node measures it (as its callers do for uninstrumented nodes). Click a name to open its service dashboard.',
    width: 24,
    height: 9,
  })
    .transformations(
      joinTable(
        ['server'],
        [
          ['requests', 'Requests'],
          ['rps', 'Req/s'],
          ['errorRatio', 'Errors'],
          ['slowRatio', 'Slow > 3 s'],
          ['avg', 'Avg'],
          ['p95', 'p95'],
          ['instances', 'Instances'],
        ],
      ),
    )
    .overrideByName('server', [
      { id: 'displayName', value: 'Service' },
      {
        id: 'links',
        value: [
          {
            title: 'Service dashboard',
            url: dashboardUrl(DASHBOARD_UIDS.service, { service: '${__value.raw:percentencode}' }, [
              'mimir',
              'tempo',
            ]),
          },
        ],
      },
    ])
    .overrideByName('Requests', [
      { id: 'unit', value: 'short' },
      { id: 'decimals', value: 0 },
    ])
    .overrideByName('Req/s', [
      { id: 'unit', value: 'reqps' },
      { id: 'decimals', value: 2 },
    ])
    .overrideByName('Errors', [
      { id: 'unit', value: 'percentunit' },
      { id: 'custom.cellOptions', value: { type: 'color-text' } },
      {
        id: 'thresholds',
        value: {
          mode: 'absolute',
          steps: [
            { value: null, color: 'green' },
            { value: 0.01, color: 'orange' },
            { value: 0.05, color: 'red' },
          ],
        },
      },
    ])
    .overrideByName('Slow > 3 s', [
      { id: 'unit', value: 'percentunit' },
      { id: 'custom.cellOptions', value: { type: 'color-text' } },
      {
        id: 'thresholds',
        value: {
          mode: 'absolute',
          steps: [
            { value: null, color: 'green' },
            { value: 0.01, color: 'orange' },
            { value: 0.05, color: 'red' },
          ],
        },
      },
    ])
    .overrideByName('Avg', [{ id: 'unit', value: 's' }])
    .overrideByName('p95', [{ id: 'unit', value: 's' }]);
  for (const [refId, expr] of Object.entries(q))
    red.withTarget(promTarget(expr, { refId, instant: true, table: true }));
  builder.withPanel(red);

  builder.withRow(new RowBuilder('Errors and slow calls'));
  builder.withPanel(
    timeseries('Error ratio by service', {
      description:
        'traces_service_graph_request_failed_total / traces_service_graph_request_total per server node',
      unit: 'percentunit',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `sum by (server) (rate(${SG}_failed_total{${SEL}}[$__rate_interval])) / sum by (server) (rate(${SG}_total{${SEL}}[$__rate_interval]))`,
        { refId: 'A', legend: '{{server}}' },
      ),
    ),
  );
  builder.withPanel(
    timeseries('Slow ratio (> 3 s) by service', {
      description:
        'Share of calls above the 3 s bucket of the service-graph histogram (Pinpoint "slow"); caller side for uninstrumented nodes',
      unit: 'percentunit',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(slowRatio('$__rate_interval', 'rate', 'server'), { refId: 'A', legend: '{{server}}' }),
    ),
  );
  builder.withPanel(
    timeseries('Requests by service', {
      description: 'Calls per second into each node',
      unit: 'reqps',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(`sum by (server) (rate(${SG}_total{${SEL}}[$__rate_interval]))`, {
        refId: 'A',
        legend: '{{server}}',
      }),
    ),
  );
  builder.withPanel(
    timeseries('p95 latency by service', {
      description:
        '95th percentile latency from the service-graph histogram (server side; caller side for uninstrumented nodes)',
      unit: 's',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `histogram_quantile(0.95, sum by (server, le) (${measured('bucket', '$__rate_interval', '', 'rate')}))`,
        {
          refId: 'A',
          legend: '{{server}}',
          exemplar: true,
        },
      ),
    ),
  );
  return builder;
}
