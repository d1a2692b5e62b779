export { DOT_SELECT_FIELDS, traceqlString, traceqlDuration, transactionSpanset, buildDotsQuery, buildHistogramQuery } from './traceql';
export type { TransactionFilter } from './traceql';
export { buildTraceLogsQuery } from './logql';
export { promqlString, buildRuntimeOverlayQuery, buildRequestCountQuery } from './promql';
export type { RuntimeOverlayKind } from './promql';
export {
  DEFAULT_DOT_LIMIT,
  DEFAULT_SPSS,
  BAND_LIMIT,
  dotsRequest,
  bandRequest,
  histogramRequest,
  traceRequest,
  runtimeRequest,
  traceLogsRequest,
  requestCountRequest,
} from './requests';
export type {
  TempoSearchQuery,
  TempoMetricsQuery,
  TempoTraceQuery,
  PromRangeQuery,
  PromInstantQuery,
  LokiLogsQuery,
} from './requests';
