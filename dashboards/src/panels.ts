/**
 * Small factories over the foundation-SDK builders so each dashboard file reads as a list of panels and
 * queries. Every panel and query gets its data source through a dashboard variable (see datasources.ts).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import { type Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  type DashboardLink,
  type DataTransformerConfig,
  DashboardLinkBuilder,
  DashboardLinkType,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PromQuery, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { LOKI, MIMIR, dsRef } from './datasources.ts';

export interface PromTargetOptions {
  refId: string;
  legend?: string;
  /** Instant query (tables, stats over the dashboard range). */
  instant?: boolean;
  /** Table format: one frame with a column per label, for tables joined with `merge`. */
  table?: boolean;
  /** Request exemplars (trace ids) with the samples; Grafana links them to Tempo. */
  exemplar?: boolean;
  /** Minimum step, e.g. '1m' so `[$__interval]` windows always hold several samples. */
  interval?: string;
}

export function promTarget(expr: string, options: PromTargetOptions): PromQuery {
  const query = new PromQuery().datasource(dsRef(MIMIR)).refId(options.refId).expr(expr);
  if (options.instant) query.instant();
  else query.range();
  if (options.table) query.format(PromQueryFormat.Table);
  if (options.legend !== undefined) query.legendFormat(options.legend);
  if (options.exemplar) query.exemplar(true);
  if (options.interval) query.interval(options.interval);
  return query;
}

export interface LokiTargetOptions {
  refId: string;
  legend?: string;
  instant?: boolean;
  maxLines?: number;
}

export function lokiTarget(expr: string, options: LokiTargetOptions): LokiQuery {
  const query = new LokiQuery().datasource(dsRef(LOKI)).refId(options.refId).expr(expr);
  if (options.instant) query.instant(true).range(false);
  else query.range(true).instant(false);
  if (options.legend !== undefined) query.legendFormat(options.legend);
  if (options.maxLines !== undefined) query.maxLines(options.maxLines);
  return query;
}

export interface TimeseriesOptions {
  description: string;
  unit: string;
  width: number;
  height?: number;
  /** Stacked bars (Pinpoint-style histograms and counts per interval). */
  stackedBars?: boolean;
  min?: number;
  legendTable?: boolean;
}

export function timeseries(title: string, options: TimeseriesOptions): TimeseriesPanel {
  const panel = new TimeseriesPanel()
    .title(title)
    .description(options.description)
    .datasource(dsRef(MIMIR))
    .unit(options.unit)
    .span(options.width)
    .height(options.height ?? 8)
    .lineWidth(1)
    .fillOpacity(options.stackedBars ? 80 : 10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(options.legendTable ? common.LegendDisplayMode.Table : common.LegendDisplayMode.List)
        .placement(options.legendTable ? common.LegendPlacement.Right : common.LegendPlacement.Bottom)
        .calcs(options.legendTable ? ['mean', 'max', 'lastNotNull'] : []),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (options.min !== undefined) panel.min(options.min);
  if (options.stackedBars) {
    panel
      .drawStyle(common.GraphDrawStyle.Bars)
      .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal).group('A'));
  }
  return panel;
}

export interface StatOptions {
  description: string;
  unit: string;
  width: number;
  height?: number;
  decimals?: number;
  /** Threshold steps after the base (green): [value, color]. */
  thresholds?: Array<[number, string]>;
}

export function stat(title: string, options: StatOptions): StatPanel {
  const panel = new StatPanel()
    .title(title)
    .description(options.description)
    .datasource(dsRef(MIMIR))
    .unit(options.unit)
    .span(options.width)
    .height(options.height ?? 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .thresholds(thresholds(options.thresholds ?? []));
  if (options.decimals !== undefined) panel.decimals(options.decimals);
  return panel;
}

export function thresholds(steps: Array<[number, string]>): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: 'green' }, ...steps.map(([value, color]) => ({ value, color }))]);
}

export interface TableOptions {
  description: string;
  width: number;
  height?: number;
}

export function table(title: string, options: TableOptions): TablePanel {
  return new TablePanel()
    .title(title)
    .description(options.description)
    .datasource(dsRef(MIMIR))
    .span(options.width)
    .height(options.height ?? 8)
    .cellHeight(common.TableCellHeight.Sm)
    .filterable(false);
}

export interface BarGaugeOptions {
  description: string;
  unit: string;
  width: number;
  height?: number;
}

export function barGauge(title: string, options: BarGaugeOptions): BarGaugePanel {
  return new BarGaugePanel()
    .title(title)
    .description(options.description)
    .datasource(dsRef(MIMIR))
    .unit(options.unit)
    .span(options.width)
    .height(options.height ?? 8)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .orientation(common.VizOrientation.Horizontal)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}

/**
 * Joins instant table queries on their label columns, hides Time, renames `Value #<refId>` columns and
 * orders them as given.
 */
export function joinTable(
  labelColumns: string[],
  valueColumns: Array<[refId: string, title: string]>,
): DataTransformerConfig[] {
  const renameByName: Record<string, string> = {};
  const indexByName: Record<string, number> = {};
  labelColumns.forEach((column, i) => (indexByName[column] = i));
  valueColumns.forEach(([refId, title], i) => {
    renameByName[`Value #${refId}`] = title;
    indexByName[`Value #${refId}`] = labelColumns.length + i;
  });
  return [
    { id: 'merge', options: {} },
    { id: 'organize', options: { excludeByName: { Time: true }, renameByName, indexByName } },
  ];
}

/** Links to the other kit dashboards (tag `lgtm-apm`), keeping time range and variables. */
export function kitDashboardLinks(): Builder<DashboardLink> {
  const link = new DashboardLinkBuilder('LGTM APM')
    .type(DashboardLinkType.Dashboards)
    .tags([KIT_TAG])
    .asDropdown(false)
    .includeVars(true)
    .keepTime(true)
    .targetBlank(false);
  return {
    build: () => {
      // The SDK defaults placement to "inControlsMenu" (hidden in a menu); links belong in plain sight.
      const { placement: _placement, ...visible } = link.build();
      return visible;
    },
  };
}

export const KIT_TAG = 'lgtm-apm';

/** Field override colouring a series by display name. */
export function colorOverride(name: string, color: string) {
  return {
    matcher: { id: 'byName', options: name },
    properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }],
  };
}

export const PINPOINT_COLORS = {
  '1s': 'green',
  '3s': 'blue',
  '5s': 'orange',
  slow: 'red',
  error: 'dark-red',
} as const;
