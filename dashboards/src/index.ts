export {
  DASHBOARDS,
  MIN_GRAFANA_VERSION,
  buildDashboard,
  flattenPanels,
  renderDashboards,
} from './catalog.ts';
export type { DashboardDefinition, DashboardJson, PanelJson } from './catalog.ts';
export { DASHBOARD_UIDS } from './uids.ts';
export { APM_PANEL_QUERIES, APM_PANEL_TYPE } from './apm-panel.ts';
export { DATA_SOURCES, LOKI, MIMIR, TEMPO, dsRef } from './datasources.ts';
export type { DashboardInput, DataSourceSpec } from './datasources.ts';
export { collectPanelQueries, collectVariableQueries, dashboardVariableNames } from './inspect/queries.ts';
export type { PanelQuery, QueryLanguage, VariableQuery } from './inspect/queries.ts';
export {
  TEST_BUILTINS,
  UnknownVariableError,
  allValue,
  escapeRegex,
  interpolate,
  referencedVariables,
} from './inspect/interpolate.ts';
export type { AllValue, VariableValue } from './inspect/interpolate.ts';
export { TELEMETRY_VALUE_FILTER, telemetryMatcher, traceqlTelemetryMatcher } from './matchers.ts';
