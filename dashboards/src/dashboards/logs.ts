/**
 * Logs (var `service`): volume by level per service, an errors-only toggle, the log stream and trace
 * links. Loki's OTLP mapping (lgtm-backends.md §3.2): `service.name` → index label `service_name`;
 * `severity_text`, `trace_id`, `span_id` → structured metadata; Loki's level discovery adds
 * `detected_level` (normalised: error, warn, info, …). Structured metadata filters like a label after
 * the stream selector.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  CustomVariableBuilder,
  type DashboardBuilder,
  TextBoxVariableBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { LOKI, TEMPO, dsRef, type DataSourceSpec } from '../datasources.ts';
import { exploreTraceUrl } from '../links.ts';
import { colorOverride, lokiTarget, table, timeseries } from '../panels.ts';
import { kitDashboard, labelValuesVariable } from '../kit-dashboard.ts';
import { DASHBOARD_UIDS } from '../uids.ts';
import { telemetryMatcher } from '../matchers.ts';

export const LOGS_DATA_SOURCES: readonly DataSourceSpec[] = [LOKI, TEMPO];

const STREAM = `{${telemetryMatcher('service_name', 'service')}}`;
/** Level filter on Loki's detected level, or the OTLP severity text when level discovery is off. */
const LEVEL = '| detected_level=~"$level" or severity_text=~"$level"';
const SEARCH = '|~ "(?i)$search"';
export const ERROR_LEVELS = '(?i)(critical|fatal|error)';

export function logsDashboard(): DashboardBuilder {
  const builder = kitDashboard('LGTM APM — Logs', {
    uid: DASHBOARD_UIDS.logs,
    description:
      'Log volume by level and service, errors-only toggle, log stream with trace links (Loki via OTLP)',
    tags: ['logs', 'loki'],
    dataSources: LOGS_DATA_SOURCES,
  });
  builder.withVariable(
    labelValuesVariable('service', {
      label: 'Service',
      dataSource: LOKI,
      query: 'label_values(service_name)',
    })
      .includeAll(true)
      .allValue('.+')
      .current({ text: 'All', value: '$__all' }),
  );
  builder.withVariable(
    new CustomVariableBuilder('level')
      .label('Levels')
      .description('Errors only keeps critical, fatal and error lines')
      .values(`All levels : .*, Errors only : ${ERROR_LEVELS}`)
      .current({ text: 'All levels', value: '.*' }),
  );
  builder.withVariable(
    new TextBoxVariableBuilder('search')
      .label('Search')
      .description('Case-insensitive regular expression on the log line')
      .defaultValue('')
      .current({ text: '', value: '' }),
  );

  builder.withPanel(
    timeseries('Log volume by level', {
      description: 'Lines per interval by detected_level',
      unit: 'short',
      width: 24,
      height: 7,
      stackedBars: true,
      min: 0,
    })
      .datasource(dsRef(LOKI))
      .overrides([
        colorOverride('critical', 'purple'),
        colorOverride('fatal', 'purple'),
        colorOverride('error', 'red'),
        colorOverride('warn', 'orange'),
        colorOverride('info', 'green'),
        colorOverride('debug', 'blue'),
        colorOverride('trace', 'light-blue'),
        colorOverride('unknown', 'text'),
      ])
      .withTarget(
        lokiTarget(`sum by (detected_level) (count_over_time(${STREAM} ${LEVEL} ${SEARCH} [$__auto]))`, {
          refId: 'A',
          legend: '{{detected_level}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('Log volume by service', {
      description: 'Lines per interval by service_name',
      unit: 'short',
      width: 12,
      min: 0,
    })
      .datasource(dsRef(LOKI))
      .withTarget(
        lokiTarget(`sum by (service_name) (count_over_time(${STREAM} ${LEVEL} ${SEARCH} [$__auto]))`, {
          refId: 'A',
          legend: '{{service_name}}',
        }),
      ),
  );
  builder.withPanel(
    timeseries('Errors by service', {
      description: 'Error, fatal and critical lines per interval by service_name',
      unit: 'short',
      width: 12,
      min: 0,
    })
      .datasource(dsRef(LOKI))
      .withTarget(
        lokiTarget(
          `sum by (service_name) (count_over_time(${STREAM} | detected_level=~"${ERROR_LEVELS}" or severity_text=~"${ERROR_LEVELS}" [$__auto]))`,
          { refId: 'A', legend: '{{service_name}}' },
        ),
      ),
  );

  builder.withPanel(
    table('Traces in these logs', {
      description:
        'Trace ids (structured metadata trace_id) of the matching lines over the time range, most lines first; click one to open the trace in Tempo',
      width: 24,
      height: 7,
    })
      .datasource(dsRef(LOKI))
      .withTarget(
        lokiTarget(
          `topk(20, sum by (service_name, trace_id) (count_over_time(${STREAM} | trace_id!="" ${LEVEL} ${SEARCH} [$__range])))`,
          { refId: 'A', instant: true },
        ),
      )
      .transformations([
        { id: 'labelsToFields', options: { mode: 'columns' } },
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: { excludeByName: { Time: true }, renameByName: { Value: 'Lines', 'Value #A': 'Lines' } },
        },
        { id: 'sortBy', options: { sort: [{ field: 'Lines', desc: true }] } },
      ])
      .overrideByName('trace_id', [
        { id: 'displayName', value: 'Trace' },
        { id: 'links', value: [{ title: 'Open trace in Tempo', url: exploreTraceUrl('${__value.raw}') }] },
      ])
      .overrideByName('service_name', [{ id: 'displayName', value: 'Service' }]),
  );

  builder.withPanel(
    new LogsPanel()
      .title('Logs')
      .description(
        'Log lines of the selected services. Open a line for its fields; trace_id links to Tempo through the Loki data source’s ' +
          'derived field (provisioned by the kit), or use the table above.',
      )
      .datasource(dsRef(LOKI))
      .span(24)
      .height(16)
      .showTime(true)
      .wrapLogMessage(true)
      .enableLogDetails(true)
      .prettifyLogMessage(false)
      .showCommonLabels(false)
      .showLabels(false)
      .sortOrder(common.LogsSortOrder.Descending)
      .dedupStrategy(common.LogsDedupStrategy.None)
      .withTarget(lokiTarget(`${STREAM} ${LEVEL} ${SEARCH}`, { refId: 'A', maxLines: 1000 })),
  );
  return builder;
}
