export {
  DOT_SELECT_FIELDS,
  traceqlString,
  traceqlDuration,
  transactionSpanset,
  buildDotsQuery,
  buildHistogramQuery,
} from './traceql';
export type { TransactionFilter } from './traceql';
export { buildTraceLogsQuery } from './logql';
export {
  promqlString,
  buildRuntimeOverlayQuery,
  buildRequestCountQuery,
  serviceGraphMatchers,
  buildLoadQuery,
  buildInstanceQueries,
} from './promql';
export type {
  RuntimeOverlayKind,
  GraphEnd,
  GraphSelector,
  LoadSeries,
  InstanceSelector,
  InstanceSeries,
} from './promql';
export { peerPredicate, nodeSpanset, linkSpanset, linkSpanService, linkLabel } from './link';
export type { EndpointKind, TraceEndpoint, TraceLink } from './link';
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
  LOAD_MAX_BARS,
  LOAD_MIN_INTERVAL,
  loadRequests,
  INSTANCE_SERIES,
  instanceRequests,
} from './requests';
export type {
  TempoSearchQuery,
  TempoMetricsQuery,
  TempoTraceQuery,
  PromRangeQuery,
  PromInstantQuery,
  LokiLogsQuery,
} from './requests';
