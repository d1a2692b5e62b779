// The queries and expectations the end-to-end run checks against the real backends. Kept in one module
// so the offline suite parses each query with the official Lezer grammars too.
export const DEMO_SERVICES = ['gateway', 'orders', 'payments'] as const;

export interface ExpectedEdge {
  client: string;
  /** `$external`: the name Tempo gives payments' uninstrumented peer (depends on the launcher's URL). */
  server: string;
  connectionType: '' | 'database' | 'virtual_node' | 'messaging_system';
  /** Tempo's virtual_node label (enable_virtual_node_label, off: see compose/tempo.yaml). */
  virtualNode?: 'client' | 'server';
}

/** The demo's service graph, as demo/README.md ("Expected service graph") describes it. */
export const DEMO_EDGES: readonly ExpectedEdge[] = [
  { client: 'user', server: 'gateway', connectionType: 'virtual_node' },
  { client: 'gateway', server: 'orders', connectionType: '' },
  { client: 'orders', server: 'payments', connectionType: '' },
  { client: 'orders', server: 'postgresql', connectionType: 'database' },
  { client: 'orders', server: 'redis', connectionType: 'database' },
  { client: 'payments', server: '$external', connectionType: 'virtual_node' },
];

export const TRACEQL_GATEWAY_TRACES =
  '{ resource.service.name = "gateway" && span.http.response.status_code >= 200 }';

export const PROMQL_SERVICE_GRAPH_EDGES =
  'sum by (client, server, connection_type, virtual_node) (traces_service_graph_request_total)';

/** Pinpoint's response-time edges, which compose/tempo.yaml's service-graph buckets must include. */
export const PINPOINT_BUCKETS = [1, 3, 5] as const;
export const PROMQL_SERVICE_GRAPH_BUCKETS =
  'count by (le) (traces_service_graph_request_server_seconds_bucket)';

/** prom-client runtime series the preload bridges to OTLP, one query per name. */
export const PROMQL_RUNTIME_SERIES = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_heap_size_used_bytes',
  'nodejs_eventloop_lag_p99_seconds',
].map((name) => `count by (service_name) (${name}{service_namespace="demo"})`);

export const LOGQL_DEMO_LOGS_WITH_TRACE = '{service_name=~"gateway|orders|payments"} | trace_id != ""';

/** Index labels compose/loki.yaml keeps from OTLP resources (the dashboards' selectors use them). */
export const LOKI_STREAM_LABELS = [
  'service_name',
  'service_namespace',
  'deployment_environment_name',
] as const;

/** Exemplars Tempo's generator attaches (label traceID) and the store must keep. */
export const PROMQL_EXEMPLAR_SERIES = 'traces_service_graph_request_server_seconds_bucket';

/**
 * Where an alert may fire on demo traffic: the demo fails /api/server-error (external 503 → payments →
 * orders → gateway) and /api/throw (orders), ~6 % of requests, so error-rate rules may fire on that chain
 * and its edges; slow-rate rules only on the same chain (/api/slow). Nothing may fire for the databases,
 * the heap or the event loop.
 */
export function ALERT_ALLOWED_TARGETS(externalPeer: string): Array<{ rule: RegExp; target: RegExp }> {
  const esc = externalPeer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const node = `(gateway|orders|payments|${esc})`;
  const edge = `(user->gateway|gateway->orders|orders->payments|payments->${esc})`;
  return [
    { rule: /^lgtm-apm-service-(error|slow)-rate$/, target: new RegExp(`^${node}$`) },
    { rule: /^lgtm-apm-edge-(error|slow)-rate$/, target: new RegExp(`^${edge}$`) },
  ];
}
