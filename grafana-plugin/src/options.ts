import { type PanelOptionsEditorBuilder } from '@grafana/data';
import { type ApmPanelOptions, DEFAULT_OPTIONS } from './types';
import { addScatterOptions } from './scatter/options';

const MAP = 'Server map';
const LINKS = 'Links and data sources';

export function addPanelOptions(builder: PanelOptionsEditorBuilder<ApmPanelOptions>) {
  builder
    .addRadio({
      path: 'layout',
      name: 'Layout',
      description: 'Server map, response-time scatter, or both side by side',
      defaultValue: DEFAULT_OPTIONS.layout,
      settings: {
        options: [
          { value: 'map', label: 'Map' },
          { value: 'scatter', label: 'Scatter' },
          { value: 'both', label: 'Both' },
        ],
      },
    })
    .addTextInput({
      path: 'tempoDatasource',
      name: 'Tempo data source uid',
      category: [LINKS],
      defaultValue: DEFAULT_OPTIONS.tempoDatasource,
    })
    .addTextInput({
      path: 'lokiDatasource',
      name: 'Loki data source uid',
      category: [LINKS],
      defaultValue: DEFAULT_OPTIONS.lokiDatasource,
    })
    .addTextInput({
      path: 'serviceDashboardUid',
      name: 'Service dashboard uid',
      description: 'Opened from a node with var-service set',
      category: [LINKS],
      defaultValue: DEFAULT_OPTIONS.serviceDashboardUid,
    })
    .addTextInput({
      path: 'callsRefId',
      name: 'Calls query refId',
      description:
        'Only to override detection: each query\'s role is read from its metric. sum by (client, server, connection_type) (increase(traces_service_graph_request_total[$__range]))',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.callsRefId,
    })
    .addTextInput({
      path: 'errorsRefId',
      name: 'Errors query refId',
      description: 'Override; detected from traces_service_graph_request_failed_total',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.errorsRefId,
    })
    .addTextInput({
      path: 'latencyRefId',
      name: 'Server latency query refId',
      description:
        'Override; detected from sum by (client, server, connection_type, le) (increase(traces_service_graph_request_server_seconds_bucket[$__range]))',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.latencyRefId,
    })
    .addTextInput({
      path: 'clientLatencyRefId',
      name: 'Client latency query refId',
      description: 'Override; detected from _client_seconds_bucket; used where no server-side histogram exists (virtual nodes)',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.clientLatencyRefId,
    })
    .addTextInput({
      path: 'instancesRefId',
      name: 'Instances query refId',
      description: 'Override; detected from count by (service_name) (target_info)',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.instancesRefId,
    })
    .addTextInput({
      path: 'latencySumRefId',
      name: 'Latency sum query refId',
      description:
        'Override; detected from sum by (client, server, connection_type) (increase(traces_service_graph_request_server_seconds_sum[$__range])). With the count query, averages are exact',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.latencySumRefId,
    })
    .addTextInput({
      path: 'latencyCountRefId',
      name: 'Latency count query refId',
      description: 'Override; detected from the same on traces_service_graph_request_server_seconds_count',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.latencyCountRefId,
    })
    .addNumberInput({
      path: 'apdexThresholdSeconds',
      name: 'Apdex T (seconds)',
      description: 'Satisfied ≤ T, tolerating ≤ 4T; needs both as histogram bucket bounds',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.apdexThresholdSeconds,
      settings: { min: 0.001 },
    })
    .addNumberInput({
      path: 'maxNodes',
      name: 'Node limit',
      description: 'Nodes past this are hidden (least traffic first) with a notice to show them',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.maxNodes,
      settings: { min: 10, integer: true },
    })
    .addBooleanSwitch({
      path: 'hideTerminal',
      name: 'Services only',
      description: 'Hide databases, caches, queues and external (virtual) nodes',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.hideTerminal,
    })
    .addRadio({
      path: 'edgeLabel',
      name: 'Edge label',
      category: [MAP],
      defaultValue: DEFAULT_OPTIONS.edgeLabel,
      settings: {
        options: [
          { value: 'calls', label: 'Calls' },
          { value: 'callsRate', label: 'Calls + rate' },
          { value: 'callsAvg', label: 'Calls + avg' },
        ],
      },
    })
    .addRadio({
      path: 'compareBaseline',
      name: 'Compare on open',
      description: 'Open with Compare on against this baseline (the header toggle changes it for the session)',
      category: ['Compare'],
      defaultValue: DEFAULT_OPTIONS.compareBaseline,
      settings: {
        options: [
          { value: 'off', label: 'Off' },
          { value: '1h', label: '1 h earlier' },
          { value: '1d', label: '1 d earlier' },
          { value: '7d', label: '7 d earlier' },
          { value: 'release', label: 'Previous release' },
        ],
      },
    })
    .addRadio({
      path: 'compareThreshold',
      name: 'Hide changes under',
      description: 'p95 ratio (and ms), error points and calls ratio a change must pass to be drawn and ranked',
      category: ['Compare'],
      defaultValue: DEFAULT_OPTIONS.compareThreshold,
      settings: {
        options: [
          { value: 'small', label: '5 %' },
          { value: 'default', label: '20 %' },
          { value: 'large', label: '50 %' },
          { value: 'huge', label: '×2' },
        ],
      },
    })
    .addBooleanSwitch({
      // The path Grafana reads (@grafana/schema TimeCompareOptions): with the `timeComparison` feature toggle, the
      // panel header then offers "Comparison: Day before / Week before…", and Compare takes those frames as its
      // baseline instead of querying one.
      path: 'timeCompare',
      name: "Grafana's time comparison",
      description:
        'Offer the "Comparison" menu of Grafana\'s panel header (needs the timeComparison feature toggle); its baseline is then used by Compare',
      category: ['Compare'],
      defaultValue: false,
    });
  addScatterOptions(builder);
  return builder;
}
