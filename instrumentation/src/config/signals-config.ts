import { type EnvReader } from './parse.ts';

/**
 * Metrics, logs and active-request settings. Same rules as the trace settings: standard OTel variables
 * first, kit knobs prefixed LGTM_APM_, every bad value → one problem naming variable, value and default.
 */
export const DEFAULT_METRICS_ENDPOINT = 'http://localhost:9009/otlp/v1/metrics';
export const DEFAULT_LOGS_ENDPOINT = 'http://localhost:3100/otlp/v1/logs';

/**
 * Key names replaced by "[Redacted]" in exported log records, at any depth, compared by their words
 * (`accessToken` = `access_token` = `ACCESS-TOKEN`); logs/redact.ts adds word rules (any key with a
 * word such as password, token, secret, jwt, credentials).
 */
export const DEFAULT_LOG_REDACT_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passwd',
  'pwd',
  'secret',
  'client_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'api_key',
  'apikey',
  'x-api-key',
];

export type MetricsExporterName = 'otlp' | 'prometheus' | 'console' | 'none';
export type LogsExporterName = 'otlp' | 'console' | 'none';

export interface MetricsConfig {
  exporters: Array<Exclude<MetricsExporterName, 'none'>>;
  protocol: OtlpProtocol;
  /** Explicit URL for the OTLP exporter; undefined lets it read OTEL_EXPORTER_OTLP_METRICS_ENDPOINT itself. */
  endpointOverride: string | undefined;
  exportIntervalMs: number;
  exportTimeoutMs: number;
  /** HTTP timeout of one OTLP request (OTEL_EXPORTER_OTLP_METRICS_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT). */
  otlpTimeoutMs: number;
  runtimeMetrics: boolean;
  /**
   * Sampling interval of the event-loop delay monitor behind nodejs_eventloop_lag_*: it wakes the main
   * thread this often. 20 ms (prom-client's own default is 10) halves those wake-ups; what it misses is
   * in the README (bench/event-loop-resolution.mjs).
   */
  eventLoopResolutionMs: number;
  /** Pull endpoint; undefined = off. */
  prometheusPort: number | undefined;
  prometheusHost: string;
}

export interface ActiveRequestsConfig {
  enabled: boolean;
  /** Upper edges of the first three age buckets, ascending (the last bucket is "slow"). */
  thresholdsMs: [number, number, number];
  /** 0 = no stuck-request warnings. */
  stuckRequestMs: number;
  /** Requests tracked at once; beyond this, new requests are counted as untracked (bounded memory). */
  maxTracked: number;
}

/** A batch processor's settings (OTEL_BSP_* for spans, OTEL_BLRP_* for log records). */
export interface BatchConfig {
  scheduledDelayMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
  exportTimeoutMillis: number;
}

export interface LogsConfig {
  exporters: Array<Exclude<LogsExporterName, 'none'>>;
  protocol: OtlpProtocol;
  endpointOverride: string | undefined;
  exportTimeoutMs: number;
  batch: BatchConfig;
  redactKeys: string[];
  /** Query-parameter names whose values are scrubbed from URLs inside log values (as for spans). */
  redactQueryParams: string[];
}

export interface SignalsConfig {
  metrics: MetricsConfig;
  activeRequests: ActiveRequestsConfig;
  logs: LogsConfig;
}

export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
const PROTOCOLS: readonly OtlpProtocol[] = ['grpc', 'http/protobuf', 'http/json'];

/**
 * The signal's protocol: its own variable, else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf (Mimir and
 * Loki take OTLP over HTTP) — unless only the generic endpoint is set: that is one collector (Alloy,
 * grafana/otel-lgtm) for every signal, and the signal then follows the kit's trace default, gRPC.
 */
function protocol(r: EnvReader, signal: 'METRICS' | 'LOGS'): OtlpProtocol {
  const specific = `OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`;
  const sharedEndpoint =
    r.raw(`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`) === undefined &&
    r.raw('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined;
  const fallback: OtlpProtocol = sharedEndpoint ? 'grpc' : 'http/protobuf';
  if (r.raw(specific) !== undefined) return r.oneOf(specific, PROTOCOLS, fallback);
  // The generic variable is validated (and reported once) by the trace settings.
  const generic = r.raw('OTEL_EXPORTER_OTLP_PROTOCOL')?.toLowerCase();
  return (PROTOCOLS as readonly string[]).includes(generic ?? '') ? (generic as OtlpProtocol) : fallback;
}

/**
 * The URL the kit passes to the exporter, or undefined to let the exporter read the standard variables
 * itself (signal-specific endpoint as is; generic endpoint + /v1/<signal> for HTTP, as is for gRPC).
 */
function endpointOverride(
  r: EnvReader,
  signal: 'METRICS' | 'LOGS',
  protocol: OtlpProtocol,
  httpFallback: string,
): string | undefined {
  const fallback = protocol === 'grpc' ? 'http://localhost:4317' : httpFallback;
  const specific = `OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`;
  if (r.raw(specific) !== undefined) {
    // Valid: the exporter reads it itself (standard precedence); invalid: fall back explicitly.
    return r.url(specific) === undefined ? fallback : undefined;
  }
  if (r.raw('OTEL_EXPORTER_OTLP_ENDPOINT') !== undefined) {
    // An invalid generic endpoint is already reported by the trace settings, so not twice here.
    return isHttpUrl(r.raw('OTEL_EXPORTER_OTLP_ENDPOINT')!) ? undefined : fallback;
  }
  // Neither set: over HTTP the kit's backend default (Mimir / Loki) differs from the SDK's localhost:4318;
  // over gRPC the exporter's own default (localhost:4317) applies.
  return protocol === 'grpc' ? undefined : httpFallback;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function timeout(r: EnvReader, signal: 'METRICS' | 'LOGS'): number {
  const specific = `OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`;
  if (r.raw(specific) !== undefined) return r.integer(specific, 10_000, 1, 120_000);
  // The generic variable is validated (and reported once) by the trace settings.
  const generic = Number(r.raw('OTEL_EXPORTER_OTLP_TIMEOUT'));
  return Number.isInteger(generic) && generic >= 1 && generic <= 120_000 ? generic : 10_000;
}

export function readSignalsConfig(r: EnvReader, redactQueryParams: readonly string[]): SignalsConfig {
  const metricsList = r.list<MetricsExporterName>(
    'OTEL_METRICS_EXPORTER',
    ['otlp', 'prometheus', 'console', 'none'],
    ['otlp'],
  );
  const prometheusPortRaw = r.raw('LGTM_APM_PROMETHEUS_PORT');
  let prometheusPort: number | undefined;
  if (prometheusPortRaw !== undefined) {
    const port = Number(prometheusPortRaw);
    if (Number.isInteger(port) && port >= 1 && port <= 65_535) prometheusPort = port;
    else {
      r.problems.push(
        `LGTM_APM_PROMETHEUS_PORT="${prometheusPortRaw}" is not valid (expected an integer from 1 to 65535); ` +
          'the Prometheus endpoint stays off',
      );
    }
  }
  // OTEL_METRICS_EXPORTER=prometheus is the standard way to ask for the pull endpoint (spec port 9464).
  if (prometheusPort === undefined && metricsList.includes('prometheus') && prometheusPortRaw === undefined)
    prometheusPort = 9464;
  const metricsExporters = metricsList.includes('none')
    ? []
    : (metricsList.filter((e) => e !== 'prometheus' && e !== 'none') as MetricsConfig['exporters']);
  if (prometheusPort !== undefined && !metricsList.includes('none')) metricsExporters.push('prometheus');
  const metricsProtocol = protocol(r, 'METRICS');

  const exportIntervalMs = r.integer('OTEL_METRIC_EXPORT_INTERVAL', 15_000, 100, 3_600_000);
  let exportTimeoutMs = r.integer('OTEL_METRIC_EXPORT_TIMEOUT', 10_000, 1, 3_600_000);
  if (exportTimeoutMs > exportIntervalMs) {
    // Only worth a warning when the user chose the timeout; the default just follows a short interval.
    if (Number(r.raw('OTEL_METRIC_EXPORT_TIMEOUT')) === exportTimeoutMs)
      r.problems.push(
        `OTEL_METRIC_EXPORT_TIMEOUT=${exportTimeoutMs} is longer than OTEL_METRIC_EXPORT_INTERVAL=${exportIntervalMs}; using ${exportIntervalMs}`,
      );
    exportTimeoutMs = exportIntervalMs;
  }

  const thresholdsRaw = r.raw('LGTM_APM_ACTIVE_REQUEST_THRESHOLDS_MS');
  let thresholdsMs: [number, number, number] = [1000, 3000, 5000];
  if (thresholdsRaw !== undefined) {
    const parts = thresholdsRaw.split(',').map((s) => Number(s.trim()));
    const ok =
      parts.length === 3 &&
      parts.every((n) => Number.isInteger(n) && n > 0) &&
      parts[0]! < parts[1]! &&
      parts[1]! < parts[2]!;
    if (ok) thresholdsMs = parts as [number, number, number];
    else {
      r.problems.push(
        `LGTM_APM_ACTIVE_REQUEST_THRESHOLDS_MS="${thresholdsRaw}" is not valid (expected three ascending positive integers, ` +
          'e.g. 1000,3000,5000); using 1000,3000,5000',
      );
    }
  }

  const logsList = r.list<LogsExporterName>('OTEL_LOGS_EXPORTER', ['otlp', 'console', 'none'], ['otlp']);
  const logsProtocol = protocol(r, 'LOGS');
  const extraRedact = r.list<string>('LGTM_APM_LOG_REDACT_KEYS', undefined, []).map((s) => s.toLowerCase());

  return {
    metrics: {
      exporters: metricsExporters,
      protocol: metricsProtocol,
      endpointOverride: endpointOverride(r, 'METRICS', metricsProtocol, DEFAULT_METRICS_ENDPOINT),
      exportIntervalMs,
      exportTimeoutMs,
      otlpTimeoutMs: timeout(r, 'METRICS'),
      runtimeMetrics: r.boolean('LGTM_APM_RUNTIME_METRICS', true),
      eventLoopResolutionMs: r.integer('LGTM_APM_EVENT_LOOP_RESOLUTION_MS', 20, 1, 1000),
      prometheusPort,
      prometheusHost: r.raw('LGTM_APM_PROMETHEUS_HOST') ?? '127.0.0.1',
    },
    activeRequests: {
      enabled: r.boolean('LGTM_APM_ACTIVE_REQUESTS', true),
      thresholdsMs,
      stuckRequestMs: r.integer('LGTM_APM_STUCK_REQUEST_MS', 10_000, 0, 86_400_000),
      maxTracked: r.integer('LGTM_APM_ACTIVE_REQUESTS_MAX', 10_000, 1, 1_000_000),
    },
    logs: {
      exporters: logsList.includes('none') ? [] : (logsList as LogsConfig['exporters']),
      protocol: logsProtocol,
      endpointOverride: endpointOverride(r, 'LOGS', logsProtocol, DEFAULT_LOGS_ENDPOINT),
      exportTimeoutMs: timeout(r, 'LOGS'),
      batch: {
        scheduledDelayMillis: r.integer('OTEL_BLRP_SCHEDULE_DELAY', 1000, 0, 60_000),
        ...r.batchSizes('OTEL_BLRP'),
        exportTimeoutMillis: r.integer('OTEL_BLRP_EXPORT_TIMEOUT', 30_000, 1, 120_000),
      },
      redactKeys: [...new Set([...DEFAULT_LOG_REDACT_KEYS, ...extraRedact])],
      redactQueryParams: [...redactQueryParams],
    },
  };
}
