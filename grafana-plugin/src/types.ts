/** Which views the panel shows. */
export type PanelLayout = 'map' | 'scatter' | 'both';

/** Panel options (defaults in `module.ts`, documented in the plugin README). */
export interface ApmPanelOptions {
  layout: PanelLayout;
  /** Tempo data source uid used for traces (scatter, transaction list, "traces in Explore" links). */
  tempoDatasource: string;
  /** Loki data source uid used for "logs" links. */
  lokiDatasource: string;
  /** Dashboard opened by "service dashboard" links (gets `var-service`). */
  serviceDashboardUid: string;

  /**
   * Server map: refIds that override role detection. Each query's role is read from its expression (the
   * service-graph metric it uses); a refId here wins when a query with that refId exists.
   */
  callsRefId: string;
  errorsRefId: string;
  latencyRefId: string;
  clientLatencyRefId: string;
  instancesRefId: string;
  latencySumRefId: string;
  latencyCountRefId: string;

  /** Apdex satisfied threshold T in seconds (tolerating = 4T); only computed when the buckets have T and 4T. */
  apdexThresholdSeconds: number;
  /** Nodes drawn before the rest are hidden behind a "N nodes hidden" notice. */
  maxNodes: number;
  /** Hide virtual (uninstrumented) and terminal nodes: databases, caches, queues, external hosts. */
  hideTerminal: boolean;
  /** Edge label: calls only, or calls with rate / average. */
  edgeLabel: 'calls' | 'callsRate' | 'callsAvg';

  /** Compare (src/compare): on when the panel opens, against this baseline; the header toggle changes it for the session. */
  compareBaseline?: 'off' | '1h' | '1d' | '7d' | 'release';
  /** Compare: smallest change shown (src/compare/levels.ts). */
  compareThreshold?: 'small' | 'default' | 'large' | 'huge';
  /**
   * Grafana's own panel "Time comparison" (dashboard scenes with the `timeComparison` feature toggle): the panel
   * header's "Comparison" menu is shown for panels whose options have `timeCompare` on (@grafana/schema's
   * TimeCompareOptions); its shifted frames become Compare's baseline.
   */
  timeCompare?: boolean;
}

export const DEFAULT_OPTIONS: ApmPanelOptions = {
  layout: 'both',
  tempoDatasource: 'tempo',
  lokiDatasource: 'loki',
  serviceDashboardUid: 'lgtm-apm-service',
  callsRefId: 'calls',
  errorsRefId: 'errors',
  latencyRefId: 'latency',
  clientLatencyRefId: 'clientLatency',
  instancesRefId: 'instances',
  latencySumRefId: 'latencySum',
  latencyCountRefId: 'latencyCount',
  apdexThresholdSeconds: 1,
  maxNodes: 1500,
  hideTerminal: false,
  edgeLabel: 'calls',
  compareBaseline: 'off',
  compareThreshold: 'default',
};
