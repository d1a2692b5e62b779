/**
 * PromQL for the runtime overlay drawn along the scatter's time axis (Mimir data source, prom-client names).
 */

/** Escape a value for a PromQL double-quoted label matcher. */
export function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export type RuntimeOverlayKind = 'eventLoopLag' | 'gcPause';

/**
 * Worst instance wins (`max`): a stall on one process is what makes a vertical line of slow dots, and an
 * average over instances would hide it.
 */
export function buildRuntimeOverlayQuery(kind: RuntimeOverlayKind, service: string): string {
  const sel = `{service_name=${promqlString(service)}}`;
  if (kind === 'eventLoopLag') {
    return `max(nodejs_eventloop_lag_p99_seconds${sel})`;
  }
  // Seconds of GC pause per second of wall time, per instance.
  return `max(rate(nodejs_gc_duration_seconds_sum${sel}[$__rate_interval]))`;
}

/**
 * Requests the service's HTTP server metric counted over the dashboard range. SDK metrics see every request
 * whatever the trace sampler decided, so (transactions Tempo stored) ÷ (this) estimates the sampling ratio.
 */
export function buildRequestCountQuery(service: string): string {
  return `sum(increase(http_server_request_duration_seconds_count{service_name=${promqlString(service)}}[$__range]))`;
}

/** One side of a service-graph series: Tempo's `client` / `server` label, with its namespace when known. */
export interface GraphEnd {
  name: string;
  namespace?: string;
}

/** Which service-graph series a load chart sums: calls into `server`, from `client`, or along a link. */
export interface GraphSelector {
  client?: GraphEnd;
  server?: GraphEnd;
}

/**
 * Label matchers for the service-graph series of a node or link. A namespace matcher is added only when the
 * node has one: the panel's queries may aggregate the namespace labels away, and then no node has one.
 */
export function serviceGraphMatchers(sel: GraphSelector): string {
  const parts: string[] = [];
  for (const side of ['client', 'server'] as const) {
    const end = sel[side];
    if (!end) {
      continue;
    }
    if (!end.name) {
      throw new Error(`A ${side} name is required to query the service graph`);
    }
    parts.push(`${side}=${promqlString(end.name)}`);
    if (end.namespace) {
      parts.push(`${side}_service_namespace=${promqlString(end.namespace)}`);
    }
  }
  if (parts.length === 0) {
    throw new Error('A client or server is required to query the service graph');
  }
  return `{${parts.join(', ')}}`;
}

export type LoadSeries = 'calls' | 'errors';

const LOAD_METRIC: Record<LoadSeries, string> = {
  calls: 'traces_service_graph_request_total',
  errors: 'traces_service_graph_request_failed_total',
};

/**
 * Calls (or failed calls) per interval, for the load mini chart. `$__interval` is both the window and the
 * step Grafana's Prometheus data source uses (it substitutes the macro itself), so each point counts the
 * interval that ends at it and neighbouring points do not overlap.
 */
export function buildLoadQuery(series: LoadSeries, sel: GraphSelector): string {
  return `sum(increase(${LOAD_METRIC[series]}${serviceGraphMatchers(sel)}[$__interval]))`;
}

/** A service's instances: the SDK's metrics carry `service_name` (and `service_namespace`) promoted from the resource. */
export interface InstanceSelector {
  service: string;
  namespace?: string;
}

export type InstanceSeries = 'calls' | 'errors' | 'durationSum' | 'p95' | 'roster';

/**
 * Per-instance numbers from the SDK's HTTP server histogram (not sampled, unlike traces), grouped by `instance`:
 * every OTLP → Prometheus translation (Prometheus, Mimir, the collector's exporters) sets it to
 * `service.instance.id`, whether or not that attribute is promoted. Errors are requests with `error_type` set
 * (HTTP semantic conventions: 5xx or a failure before the response). The roster (`target_info`) lists the
 * instances alive in the range, with host and pid, even those that served nothing.
 */
export function buildInstanceQueries(sel: InstanceSelector): Record<InstanceSeries, string> {
  if (!sel.service.trim()) {
    throw new Error('A service name is required to list its instances');
  }
  const m = [`service_name=${promqlString(sel.service)}`];
  if (sel.namespace) {
    m.push(`service_namespace=${promqlString(sel.namespace)}`);
  }
  const matchers = `{${m.join(', ')}}`;
  const errors = `{${[...m, 'error_type!=""'].join(', ')}}`;
  const http = 'http_server_request_duration_seconds';
  return {
    calls: `sum by (instance) (increase(${http}_count${matchers}[$__range]))`,
    errors: `sum by (instance) (increase(${http}_count${errors}[$__range]))`,
    durationSum: `sum by (instance) (increase(${http}_sum${matchers}[$__range]))`,
    p95: `histogram_quantile(0.95, sum by (instance, le) (increase(${http}_bucket${matchers}[$__range])))`,
    roster: `max by (instance, host_name, process_pid) (last_over_time(target_info${matchers}[$__range]))`,
  };
}
