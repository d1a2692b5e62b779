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
