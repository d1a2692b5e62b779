// Pure functions that turn compose's config files into the native stack's: only hosts, ports and paths
// change (0.0.0.0 -> 127.0.0.1, container host names -> 127.0.0.1:<port>, volume paths -> the data
// folder), plus explicit 127.0.0.1 listen addresses, because here every backend shares one host.
// Everything else is compose's file as it is; the tests check that nothing else differs.
import { type PortMap, type StackService } from './ports.ts';

export type MetricsStore = 'mimir' | 'prometheus';
export type Backend = 'tempo' | 'loki' | 'mimir';

export interface RenderContext {
  ports: PortMap;
  metricsStore: MetricsStore;
}

export interface Endpoints {
  tempo: string;
  tempoOtlpGrpc: string;
  tempoOtlpHttp: string;
  loki: string;
  lokiOtlp: string;
  /** Base of the Prometheus query API (append /api/v1/query), the same path on Mimir and Prometheus. */
  metrics: string;
  metricsOtlp: string;
  metricsRemoteWrite: string;
  metricsReady: string;
  grafana: string;
}

/** Prometheus serves everything under --web.route-prefix, so the query API matches Mimir's /prometheus. */
export const PROMETHEUS_ROUTE_PREFIX = '/prometheus';

const local = (port: number) => `http://127.0.0.1:${port}`;

export function endpoints(ctx: RenderContext): Endpoints {
  const p = ctx.ports;
  const store: StackService = ctx.metricsStore;
  const metricsBase = local(p(store, 9009));
  const prom = ctx.metricsStore === 'prometheus';
  return {
    tempo: local(p('tempo', 3200)),
    tempoOtlpGrpc: local(p('tempo', 4317)),
    tempoOtlpHttp: local(p('tempo', 4318)),
    loki: local(p('loki', 3100)),
    lokiOtlp: `${local(p('loki', 3100))}/otlp/v1/logs`,
    metrics: `${metricsBase}/prometheus`,
    metricsOtlp: prom
      ? `${metricsBase}${PROMETHEUS_ROUTE_PREFIX}/api/v1/otlp/v1/metrics`
      : `${metricsBase}/otlp/v1/metrics`,
    metricsRemoteWrite: prom
      ? `${metricsBase}${PROMETHEUS_ROUTE_PREFIX}/api/v1/write`
      : `${metricsBase}/api/v1/push`,
    metricsReady: prom ? `${metricsBase}${PROMETHEUS_ROUTE_PREFIX}/-/ready` : `${metricsBase}/ready`,
    grafana: local(p('grafana', 3000)),
  };
}

/** Mimir's paths and where Prometheus 3 (with the route prefix) serves the same thing. */
function mimirPathOnPrometheus(path: string): string {
  if (path === '/prometheus' || path.startsWith('/prometheus/')) return path;
  if (path === '/otlp/v1/metrics') return `${PROMETHEUS_ROUTE_PREFIX}/api/v1/otlp/v1/metrics`;
  if (path === '/api/v1/push') return `${PROMETHEUS_ROUTE_PREFIX}/api/v1/write`;
  throw new Error(`no Prometheus equivalent known for Mimir path ${path}`);
}

const SERVICE_URL = /^(https?):\/\/(tempo|loki|mimir|grafana):(\d+)(\/[^\s]*)?$/;

/** http://mimir:9009/otlp/v1/metrics (a compose network URL) -> the native stack's URL. */
export function rewriteServiceUrl(url: string, ctx: RenderContext): string {
  const m = SERVICE_URL.exec(url);
  if (!m) return url;
  const [, scheme, host, port, path = ''] = m;
  if (host === 'mimir' && ctx.metricsStore === 'prometheus') {
    return `${scheme}://127.0.0.1:${ctx.ports('prometheus', Number(port))}${path ? mimirPathOnPrometheus(path) : ''}`;
  }
  return `${scheme}://127.0.0.1:${ctx.ports(host as StackService, Number(port))}${path}`;
}

/** Replaces a container path prefix (/var/tempo/wal) with its host folder; longest prefix wins. */
export function rewritePath(value: string, paths: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...paths].sort((a, b) => b[0].length - a[0].length);
  for (const [from, to] of sorted) {
    if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
  }
  return value;
}

type Tree = Record<string, unknown>;

function mapStrings(node: unknown, fn: (s: string) => string): unknown {
  if (typeof node === 'string') return fn(node);
  if (Array.isArray(node)) return node.map((v) => mapStrings(v, fn));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return node;
}

function section(tree: Tree, key: string): Tree {
  const existing = tree[key];
  if (existing && typeof existing === 'object' && !Array.isArray(existing)) return existing as Tree;
  const created: Tree = {};
  tree[key] = created;
  return created;
}

/** Ports each backend listens on inside its container when its file does not say (upstream defaults). */
const DEFAULT_LISTEN: Record<Backend, { http: number; grpc: number; memberlist?: number }> = {
  tempo: { http: 3200, grpc: 9095, memberlist: 7946 },
  loki: { http: 3100, grpc: 9096 },
  mimir: { http: 9009, grpc: 9095, memberlist: 7946 },
};

/**
 * compose's tempo.yaml / loki.yaml / mimir.yaml, parsed, -> the native stack's config. `dataPaths` maps
 * the container's volume paths to host folders (see dataPathsOf).
 */
export function renderBackendConfig(
  backend: Backend,
  source: unknown,
  ctx: RenderContext,
  dataPaths: ReadonlyArray<readonly [string, string]>,
): Tree {
  if (!source || typeof source !== 'object' || Array.isArray(source)) {
    throw new Error(`${backend} config: expected a YAML mapping at the top level`);
  }
  const service: StackService = backend;
  const out = mapStrings(source, (s) => {
    const any = /^0\.0\.0\.0:(\d+)$/.exec(s);
    if (any) return `127.0.0.1:${ctx.ports(service, Number(any[1]))}`;
    if (SERVICE_URL.test(s)) return rewriteServiceUrl(s, ctx);
    return rewritePath(s, dataPaths);
  }) as Tree;

  const defaults = DEFAULT_LISTEN[backend];
  const server = section(out, 'server');
  server.http_listen_address = '127.0.0.1';
  server.http_listen_port = ctx.ports(service, Number(server.http_listen_port ?? defaults.http));
  server.grpc_listen_address = '127.0.0.1';
  server.grpc_listen_port = ctx.ports(service, Number(server.grpc_listen_port ?? defaults.grpc));
  if (defaults.memberlist !== undefined) {
    const memberlist = section(out, 'memberlist');
    memberlist.bind_addr = ['127.0.0.1'];
    memberlist.bind_port = ctx.ports(service, Number(memberlist.bind_port ?? defaults.memberlist));
  }
  return out;
}

export interface PrometheusPlan {
  config: Tree;
  args: string[];
}

function commaList(value: unknown): string[] {
  return String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Prometheus 3 standing in for Mimir: its OTLP and storage settings come from compose's mimir.yaml
 * limits (the one place they are written), translated to Prometheus' names.
 */
export function renderPrometheusPlan(
  mimirSource: unknown,
  ctx: RenderContext,
  files: { configFile: string; dataDir: string },
): PrometheusPlan {
  const limits = ((mimirSource as Tree | undefined)?.limits ?? {}) as Tree;
  const otlp: Tree = {
    promote_resource_attributes: commaList(limits.promote_otel_resource_attributes),
    keep_identifying_resource_attributes: limits.otel_keep_identifying_resource_attributes === true,
    // Mimir's otel_metric_suffixes_enabled: true is Prometheus' default strategy (adds _total, _seconds …).
    translation_strategy:
      limits.otel_metric_suffixes_enabled === true
        ? 'UnderscoreEscapingWithSuffixes'
        : 'UnderscoreEscapingWithoutSuffixes',
  };
  const storage: Tree = {};
  if (limits.out_of_order_time_window)
    storage.tsdb = { out_of_order_time_window: limits.out_of_order_time_window };
  if (limits.max_global_exemplars_per_user) {
    storage.exemplars = { max_exemplars: limits.max_global_exemplars_per_user };
  }
  const args = [
    `--config.file=${files.configFile}`,
    `--storage.tsdb.path=${files.dataDir}`,
    `--web.listen-address=127.0.0.1:${ctx.ports('prometheus', 9009)}`,
    `--web.route-prefix=${PROMETHEUS_ROUTE_PREFIX}`,
    `--web.external-url=http://127.0.0.1:${ctx.ports('prometheus', 9009)}${PROMETHEUS_ROUTE_PREFIX}`,
    '--web.enable-otlp-receiver',
    '--web.enable-remote-write-receiver',
    '--log.level=warn',
  ];
  if (storage.exemplars) args.push('--enable-feature=exemplar-storage');
  if (limits.compactor_blocks_retention_period) {
    args.push(`--storage.tsdb.retention.time=${String(limits.compactor_blocks_retention_period)}`);
  }
  return { config: { otlp, storage }, args };
}

/**
 * One Grafana provisioning file (data sources, dashboard provider, alerting, plugins) with compose's
 * host names and container paths rewritten. With Prometheus as the store, the Mimir data source says so
 * (Grafana uses prometheusType to pick API features).
 */
export function renderProvisioningFile(
  source: unknown,
  ctx: RenderContext,
  mountPaths: ReadonlyArray<readonly [string, string]>,
): unknown {
  const out = mapStrings(source, (s) =>
    SERVICE_URL.test(s) ? rewriteServiceUrl(s, ctx) : rewritePath(s, mountPaths),
  );
  if (ctx.metricsStore === 'prometheus' && out && typeof out === 'object') {
    for (const ds of ((out as Tree).datasources ?? []) as Tree[]) {
      const json = ds.jsonData as Tree | undefined;
      if (ds.type === 'prometheus' && json?.prometheusType === 'Mimir') json.prometheusType = 'Prometheus';
    }
  }
  return out;
}

/**
 * Grafana's environment: compose's (already interpolated), container paths mapped to host folders, plus
 * where the native process finds its data, provisioning and plugins and on which address it listens.
 */
export function renderGrafanaEnv(
  composeEnv: Record<string, string>,
  ctx: RenderContext,
  mountPaths: ReadonlyArray<readonly [string, string]>,
  dirs: { data: string; provisioning: string; plugins: string; logs: string },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(composeEnv)) {
    env[k] = SERVICE_URL.test(v) ? rewriteServiceUrl(v, ctx) : rewritePath(v, mountPaths);
  }
  return {
    ...env,
    GF_PATHS_DATA: dirs.data,
    GF_PATHS_PROVISIONING: dirs.provisioning,
    GF_PATHS_PLUGINS: dirs.plugins,
    GF_PATHS_LOGS: dirs.logs,
    GF_SERVER_HTTP_ADDR: '127.0.0.1',
    GF_SERVER_HTTP_PORT: String(ctx.ports('grafana', 3000)),
  };
}

/**
 * The OTEL_* lines an app needs: compose's demo exporter settings (endpoints on the compose network)
 * rewritten to the native stack.
 */
export function renderOtelEnv(
  composeDemoEnv: Record<string, string>,
  ctx: RenderContext,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(composeDemoEnv)) {
    if (k.startsWith('OTEL_EXPORTER_OTLP_')) out[k] = rewriteServiceUrl(v, ctx);
  }
  return out;
}
