/** Metrics and log records from decoded OTLP requests (official protos), flattened for assertions. */
import { type OtlpReceiver } from './otlp-receiver.ts';

type Plain = Record<string, unknown>;
export type Value = string | number | boolean | Value[] | { [key: string]: Value } | undefined;

export function anyValueDeep(value: unknown): Value {
  const v = (value ?? {}) as Plain;
  if ('stringValue' in v) return v.stringValue as string;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue as number;
  if ('boolValue' in v) return v.boolValue as boolean;
  if ('arrayValue' in v) return (((v.arrayValue as Plain).values as unknown[]) ?? []).map(anyValueDeep);
  if ('kvlistValue' in v) return attributesDeep((v.kvlistValue as Plain).values);
  return undefined;
}

export function attributesDeep(list: unknown): { [key: string]: Value } {
  const out: { [key: string]: Value } = {};
  for (const kv of (list as Plain[] | undefined) ?? []) out[kv.key as string] = anyValueDeep(kv.value);
  return out;
}

export interface FlatPoint {
  attributes: { [key: string]: Value };
  value?: number;
  count?: number;
  sum?: number;
  explicitBounds?: number[];
  bucketCounts?: number[];
  exemplars: unknown[];
}

export interface FlatMetric {
  /** Index of the export request it arrived in (later = newer). */
  request: number;
  name: string;
  type: 'sum' | 'gauge' | 'histogram' | 'other';
  monotonic: boolean;
  temporality: number | undefined;
  unit: string;
  scope: string;
  resource: { [key: string]: Value };
  points: FlatPoint[];
}

export function metricsOf(receiver: OtlpReceiver): FlatMetric[] {
  const out: FlatMetric[] = [];
  receiver.requests.forEach((request, index) => {
    if (request.signal !== 'metrics') return;
    for (const rm of (request.body.resourceMetrics as Plain[] | undefined) ?? []) {
      const resource = attributesDeep((rm.resource as Plain | undefined)?.attributes);
      for (const sm of (rm.scopeMetrics as Plain[] | undefined) ?? []) {
        const scope = String((sm.scope as Plain | undefined)?.name ?? '');
        for (const m of (sm.metrics as Plain[] | undefined) ?? []) {
          const data = (m.sum ?? m.gauge ?? m.histogram) as Plain | undefined;
          const type = m.sum ? 'sum' : m.gauge ? 'gauge' : m.histogram ? 'histogram' : 'other';
          const points = ((data?.dataPoints as Plain[] | undefined) ?? []).map((p) => ({
            attributes: attributesDeep(p.attributes),
            value:
              p.asDouble !== undefined
                ? Number(p.asDouble)
                : p.asInt !== undefined
                  ? Number(p.asInt)
                  : undefined,
            count: p.count !== undefined ? Number(p.count) : undefined,
            sum: p.sum !== undefined ? Number(p.sum) : undefined,
            explicitBounds: (p.explicitBounds as number[] | undefined)?.map(Number),
            bucketCounts: (p.bucketCounts as unknown[] | undefined)?.map(Number),
            exemplars: (p.exemplars as unknown[] | undefined) ?? [],
          }));
          out.push({
            request: index,
            name: String(m.name),
            type,
            monotonic: Boolean((m.sum as Plain | undefined)?.isMonotonic),
            temporality: data?.aggregationTemporality as number | undefined,
            unit: String(m.unit ?? ''),
            scope,
            resource,
            points,
          });
        }
      }
    }
  });
  return out;
}

/** The newest export of each metric name for one service. */
export function latestMetrics(receiver: OtlpReceiver, service?: string): Map<string, FlatMetric> {
  const latest = new Map<string, FlatMetric>();
  for (const m of metricsOf(receiver)) {
    if (service && m.resource['service.name'] !== service) continue;
    latest.set(m.name, m);
  }
  return latest;
}

export interface FlatLog {
  service: string;
  resource: { [key: string]: Value };
  scope: string;
  traceId: string;
  spanId: string;
  severityNumber: number;
  severityText: string;
  body: Value;
  attributes: { [key: string]: Value };
}

export function logsOf(receiver: OtlpReceiver): FlatLog[] {
  const out: FlatLog[] = [];
  for (const request of receiver.requests) {
    if (request.signal !== 'logs') continue;
    for (const rl of (request.body.resourceLogs as Plain[] | undefined) ?? []) {
      const resource = attributesDeep((rl.resource as Plain | undefined)?.attributes);
      for (const sl of (rl.scopeLogs as Plain[] | undefined) ?? []) {
        const scope = String((sl.scope as Plain | undefined)?.name ?? '');
        for (const r of (sl.logRecords as Plain[] | undefined) ?? []) {
          out.push({
            service: String(resource['service.name'] ?? ''),
            resource,
            scope,
            traceId: String(r.traceId ?? ''),
            spanId: String(r.spanId ?? ''),
            severityNumber: Number(r.severityNumber ?? 0),
            severityText: String(r.severityText ?? ''),
            body: anyValueDeep(r.body),
            attributes: attributesDeep(r.attributes),
          });
        }
      }
    }
  }
  return out;
}

/** Env for a child exporting all three signals to one receiver (traces gRPC, metrics and logs HTTP). */
export function signalsEnv(
  receiver: OtlpReceiver,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.grpcEndpoint,
    // The same paths as Mimir and Loki, so the default URL shapes are exercised.
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.httpEndpoint}/otlp/v1/metrics`,
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.httpEndpoint}/otlp/v1/logs`,
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,container,serviceinstance',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_BLRP_SCHEDULE_DELAY: '200',
    OTEL_METRIC_EXPORT_INTERVAL: '500',
    LGTM_APM_COMPILE_CACHE: 'false',
    // The kit's shutdown deadline (5 s in production) would cut the last export short when this busy
    // machine starves the export worker; tests that prove the deadline set their own.
    LGTM_APM_SHUTDOWN_TIMEOUT_MS: '20000',
    ...extra,
  };
}
