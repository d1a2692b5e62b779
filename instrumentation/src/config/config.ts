import { EnvReader, redactUrlCredentials, type Env } from './parse.ts';
import { readSignalsConfig, type BatchConfig, type SignalsConfig } from './signals-config.ts';
import { INSTRUMENTATION_NAMES, type InstrumentationName } from '../instrumentations/catalogue.ts';
import {
  DEFAULT_EXPRESS_LAYERS,
  EXPRESS_LAYER_CHOICES,
  type ExpressLayers,
} from '../instrumentations/express-layers.ts';

export type TraceProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export type TracesExporterName = 'otlp' | 'console' | 'none';
export type SamplerName =
  | 'always_on'
  | 'always_off'
  | 'traceidratio'
  | 'parentbased_always_on'
  | 'parentbased_always_off'
  | 'parentbased_traceidratio';
export type DetectorName = 'env' | 'host' | 'os' | 'process' | 'container' | 'serviceinstance' | 'service';
/** OTEL_PROPAGATORS values the kit builds (b3 = single header, b3multi = X-B3-* headers). */
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'] as const;
export type PropagatorName = (typeof PROPAGATORS)[number];
export type DbStatementMode = 'sanitized' | 'raw' | 'off';
export type LogLevelName = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

export interface KitConfig extends SignalsConfig {
  disabled: boolean;
  logLevel: LogLevelName;
  tracesExporters: TracesExporterName[];
  traceProtocol: TraceProtocol;
  /** Only set when the user gave a valid one; otherwise the exporter's standard default applies. */
  tracesEndpoint: string | undefined;
  /** The user's endpoint was unusable: the kit then passes the default URL explicitly. */
  tracesEndpointInvalid: boolean;
  exportTimeoutMs: number;
  batch: BatchConfig;
  sampler: SamplerName;
  samplerRatio: number;
  /** `none` alone means no propagation. */
  propagators: PropagatorName[];
  enabledInstrumentations: InstrumentationName[];
  resourceDetectors: DetectorName[];
  ignorePaths: string[];
  redactQueryParams: string[];
  dbStatement: DbStatementMode;
  dbPeerService: boolean;
  rootPeerService: string;
  compileCache: boolean;
  handleSignals: boolean;
  /** Export the spans still queued when the app calls process.exit() (LGTM_APM_EXIT_FLUSH). */
  exitFlush: boolean;
  shutdownTimeoutMs: number;
  /** CPU nice value of the export worker's thread while the app runs (LGTM_APM_EXPORT_WORKER_NICE). */
  exportWorkerNice: number;
  esmHook: 'auto' | 'sync' | 'async' | 'off';
  /** `own`: the kit's diagnostics_channel hooks trace http/https/fetch; `upstream`: the OTel instrumentations. */
  httpHooks: 'own' | 'upstream';
  /** Which express layers get a span of their own (LGTM_APM_EXPRESS_LAYERS). */
  expressLayers: ExpressLayers;
  /** The valid entries of OTEL_RESOURCE_ATTRIBUTES (the SDK's detector drops them all for one bad entry). */
  resourceAttributes: Record<string, string>;
  /** Keep `process.command_args` in the resource (LGTM_APM_RESOURCE_COMMAND_ARGS): flags can carry secrets. */
  resourceCommandArgs: boolean;
  problems: string[];
}

/** Off by default: noisy (a span per fs call / lookup / socket) and rarely what an APM user wants. */
export const NOISY_INSTRUMENTATIONS: readonly InstrumentationName[] = ['fs', 'dns', 'net'];

export const DEFAULT_IGNORE_PATHS = ['/healthz', '/health', '/livez', '/readyz', '/metrics', '/favicon.ico'];

export const DEFAULT_REDACTED_QUERY_PARAMS = [
  'access_token',
  'api_key',
  'apikey',
  'auth',
  'authorization',
  'client_secret',
  'code',
  'id_token',
  'key',
  'password',
  'passwd',
  'pwd',
  'refresh_token',
  'secret',
  'session',
  'sessionid',
  'sig',
  'signature',
  'token',
  'x-amz-signature',
  'x-amz-credential',
  'x-goog-signature',
  'awsaccesskeyid',
];

const DETECTORS: readonly DetectorName[] = [
  'env',
  'host',
  'os',
  'process',
  'container',
  'serviceinstance',
  'service',
];
const CLOUD_DETECTORS = [
  'aws',
  'gcp',
  'azure',
  'alibaba',
  'alibabacloud',
  'ec2',
  'eks',
  'ecs',
  'lambda',
  'beanstalk',
];

export function readConfig(env: Env = process.env): KitConfig {
  const r = new EnvReader(env);
  const disabled = r.boolean('OTEL_SDK_DISABLED', false);

  const protocolVar = r.raw('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  // Tempo's native ingest is gRPC, so that is the kit's default, unlike the SDK's http/protobuf.
  const traceProtocol = r.oneOf<TraceProtocol>(protocolVar, ['grpc', 'http/protobuf', 'http/json'], 'grpc');

  const endpointVar = r.raw('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')
    ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
    : 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const tracesEndpoint = r.url(endpointVar);
  const tracesEndpointInvalid = r.raw(endpointVar) !== undefined && tracesEndpoint === undefined;
  const exportTimeoutMs =
    r.raw('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') !== undefined
      ? r.integer('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 10_000, 1, 120_000)
      : r.integer('OTEL_EXPORTER_OTLP_TIMEOUT', 10_000, 1, 120_000);

  const exporters = r.list<TracesExporterName>('OTEL_TRACES_EXPORTER', ['otlp', 'console', 'none'], ['otlp']);

  const detectorNames = (
    r.raw('OTEL_NODE_RESOURCE_DETECTORS') ?? 'env,host,os,process,container,serviceinstance'
  )
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  let resourceDetectors: DetectorName[];
  if (detectorNames.includes('none')) resourceDetectors = [];
  else if (detectorNames.includes('all')) resourceDetectors = [...DETECTORS];
  else {
    resourceDetectors = detectorNames.filter((d): d is DetectorName =>
      (DETECTORS as readonly string[]).includes(d),
    );
    const cloud = detectorNames.filter((d) => CLOUD_DETECTORS.includes(d));
    const unknown = detectorNames.filter(
      (d) => !(DETECTORS as readonly string[]).includes(d) && !CLOUD_DETECTORS.includes(d),
    );
    if (cloud.length) {
      r.problems.push(
        `OTEL_NODE_RESOURCE_DETECTORS: cloud detectors (${cloud.join(', ')}) are opt-in and not bundled: ` +
          'they probe metadata endpoints and slow start-up. Pass them to start({ resourceDetectors }) instead',
      );
    }
    if (unknown.length)
      r.problems.push(`OTEL_NODE_RESOURCE_DETECTORS: ignoring unknown detector(s) ${unknown.join(', ')}`);
  }

  const allNames = INSTRUMENTATION_NAMES;
  const enabledList = r.list<InstrumentationName>(
    'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
    allNames,
    allNames.filter((n) => !NOISY_INSTRUMENTATIONS.includes(n)),
  );
  const disabledList = r.list<InstrumentationName>('OTEL_NODE_DISABLED_INSTRUMENTATIONS', allNames, []);
  const enabledInstrumentations = enabledList.filter((n) => !disabledList.includes(n));

  const sampler = r.oneOf<SamplerName>(
    'OTEL_TRACES_SAMPLER',
    [
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ],
    'parentbased_always_on',
  );
  const samplerRatio = r.ratio('OTEL_TRACES_SAMPLER_ARG', 1);

  const propagators = r.list<PropagatorName>('OTEL_PROPAGATORS', PROPAGATORS, ['tracecontext', 'baggage'], {
    jaeger:
      'not supported: @opentelemetry/propagator-jaeger has no release for OpenTelemetry JS 3; its last, 2.12, needs @opentelemetry/api < 1.10',
    xray: 'not supported by the kit; pass a propagator in code',
    ottrace: 'not supported by the kit; pass a propagator in code',
  });

  const extraRedacted = r
    .list<string>('LGTM_APM_REDACT_QUERY_PARAMS', undefined, [])
    .map((s) => s.toLowerCase());

  const redactQueryParams = [...new Set([...DEFAULT_REDACTED_QUERY_PARAMS, ...extraRedacted])];

  const rootPeer = r.raw('LGTM_APM_ROOT_PEER_SERVICE') ?? 'user';

  const config: KitConfig = {
    disabled,
    logLevel: r.oneOf<LogLevelName>(
      'OTEL_LOG_LEVEL',
      ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'],
      'warn',
    ),
    tracesExporters: exporters.includes('none') ? [] : exporters,
    traceProtocol,
    tracesEndpoint,
    tracesEndpointInvalid,
    exportTimeoutMs,
    batch: {
      // Tempo drops spans from its service graph when they arrive >30 s after ending, so export often.
      scheduledDelayMillis: r.integer('OTEL_BSP_SCHEDULE_DELAY', 1000, 0, 30_000),
      ...r.batchSizes('OTEL_BSP'),
      exportTimeoutMillis: r.integer('OTEL_BSP_EXPORT_TIMEOUT', 10_000, 1, 120_000),
    },
    sampler,
    samplerRatio,
    propagators,
    enabledInstrumentations,
    resourceDetectors,
    ignorePaths: r.list<string>('LGTM_APM_IGNORE_PATHS', undefined, DEFAULT_IGNORE_PATHS),
    redactQueryParams,
    dbStatement: r.oneOf<DbStatementMode>('LGTM_APM_DB_STATEMENT', ['sanitized', 'raw', 'off'], 'sanitized'),
    dbPeerService: r.boolean('LGTM_APM_DB_PEER_SERVICE', true),
    rootPeerService: rootPeer.toLowerCase() === 'off' ? '' : rootPeer,
    compileCache: r.boolean('LGTM_APM_COMPILE_CACHE', true),
    handleSignals: r.boolean('LGTM_APM_HANDLE_SIGNALS', true),
    exitFlush: r.boolean('LGTM_APM_EXIT_FLUSH', true),
    shutdownTimeoutMs: r.integer('LGTM_APM_SHUTDOWN_TIMEOUT_MS', 5000, 100, 60_000),
    exportWorkerNice: r.integer('LGTM_APM_EXPORT_WORKER_NICE', 0, 0, 19),
    esmHook: r.oneOf('LGTM_APM_ESM_HOOK', ['auto', 'sync', 'async', 'off'] as const, 'auto'),
    httpHooks: r.oneOf('LGTM_APM_HTTP_HOOKS', ['own', 'upstream'] as const, 'own'),
    expressLayers: r.oneOf('LGTM_APM_EXPRESS_LAYERS', EXPRESS_LAYER_CHOICES, DEFAULT_EXPRESS_LAYERS),
    resourceCommandArgs: r.boolean('LGTM_APM_RESOURCE_COMMAND_ARGS', false),
    resourceAttributes: readResourceAttributes(r),
    ...readSignalsConfig(r, redactQueryParams),
    problems: r.problems,
  };
  return config;
}

/**
 * OTEL_RESOURCE_ATTRIBUTES as the specification defines it (comma-separated key=value, percent-encoded).
 * The SDK's env detector discards every attribute when one entry is malformed, and says so only at debug
 * level: a typo would silently drop service.namespace and deployment.environment.name. Here each bad entry
 * is reported and skipped, and the good ones are kept.
 */
function readResourceAttributes(r: EnvReader): Record<string, string> {
  const raw = r.raw('OTEL_RESOURCE_ATTRIBUTES');
  const attributes: Record<string, string> = {};
  if (raw === undefined) return attributes;
  const bad: string[] = [];
  for (const entry of raw.split(',')) {
    if (!entry.trim()) continue;
    const parts = entry.split('=');
    const key = parts[0]!.trim();
    if (parts.length !== 2 || !key) {
      bad.push(entry);
      continue;
    }
    try {
      attributes[decodeURIComponent(key)] = decodeURIComponent(parts[1]!.trim());
    } catch {
      bad.push(entry);
    }
  }
  if (bad.length)
    r.problems.push(
      `OTEL_RESOURCE_ATTRIBUTES: ignoring ${bad.map((b) => `"${redactUrlCredentials(b.trim())}"`).join(', ')} ` +
        `(expected key=value pairs separated by commas, with ',', '=' and '%' in values percent-encoded); ` +
        `keeping ${Object.keys(attributes).join(', ') || 'nothing else'}`,
    );
  return attributes;
}
