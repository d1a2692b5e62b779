/**
 * What every kit dashboard shares, so the four stay alike: the last hour refreshed every 30 s, one crosshair
 * across panels, the links to the other kit dashboards, a picker per data source, and label pickers that hide
 * values the dashboards' backtick-quoted matchers cannot represent.
 */
import {
  DashboardBuilder,
  DashboardCursorSync,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { dataSourceVariable, dsRef, type DataSourceSpec } from './datasources.ts';
import { TELEMETRY_VALUE_FILTER } from './matchers.ts';
import { KIT_TAG, kitDashboardLinks } from './panels.ts';

export interface KitDashboardSpec {
  uid: string;
  description: string;
  /** Tags besides the kit's own, which the dashboard links select on. */
  tags: string[];
  dataSources: readonly DataSourceSpec[];
}

export function kitDashboard(title: string, spec: KitDashboardSpec): DashboardBuilder {
  const builder = new DashboardBuilder(title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([KIT_TAG, ...spec.tags])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .tooltip(DashboardCursorSync.Crosshair)
    .link(kitDashboardLinks());
  for (const dataSource of spec.dataSources) builder.withVariable(dataSourceVariable(dataSource));
  return builder;
}

export interface LabelValuesVariableSpec {
  label: string;
  description?: string;
  dataSource: DataSourceSpec;
  /** A `label_values(…)` query; it is also the definition Grafana shows in the variable editor. */
  query: string;
}

/** A picker over a label's values, re-read when the time range changes, sorted, backtick names hidden. */
export function labelValuesVariable(name: string, spec: LabelValuesVariableSpec): QueryVariableBuilder {
  const variable = new QueryVariableBuilder(name).label(spec.label);
  if (spec.description !== undefined) variable.description(spec.description);
  return variable
    .datasource(dsRef(spec.dataSource))
    .query(spec.query)
    .definition(spec.query)
    .regex(TELEMETRY_VALUE_FILTER)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}
