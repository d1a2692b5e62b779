import { type BucketPairs } from './bucketPairs';
import { type QueryLike } from './roles';

/** Pinpoint's node categories, as they map onto Tempo service-graph nodes. */
export type NodeKind = 'user' | 'service' | 'database' | 'cache' | 'messaging' | 'external';

/** Pinpoint's response-time histogram: ≤1 s, ≤3 s, ≤5 s, slower, and failed calls. */
export interface PinpointHistogram {
  le1s: number;
  le3s: number;
  le5s: number;
  slow: number;
  error: number;
  /** True when the bucket bounds lack 1/3/5 s and the counts were interpolated inside buckets. */
  approximate: boolean;
}

/** Traffic statistics of one edge, or of a node's inbound edges summed. */
export interface TrafficStats {
  calls: number;
  /** `undefined` when no errors query / field was available. */
  errors?: number;
  /** errors / calls in [0, 1]; `undefined` when errors are unknown or there were no calls. */
  errorRate?: number;
  /**
   * Average duration in ms: exact from Tempo's mainstat or from the `_sum`/`_count` queries, else estimated from
   * bucket midpoints (`avgApproximate`).
   */
  avgMs?: number;
  avgApproximate?: boolean;
  /** Percentiles are interpolated inside histogram buckets (histogram_quantile): always estimates. */
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  histogram?: PinpointHistogram;
  /** Apdex with threshold T (satisfied ≤ T, tolerating ≤ 4T). */
  apdex?: number;
  /** True when T or 4T is not a bucket bound and the Apdex was interpolated. */
  apdexApproximate?: boolean;
  /** Calls per second over the queried range, when the range length is known. */
  ratePerSecond?: number;
  /**
   * Cumulative bucket counts by upper bound in seconds (last is +Inf), as interleaved (bound, count) pairs
   * (bucketPairs.ts); kept for drill-down and Compare.
   */
  buckets?: BucketPairs;
}

export interface ServerMapNode {
  /** `namespace/name` when the namespace is known, else the name (Tempo's convention). */
  id: string;
  name: string;
  namespace?: string;
  kind: NodeKind;
  /** Database or messaging system (`postgresql`, `redis`, `kafka` …) when it can be told. */
  system?: string;
  /** Running instances (from target_info); `undefined` when unknown. */
  instances?: number;
  /** Calls this node received (sum over inbound edges). */
  inbound: TrafficStats;
  /** Calls this node made (sum over outbound edges; only calls/errors). */
  outbound: { calls: number; errors?: number };
}

export interface ServerMapEdge {
  /** `source->target`. */
  id: string;
  source: string;
  target: string;
  connectionType: string;
  stats: TrafficStats;
}

/**
 * A map rebuilt from the map worker's reply has `inbound`, `outbound` and `stats` as getters reading the reply's
 * columns on first use (recordsFromReply.ts): read them as fields; they are not among a record's own keys, so
 * `{ ...node }` does not copy them.
 */
export interface ServerMap {
  nodes: ServerMapNode[];
  edges: ServerMapEdge[];
  /** Which input the map was built from. */
  input: 'prometheus' | 'tempo';
  /** Non-fatal problems (missing optional roles, NaN samples, dropped edges …), phrased for the user. */
  warnings: string[];
}

/** Either a map (maybe with warnings) or a message saying what is wrong with the input. */
export type BuildResult = { ok: true; map: ServerMap } | { ok: false; error: string; warnings: string[] };

export interface RoleRefIds {
  calls: string;
  errors: string;
  latency: string;
  clientLatency: string;
  instances: string;
  /** `traces_service_graph_request_server_seconds_sum` / `_count`: exact averages instead of bucket midpoints. */
  latencySum: string;
  latencyCount: string;
}

export interface BuildOptions {
  /** RefIds that override role detection (used when a query with that refId is present). */
  roles: RoleRefIds;
  /** The panel's queries (`PanelData.request.targets`): their expressions tell each query's role. */
  queries?: readonly QueryLike[];
  /** Length of the queried range in seconds (rates from Tempo frames are turned into counts with it). */
  rangeSeconds?: number;
  apdexThresholdSeconds: number;
  /** Edges above this are dropped (least calls first) with a warning, so the panel stays responsive. */
  maxEdges: number;
}

export const DEFAULT_ROLES: RoleRefIds = {
  calls: 'calls',
  errors: 'errors',
  latency: 'latency',
  clientLatency: 'clientLatency',
  instances: 'instances',
  latencySum: 'latencySum',
  latencyCount: 'latencyCount',
};
