/**
 * Query models sent through Grafana's data source API (never a direct Tempo URL), so Grafana's auth,
 * proxying and per-data-source limits apply. Field names are the Tempo and Prometheus data sources' own
 * query models (`TempoQuery`: query, queryType, limit, spss, tableType, metricsQueryType, step).
 */
import { buildDotsQuery, buildHistogramQuery, type TransactionFilter } from './traceql';
import { buildTraceLogsQuery } from './logql';
import {
  buildInstanceQueries,
  buildLoadQuery,
  buildRequestCountQuery,
  buildRuntimeOverlayQuery,
  type GraphSelector,
  type InstanceSelector,
  type InstanceSeries,
  type LoadSeries,
  type RuntimeOverlayKind,
} from './promql';

/** Pinpoint asks for 10 000 dots; Tempo's own default search limit is 20. 5 000 keeps one query < ~2 MB. */
export const DEFAULT_DOT_LIMIT = 5000;
/**
 * Spans per span set: a trace usually enters a service once; a few more cover retries and fan-in without
 * letting one huge trace flood the scatter.
 */
export const DEFAULT_SPSS = 5;
/** Rows fetched for a drag selection that is answered by Tempo rather than from the loaded dots. */
export const BAND_LIMIT = 500;

export interface TempoSearchQuery {
  refId: string;
  queryType: 'traceql';
  query: string;
  limit: number;
  spss: number;
  tableType: 'spans';
}

export interface TempoMetricsQuery {
  refId: string;
  queryType: 'traceql';
  query: string;
  metricsQueryType: 'range';
  step?: string;
}

export interface TempoTraceQuery {
  refId: string;
  queryType: 'traceql';
  query: string;
}

export interface PromRangeQuery {
  refId: string;
  expr: string;
  range: true;
  instant: false;
  /** The Prometheus query's "Min step" (Grafana never picks a smaller step or `$__interval`). */
  interval?: string;
}

export interface PromInstantQuery {
  refId: string;
  expr: string;
  range: false;
  instant: true;
}

export interface LokiLogsQuery {
  refId: string;
  expr: string;
  queryType: 'range';
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined || value === null || Number.isNaN(value)) {
    return fallback;
  }
  if (!Number.isFinite(value) || value < 1) {
    throw new Error(`${name} must be a positive number, got ${value}`);
  }
  return Math.floor(value);
}

export function dotsRequest(filter: TransactionFilter, limit?: number, spss?: number): TempoSearchQuery {
  return {
    refId: 'dots',
    queryType: 'traceql',
    query: buildDotsQuery(filter),
    limit: positiveInt(limit, DEFAULT_DOT_LIMIT, 'Dot limit'),
    spss: positiveInt(spss, DEFAULT_SPSS, 'Spans per span set'),
    tableType: 'spans',
  };
}

export function bandRequest(filter: TransactionFilter, limit = BAND_LIMIT): TempoSearchQuery {
  return { ...dotsRequest(filter, limit), refId: 'band' };
}

/** `step` (e.g. "30s") aligns the heatmap columns with the scatter's pixel columns when given. */
export function histogramRequest(filter: TransactionFilter, step?: string): TempoMetricsQuery {
  const q: TempoMetricsQuery = {
    refId: 'histogram',
    queryType: 'traceql',
    query: buildHistogramQuery(filter),
    metricsQueryType: 'range',
  };
  if (step) {
    q.step = step;
  }
  return q;
}

const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

/** Trace by id: the Tempo data source treats a hex-only `traceql` query as a trace id lookup. */
export function traceRequest(traceId: string): TempoTraceQuery {
  if (!TRACE_ID.test(traceId)) {
    throw new Error(`Not a trace id: ${JSON.stringify(traceId)}`);
  }
  return { refId: 'trace', queryType: 'traceql', query: traceId };
}

export function runtimeRequest(kind: RuntimeOverlayKind, service: string): PromRangeQuery {
  return { refId: `runtime-${kind}`, expr: buildRuntimeOverlayQuery(kind, service), range: true, instant: false };
}

export function traceLogsRequest(traceId: string): LokiLogsQuery {
  return { refId: 'logs', expr: buildTraceLogsQuery(traceId), queryType: 'range' };
}

export function requestCountRequest(service: string): PromInstantQuery {
  return { refId: 'requests', expr: buildRequestCountQuery(service), range: false, instant: true };
}

/**
 * Bars the load chart asks for (the request's maxDataPoints): one per minute over an hour, like Pinpoint's
 * load chart at that range.
 */
export const LOAD_MAX_BARS = 60;
/**
 * Smallest load interval. Tempo writes the service-graph counters every 15 s (`collection_interval`), and an
 * `increase` needs two samples in its window.
 */
export const LOAD_MIN_INTERVAL = '30s';

/** The load chart's two range queries: calls and failed calls per interval. */
export function loadRequests(sel: GraphSelector): PromRangeQuery[] {
  return (['calls', 'errors'] as LoadSeries[]).map((series) => ({
    refId: `load-${series}`,
    expr: buildLoadQuery(series, sel),
    range: true,
    instant: false,
    interval: LOAD_MIN_INTERVAL,
  }));
}

export const INSTANCE_SERIES: readonly InstanceSeries[] = ['calls', 'errors', 'durationSum', 'p95', 'roster'];

/** The per-instance breakdown's instant queries over the dashboard range, one refId per series. */
export function instanceRequests(sel: InstanceSelector): PromInstantQuery[] {
  const queries = buildInstanceQueries(sel);
  return INSTANCE_SERIES.map((series) => ({
    refId: `instances-${series}`,
    expr: queries[series],
    range: false,
    instant: true,
  }));
}
