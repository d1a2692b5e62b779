/**
 * Data source wiring that works both when provisioned and when imported through the Grafana UI.
 *
 * Every panel points at a data source *variable* (`${mimir}`, `${tempo}`, `${loki}`). Each variable's
 * current value is the import placeholder (`${DS_MIMIR}` …) and its current text the provisioned data
 * source name:
 * - UI import: `__inputs` makes Grafana ask for the data sources and replace `${DS_*}` with the chosen uids
 *   (pkg/services/dashboardimport DashTemplateEvaluator), so each variable starts on the chosen one;
 * - provisioning: the placeholder matches no uid, so Grafana falls back to the option whose *name* is the
 *   current text (scenes MultiValueVariable matches value first, then text), i.e. the provisioned
 *   `Mimir`/`Tempo`/`Loki` (uids `mimir`/`tempo`/`loki`), else the first data source of that type.
 */
import { DatasourceVariableBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

export interface DataSourceSpec {
  /** Dashboard variable name, referenced as `${name}`. */
  variable: string;
  /** Variable label in the dashboard controls. */
  label: string;
  /** Grafana data source plugin id. */
  pluginId: 'prometheus' | 'tempo' | 'loki';
  pluginName: string;
  /** `__inputs` name, replaced on UI import. */
  input: string;
  /** Data source name and uid in the kit's provisioning (contracts.md). */
  provisionedName: string;
  provisionedUid: string;
  description: string;
}

export const MIMIR: DataSourceSpec = {
  variable: 'mimir',
  label: 'Metrics',
  pluginId: 'prometheus',
  pluginName: 'Prometheus',
  input: 'DS_MIMIR',
  provisionedName: 'Mimir',
  provisionedUid: 'mimir',
  description: 'Mimir or Prometheus holding Tempo metrics-generator series and the preload metrics',
};

export const TEMPO: DataSourceSpec = {
  variable: 'tempo',
  label: 'Traces',
  pluginId: 'tempo',
  pluginName: 'Tempo',
  input: 'DS_TEMPO',
  provisionedName: 'Tempo',
  provisionedUid: 'tempo',
  description: 'Tempo with the metrics-generator (service graphs, span metrics) enabled',
};

export const LOKI: DataSourceSpec = {
  variable: 'loki',
  label: 'Logs',
  pluginId: 'loki',
  pluginName: 'Loki',
  input: 'DS_LOKI',
  provisionedName: 'Loki',
  provisionedUid: 'loki',
  description: 'Loki receiving OTLP logs (service_name label, trace_id structured metadata)',
};

export const DATA_SOURCES = [MIMIR, TEMPO, LOKI] as const;

/** Reference used by panels and queries: resolved through the dashboard variable. */
export function dsRef(spec: DataSourceSpec): { type: string; uid: string } {
  return { type: spec.pluginId, uid: `\${${spec.variable}}` };
}

export function dataSourceVariable(spec: DataSourceSpec): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(spec.variable)
    .label(spec.label)
    .description(spec.description)
    .type(spec.pluginId)
    .current({ text: spec.provisionedName, value: `\${${spec.input}}` });
}

export interface DashboardInput {
  name: string;
  label: string;
  description: string;
  type: 'datasource';
  pluginId: string;
  pluginName: string;
}

export function dashboardInputs(specs: readonly DataSourceSpec[]): DashboardInput[] {
  return specs.map((spec) => ({
    name: spec.input,
    label: spec.provisionedName,
    description: spec.description,
    type: 'datasource',
    pluginId: spec.pluginId,
    pluginName: spec.pluginName,
  }));
}
