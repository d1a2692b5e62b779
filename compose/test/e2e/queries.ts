// The queries the end-to-end run sends to the real backends. Kept in one module so the offline suite
// parses each of them with the official Lezer grammars too.
export const DEMO_SERVICES = ['gateway', 'orders', 'payments'] as const;

/** Edges between instrumented demo services that Tempo's service graph must show (client -> server). */
export const REQUIRED_EDGES: Array<[string, string]> = [
  ['gateway', 'orders'],
  ['orders', 'payments'],
];

/**
 * The entry edge: requests from the uninstrumented load generator reach gateway through an expired
 * (virtual_node="client") edge. contracts.md names its client `user`; Tempo uses the first
 * peer_attributes match on the root server span instead when there is one, so the e2e run reports it.
 */
export const ENTRY_SERVICE = 'gateway';
export const EXPECTED_ENTRY_CLIENT = 'user';

export const TRACEQL_GATEWAY_TRACES =
  '{ resource.service.name = "gateway" && span.http.response.status_code >= 200 }';

export const PROMQL_SERVICE_GRAPH_EDGES =
  'sum by (client, server, connection_type, virtual_node) (traces_service_graph_request_total)';

/** prom-client runtime series the preload bridges to OTLP, one query per name. */
export const PROMQL_RUNTIME_SERIES = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_p99_seconds',
].map((name) => `count by (service_name) (${name}{service_namespace="demo"})`);

export const LOGQL_DEMO_LOGS_WITH_TRACE = '{service_name=~"gateway|orders|payments"} | trace_id != ""';

/** Exemplars Tempo's generator attaches (label traceID) and Mimir must keep (max_global_exemplars_per_user). */
export const PROMQL_EXEMPLAR_SERIES = 'traces_service_graph_request_server_seconds_bucket';
