/**
 * The kit's dashboards and their export envelope: `__inputs` (UI import asks for data sources) and
 * `__requires` (Grafana lists missing plugins), stable panel ids, deterministic JSON text.
 */
import { type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { APM_PANEL_TYPE } from './apm-panel.ts';
import { dashboardInputs, type DashboardInput, type DataSourceSpec } from './datasources.ts';
import { LOGS_DATA_SOURCES, logsDashboard } from './dashboards/logs.ts';
import { NODEJS_DATA_SOURCES, nodejsDashboard } from './dashboards/nodejs.ts';
import { OVERVIEW_DATA_SOURCES, overviewDashboard } from './dashboards/overview.ts';
import { SERVICE_DATA_SOURCES, serviceDashboard } from './dashboards/service.ts';
import { DASHBOARD_UIDS } from './uids.ts';

export interface DashboardDefinition {
  uid: string;
  /** File name under generated/. */
  file: string;
  dataSources: readonly DataSourceSpec[];
  build: () => DashboardBuilder;
}

export const DASHBOARDS: readonly DashboardDefinition[] = [
  {
    uid: DASHBOARD_UIDS.overview,
    file: `${DASHBOARD_UIDS.overview}.json`,
    dataSources: OVERVIEW_DATA_SOURCES,
    build: overviewDashboard,
  },
  {
    uid: DASHBOARD_UIDS.service,
    file: `${DASHBOARD_UIDS.service}.json`,
    dataSources: SERVICE_DATA_SOURCES,
    build: serviceDashboard,
  },
  {
    uid: DASHBOARD_UIDS.nodejs,
    file: `${DASHBOARD_UIDS.nodejs}.json`,
    dataSources: NODEJS_DATA_SOURCES,
    build: nodejsDashboard,
  },
  {
    uid: DASHBOARD_UIDS.logs,
    file: `${DASHBOARD_UIDS.logs}.json`,
    dataSources: LOGS_DATA_SOURCES,
    build: logsDashboard,
  },
];

/** Oldest Grafana the JSON targets (schemaVersion 42 from the SDK; the panel plugin needs >= 12.3). */
export const MIN_GRAFANA_VERSION = '12.3.0';

const PANEL_NAMES: Record<string, string> = {
  [APM_PANEL_TYPE]: 'LGTM APM (server map and scatter)',
  bargauge: 'Bar gauge',
  logs: 'Logs',
  row: 'Row',
  stat: 'Stat',
  table: 'Table',
  timeseries: 'Time series',
};

export interface DashboardJson {
  __inputs: DashboardInput[];
  __requires: Array<{ type: string; id: string; name: string; version: string }>;
  uid: string;
  title: string;
  panels: PanelJson[];
  templating: { list: Array<Record<string, unknown>> };
  [key: string]: unknown;
}

export interface PanelJson {
  id?: number;
  type: string;
  title?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<Record<string, unknown>>;
  panels?: PanelJson[];
  [key: string]: unknown;
}

export function buildDashboard(definition: DashboardDefinition): DashboardJson {
  const model = definition.build().build() as unknown as { uid?: string; panels?: PanelJson[] } & Record<
    string,
    unknown
  >;
  if (model.uid !== definition.uid)
    throw new Error(`dashboard ${definition.file} has uid ${model.uid}, expected ${definition.uid}`);
  let nextId = 1;
  const panels = (model.panels ?? []).map((panel) => ({ ...panel, id: nextId++ }));
  const panelTypes = [...new Set(flattenPanels(panels).map((panel) => panel.type))].sort();
  return {
    __inputs: dashboardInputs(definition.dataSources),
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: MIN_GRAFANA_VERSION },
      ...definition.dataSources.map((spec) => ({
        type: 'datasource',
        id: spec.pluginId,
        name: spec.pluginName,
        version: '1.0.0',
      })),
      ...panelTypes.map((type) => ({
        type: 'panel',
        id: type,
        name: PANEL_NAMES[type] ?? type,
        version: '',
      })),
    ],
    ...model,
    panels,
    id: null,
  } as unknown as DashboardJson;
}

export function flattenPanels(panels: readonly PanelJson[]): PanelJson[] {
  return panels.flatMap((panel) => [panel, ...flattenPanels(panel.panels ?? [])]);
}

/** File name → JSON text, exactly what `npm run generate` writes to generated/. */
export function renderDashboards(): Map<string, string> {
  return new Map(
    DASHBOARDS.map((definition) => [
      definition.file,
      `${JSON.stringify(buildDashboard(definition), null, 2)}\n`,
    ]),
  );
}
