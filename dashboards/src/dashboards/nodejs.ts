/**
 * Node.js Inspector (vars `service`, `instance`): Pinpoint's agent inspector for Node from prom-client
 * runtime metrics — heap (total, used, per space), RSS, GC pauses by kind, event-loop lag, CPU, handles,
 * open fds, TPS/response time and active requests by age — plus the application inspector's
 * min/avg/max across instances.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { type DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { MIMIR, type DataSourceSpec } from '../datasources.ts';
import { PINPOINT_COLORS, colorOverride, joinTable, promTarget, table, timeseries } from '../panels.ts';
import { kitDashboard, labelValuesVariable } from '../kit-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { telemetryMatcher } from '../matchers.ts';

export const NODEJS_DATA_SOURCES: readonly DataSourceSpec[] = [MIMIR];

/** Selector of the chosen service and instances on runtime series (promoted resource attributes). */
const SEL = `${telemetryMatcher('service_name', 'service')}, ${telemetryMatcher('service_instance_id', 'instance')}`;
const INSTANCES_OF_SERVICE = `label_values(nodejs_heap_size_used_bytes{${telemetryMatcher('service_name', 'service')}}, service_instance_id)`;
const BY = 'service_instance_id';

export function nodejsDashboard(): DashboardBuilder {
  const builder = kitDashboard('LGTM APM — Node.js Inspector', {
    uid: DASHBOARD_UIDS.nodejs,
    description: 'Pinpoint-style Inspector for Node.js services: heap, GC, event loop, CPU, active requests',
    tags: ['nodejs', 'runtime'],
    dataSources: NODEJS_DATA_SOURCES,
  });
  builder.withVariable(
    labelValuesVariable('service', {
      label: 'Service',
      dataSource: MIMIR,
      query: 'label_values(nodejs_heap_size_used_bytes, service_name)',
    }),
  );
  builder.withVariable(
    labelValuesVariable('instance', {
      label: 'Instance',
      description: 'service.instance.id of each process (Pinpoint agent)',
      dataSource: MIMIR,
      query: INSTANCES_OF_SERVICE,
    })
      .multi(true)
      .includeAll(true)
      .allValue('.+')
      .current({ text: ['All'], value: ['$__all'] }),
  );

  builder.withRow(new RowBuilder('Application inspector (across the selected instances)'));
  const instances = table('Instances', {
    description: 'Latest values per instance (Pinpoint agent list)',
    width: 24,
    height: 6,
  })
    .transformations(
      joinTable(
        [BY, 'version'],
        [
          ['uptime', 'Uptime'],
          ['heapUsed', 'Heap used'],
          ['heapTotal', 'Heap total'],
          ['rss', 'RSS'],
          ['cpu', 'CPU'],
          ['lag', 'Event loop p99'],
          ['handles', 'Handles'],
          ['fds', 'Open fds'],
        ],
      ),
    )
    .overrideByName(BY, [{ id: 'displayName', value: 'Instance' }])
    .overrideByName('version', [{ id: 'displayName', value: 'Node.js' }])
    .overrideByName('Uptime', [{ id: 'unit', value: 's' }])
    .overrideByName('Heap used', [{ id: 'unit', value: 'bytes' }])
    .overrideByName('Heap total', [{ id: 'unit', value: 'bytes' }])
    .overrideByName('RSS', [{ id: 'unit', value: 'bytes' }])
    .overrideByName('CPU', [{ id: 'unit', value: 'percentunit' }])
    .overrideByName('Event loop p99', [{ id: 'unit', value: 's' }]);
  const latest = {
    uptime: `max by (${BY}, version) (time() - process_start_time_seconds{${SEL}} + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
    heapUsed: `max by (${BY}, version) (nodejs_heap_size_used_bytes{${SEL}} + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
    heapTotal: `max by (${BY}, version) (nodejs_heap_size_total_bytes{${SEL}} + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
    rss: `max by (${BY}, version) (process_resident_memory_bytes{${SEL}} + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
    cpu: `max by (${BY}, version) (rate(process_cpu_seconds_total{${SEL}}[$__rate_interval]) + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
    lag: `max by (${BY}, version) (nodejs_eventloop_lag_p99_seconds{${SEL}} + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
    handles: `max by (${BY}, version) (nodejs_active_handles_total{${SEL}} + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
    fds: `max by (${BY}, version) (process_open_fds{${SEL}} + on (${BY}) group_left (version) (0 * nodejs_version_info{${SEL}}))`,
  };
  for (const [refId, expr] of Object.entries(latest))
    instances.withTarget(promTarget(expr, { refId, instant: true, table: true }));
  builder.withPanel(instances);

  const minAvgMax = (title: string, description: string, unit: string, inner: string) => {
    const panel = timeseries(title, {
      description: `${description} — min / avg / max across instances`,
      unit,
      width: 8,
      min: 0,
    }).overrides([colorOverride('max', 'red'), colorOverride('avg', 'blue'), colorOverride('min', 'green')]);
    for (const agg of ['min', 'avg', 'max'])
      panel.withTarget(promTarget(`${agg}(${inner})`, { refId: agg, legend: agg }));
    return panel;
  };
  builder.withPanel(
    minAvgMax('Heap used', 'nodejs_heap_size_used_bytes', 'bytes', `nodejs_heap_size_used_bytes{${SEL}}`),
  );
  builder.withPanel(
    minAvgMax(
      'CPU',
      'process_cpu_seconds_total rate (1 = one core)',
      'percentunit',
      `rate(process_cpu_seconds_total{${SEL}}[$__rate_interval])`,
    ),
  );
  builder.withPanel(
    minAvgMax(
      'Event loop lag p99',
      'nodejs_eventloop_lag_p99_seconds',
      's',
      `nodejs_eventloop_lag_p99_seconds{${SEL}}`,
    ),
  );

  builder.withRow(new RowBuilder('Active requests and throughput'));
  const active = timeseries('Active requests by age', {
    description:
      'In-flight requests per age class at each sample (lgtm_apm_active_requests): < 1 s, 1–3 s, 3–5 s, ≥ 5 s',
    unit: 'short',
    width: 12,
    stackedBars: true,
    min: 0,
  }).overrides((['1s', '3s', '5s', 'slow'] as const).map((age) => colorOverride(age, PINPOINT_COLORS[age])));
  // One query per class keeps the stacking order fixed (fast at the bottom, slow on top).
  for (const age of ['1s', '3s', '5s', 'slow'] as const) {
    active.withTarget(
      promTarget(`sum(lgtm_apm_active_requests{${SEL}, age="${age}"})`, { refId: `age_${age}`, legend: age }),
    );
  }
  builder.withPanel(active);
  builder.withPanel(
    timeseries('TPS and response time', {
      description:
        'HTTP server requests per second per instance (bars) and average response time (line, right axis)',
      unit: 'reqps',
      width: 12,
      min: 0,
    })
      .withTarget(
        promTarget(
          `sum by (${BY}) (rate(http_server_request_duration_seconds_count{${SEL}}[$__rate_interval]))`,
          {
            refId: 'tps',
            legend: 'TPS {{service_instance_id}}',
          },
        ),
      )
      .withTarget(
        promTarget(
          `sum by (${BY}) (rate(http_server_request_duration_seconds_sum{${SEL}}[$__rate_interval])) / sum by (${BY}) (rate(http_server_request_duration_seconds_count{${SEL}}[$__rate_interval]))`,
          { refId: 'avg', legend: 'avg {{service_instance_id}}' },
        ),
      )
      .overrideByQuery('avg', [
        { id: 'unit', value: 's' },
        { id: 'custom.axisPlacement', value: 'right' },
        { id: 'custom.lineWidth', value: 2 },
      ]),
  );

  builder.withRow(new RowBuilder('Memory'));
  builder.withPanel(
    timeseries('Heap used and total', {
      description: 'nodejs_heap_size_used_bytes / _total_bytes per instance',
      unit: 'bytes',
      width: 12,
      min: 0,
    })
      .withTarget(
        promTarget(`nodejs_heap_size_used_bytes{${SEL}}`, {
          refId: 'used',
          legend: 'used {{service_instance_id}}',
        }),
      )
      .withTarget(
        promTarget(`nodejs_heap_size_total_bytes{${SEL}}`, {
          refId: 'total',
          legend: 'total {{service_instance_id}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('Heap used by space', {
      description: 'nodejs_heap_space_size_used_bytes by V8 space, summed over the selected instances',
      unit: 'bytes',
      width: 12,
      stackedBars: false,
      min: 0,
    })
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'))
      .fillOpacity(40)
      .withTarget(
        promTarget(`sum by (space) (nodejs_heap_space_size_used_bytes{${SEL}})`, {
          refId: 'A',
          legend: '{{space}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('RSS and external memory', {
      description: 'process_resident_memory_bytes and nodejs_external_memory_bytes',
      unit: 'bytes',
      width: 12,
      min: 0,
    })
      .withTarget(
        promTarget(`process_resident_memory_bytes{${SEL}}`, {
          refId: 'rss',
          legend: 'RSS {{service_instance_id}}',
        }),
      )
      .withTarget(
        promTarget(`nodejs_external_memory_bytes{${SEL}}`, {
          refId: 'external',
          legend: 'external {{service_instance_id}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('GC pause time by kind', {
      description:
        'Seconds spent in GC per second (nodejs_gc_duration_seconds_sum rate); major = mark-compact',
      unit: 's',
      width: 12,
      min: 0,
    }).withTarget(
      promTarget(`sum by (kind) (rate(nodejs_gc_duration_seconds_sum{${SEL}}[$__rate_interval]))`, {
        refId: 'A',
        legend: '{{kind}}',
      }),
    ),
  );

  builder.withRow(new RowBuilder('CPU, event loop, handles'));
  builder.withPanel(
    timeseries('CPU user / system', {
      description: 'process_cpu_user/system_seconds_total rate per instance (1 = one core)',
      unit: 'percentunit',
      width: 12,
      min: 0,
    })
      .withTarget(
        promTarget(`rate(process_cpu_user_seconds_total{${SEL}}[$__rate_interval])`, {
          refId: 'user',
          legend: 'user {{service_instance_id}}',
        }),
      )
      .withTarget(
        promTarget(`rate(process_cpu_system_seconds_total{${SEL}}[$__rate_interval])`, {
          refId: 'system',
          legend: 'system {{service_instance_id}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('Event loop lag p50 / p99', {
      description: 'nodejs_eventloop_lag_p50/p99_seconds per instance',
      unit: 's',
      width: 12,
      min: 0,
    })
      .withTarget(
        promTarget(`nodejs_eventloop_lag_p50_seconds{${SEL}}`, {
          refId: 'p50',
          legend: 'p50 {{service_instance_id}}',
        }),
      )
      .withTarget(
        promTarget(`nodejs_eventloop_lag_p99_seconds{${SEL}}`, {
          refId: 'p99',
          legend: 'p99 {{service_instance_id}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('GC count by kind', {
      description: 'GC runs per second by kind',
      unit: 'ops',
      width: 8,
      min: 0,
    }).withTarget(
      promTarget(`sum by (kind) (rate(nodejs_gc_duration_seconds_count{${SEL}}[$__rate_interval]))`, {
        refId: 'A',
        legend: '{{kind}}',
      }),
    ),
  );
  builder.withPanel(
    timeseries('Active handles and requests', {
      description: 'nodejs_active_handles_total and nodejs_active_requests_total per instance',
      unit: 'short',
      width: 8,
      min: 0,
    })
      .withTarget(
        promTarget(`nodejs_active_handles_total{${SEL}}`, {
          refId: 'handles',
          legend: 'handles {{service_instance_id}}',
        }),
      )
      .withTarget(
        promTarget(`nodejs_active_requests_total{${SEL}}`, {
          refId: 'requests',
          legend: 'requests {{service_instance_id}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('Open file descriptors', {
      description: 'process_open_fds per instance',
      unit: 'short',
      width: 8,
      min: 0,
    }).withTarget(promTarget(`process_open_fds{${SEL}}`, { refId: 'A', legend: '{{service_instance_id}}' })),
  );
  return builder;
}
