/**
 * APM overview (home): Pinpoint's main screen — server map and scatter (the kit's panel), per-service
 * RED table, error-rate and slow-rate (> 3 s) trends. All service statistics come from Tempo's service
 * graph (server side of each edge), so databases and external hosts get rows too, as on Pinpoint's map.
 */
import {
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { apmPanel } from '../apm-panel.ts';
import { LOKI, MIMIR, TEMPO, dataSourceVariable, dsRef, type DataSourceSpec } from '../datasources.ts';
import { dashboardUrl } from '../links.ts';
import { KIT_TAG, joinTable, kitDashboardLinks, promTarget, stat, table, timeseries } from '../panels.ts';
import { DASHBOARD_UIDS } from '../uids.ts';

export const OVERVIEW_DATA_SOURCES: readonly DataSourceSpec[] = [MIMIR, TEMPO, LOKI];

const SG = 'traces_service_graph_request';
const SEL = 'server=~"$service"';
/** `le` is "3" from Tempo's remote write and "3.0" after Prometheus 3 scrape normalisation. */
const LE_3S = 'le=~"3|3.0"';

const q = {
  requests: `sum by (server) (increase(${SG}_total{${SEL}}[$__range]))`,
  rps: `sum by (server) (rate(${SG}_total{${SEL}}[$__range]))`,
  errorRatio: `sum by (server) (increase(${SG}_failed_total{${SEL}}[$__range])) / sum by (server) (increase(${SG}_total{${SEL}}[$__range]))`,
  avg: `sum by (server) (increase(${SG}_server_seconds_sum{${SEL}}[$__range])) / sum by (server) (increase(${SG}_server_seconds_count{${SEL}}[$__range]))`,
  p95: `histogram_quantile(0.95, sum by (server, le) (increase(${SG}_server_seconds_bucket{${SEL}}[$__range])))`,
  slowRatio: `1 - sum by (server) (increase(${SG}_server_seconds_bucket{${SEL}, ${LE_3S}}[$__range])) / sum by (server) (increase(${SG}_server_seconds_count{${SEL}}[$__range]))`,
  instances: `sum by (server) (label_replace(count by (service_name) (target_info{service_name=~"$service"}), "server", "$1", "service_name", "(.*)"))`,
};

export function overviewDashboard(): DashboardBuilder {
  const builder = new DashboardBuilder('LGTM APM — Overview')
    .uid(DASHBOARD_UIDS.overview)
    .description('Server map, response-time scatter and per-service RED statistics (Pinpoint main view)')
    .tags([KIT_TAG, 'apm', 'tempo'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(kitDashboardLinks());
  for (const spec of OVERVIEW_DATA_SOURCES) builder.withVariable(dataSourceVariable(spec));
  builder.withVariable(
    new QueryVariableBuilder('service')
      .label('Service')
      .description('Server-side node of the service graph (instrumented services, databases, external hosts)')
      .datasource(dsRef(MIMIR))
      .query('label_values(traces_service_graph_request_total, server)')
      .definition('label_values(traces_service_graph_request_total, server)')
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
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
      description: 'Share of calls slower than 3 s (server side)',
      unit: 'percentunit',
      width: 6,
      decimals: 2,
      thresholds: [
        [0.01, 'orange'],
        [0.05, 'red'],
      ],
    }).withTarget(
      promTarget(
        `1 - sum(rate(${SG}_server_seconds_bucket{${SEL}, ${LE_3S}}[$__rate_interval])) / sum(rate(${SG}_server_seconds_count{${SEL}}[$__rate_interval]))`,
        { refId: 'A' },
      ),
    ),
  );
  builder.withPanel(
    stat('Instances', {
      description: 'Running service instances (target_info)',
      unit: 'none',
      width: 6,
    }).withTarget(promTarget('count(target_info{service_name=~"$service"})', { refId: 'A' })),
  );

  const red = table('Services', {
    description:
      'Per node, server side of the service graph over the dashboard time range. Click a name to open its service dashboard.',
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
            url: dashboardUrl(DASHBOARD_UIDS.service, { service: '${__value.raw}' }, ['mimir', 'tempo']),
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
        'Share of calls above the 3 s bucket of the server-side service-graph histogram (Pinpoint "slow")',
      unit: 'percentunit',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `1 - sum by (server) (rate(${SG}_server_seconds_bucket{${SEL}, ${LE_3S}}[$__rate_interval])) / sum by (server) (rate(${SG}_server_seconds_count{${SEL}}[$__rate_interval]))`,
        { refId: 'A', legend: '{{server}}' },
      ),
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
      description: 'Server-side latency, 95th percentile from the service-graph histogram',
      unit: 's',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(
        `histogram_quantile(0.95, sum by (server, le) (rate(${SG}_server_seconds_bucket{${SEL}}[$__rate_interval])))`,
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
