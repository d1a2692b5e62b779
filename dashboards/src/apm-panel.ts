/**
 * The kit's panel plugin `lgtmapm-apm-panel` (server map + response-time scatter). The panel finds each query's
 * role from its metric name (refIds only override; these keep the role names for readability); the expressions
 * and option names are the cross-team contract (contracts.md, "Panel plugin").
 */
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { LOKI, MIMIR, TEMPO, dsRef } from './datasources.ts';
import { promTarget } from './panels.ts';

export const APM_PANEL_TYPE = 'lgtmapm-apm-panel';

const EDGE_LABELS = 'client, server, connection_type, client_service_namespace, server_service_namespace';

/** Server-map queries by refId, exactly as the panel's defaults document them. */
export const APM_PANEL_QUERIES = {
  calls: `sum by (${EDGE_LABELS}) (increase(traces_service_graph_request_total[$__range]))`,
  errors: `sum by (${EDGE_LABELS}) (increase(traces_service_graph_request_failed_total[$__range]))`,
  latency:
    'sum by (client, server, connection_type, le) (increase(traces_service_graph_request_server_seconds_bucket[$__range]))',
  clientLatency:
    'sum by (client, server, connection_type, le) (increase(traces_service_graph_request_client_seconds_bucket[$__range]))',
  instances: 'count by (service_name) (target_info)',
  // Exact averages (sum / count) instead of bucket midpoints.
  latencySum:
    'sum by (client, server, connection_type) (increase(traces_service_graph_request_server_seconds_sum[$__range]))',
  latencyCount:
    'sum by (client, server, connection_type) (increase(traces_service_graph_request_server_seconds_count[$__range]))',
} as const;

export interface ApmPanelOptions {
  layout: 'map' | 'scatter' | 'both';
  tempoDatasource: string;
  lokiDatasource: string;
  serviceDashboardUid: string;
}

export function apmPanel(
  title: string,
  options: { width: number; height: number; serviceDashboardUid: string },
) {
  const panelOptions: ApmPanelOptions = {
    layout: 'both',
    // Data source variables, so the panel follows the dashboard's pickers (and UI import choices).
    tempoDatasource: dsRef(TEMPO).uid,
    lokiDatasource: dsRef(LOKI).uid,
    serviceDashboardUid: options.serviceDashboardUid,
  };
  const panel = new PanelBuilder()
    .type(APM_PANEL_TYPE)
    .title(title)
    .description(
      'Server map from Tempo service-graph metrics (calls, errors, latency histogram per edge, instances per service) ' +
        'and the response-time scatter from Tempo traces. Click a node to set the service variable; drag on the scatter ' +
        'to list transactions.',
    )
    .datasource(dsRef(MIMIR))
    .span(options.width)
    .height(options.height)
    .options(panelOptions);
  // Table format: Grafana hands the panel one frame per query instead of one per series (thousands on a
  // large map), which is most of the panel's model-building time (grafana-plugin README, Benchmarks).
  for (const [refId, expr] of Object.entries(APM_PANEL_QUERIES)) {
    panel.withTarget(promTarget(expr, { refId, instant: true, table: true }));
  }
  return panel;
}
