import {
  context,
  diag,
  DiagLogLevel,
  metrics as otelMetrics,
  propagation,
  trace,
  type Attributes,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { type ResourceDetector } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { readConfig, type KitConfig, type LogLevelName } from '../config/config.ts';
import { buildPropagator } from '../tracing/propagators.ts';
import { type Env } from '../config/parse.ts';
import { ExportHealth } from '../diagnostics/export-health.ts';
import { RateLimitedWarner, type Warner } from '../diagnostics/warner.ts';
import { selectInstrumentations } from '../instrumentations/select.ts';
import { registerEsmHook } from '../lifecycle/esm-hook.ts';
import { installSignalHandlers } from '../lifecycle/signals.ts';
import { buildResource } from '../resource/resource.ts';
import { RedactingSpanProcessor } from '../tracing/redacting-span-processor.ts';
import { ServiceGraphHintsProcessor } from '../tracing/service-graph-hints-processor.ts';
import { KitSpanProcessor } from '../tracing/kit-span-processor.ts';
import { createConsoleTraceExporter } from '../tracing/trace-exporter.ts';
import { WorkerSpanExporter } from '../tracing/worker-span-exporter.ts';
import { sharedExportWorkerHost, type ExportWorkerHost } from '../export/worker-host.ts';
import { handOffAtExit, type ExitHandOffParts } from '../export/exit-handoff.ts';
import { ActiveRequestsProcessor } from '../active-requests/processor.ts';
import type { MetricsPipeline } from '../metrics/pipeline.ts';
import type * as MetricsModule from '../metrics/pipeline.ts';
import type * as LogsModule from '../logs/pipeline.ts';
import type * as PinoHookModule from '../logs/pino-hook.ts';
import type { PromRegistryLike } from '../metrics/prom-client-producer.ts';
import type { LogsPipeline } from '../logs/pipeline.ts';

export interface StartOptions {
  /** Overrides the package.json / script-name fallback; OTEL_SERVICE_NAME still wins. */
  serviceName?: string;
  /** Highest-priority resource attributes. */
  resourceAttributes?: Attributes;
  /** Extra detectors, e.g. cloud ones (opt-in: they probe metadata endpoints). */
  resourceDetectors?: ResourceDetector[];
  /** Replaces the OTLP exporter chosen from the environment (tests, custom backends). */
  traceExporter?: SpanExporter;
  /** Added after the kit's own processors. */
  spanProcessors?: SpanProcessor[];
  /** Added to the curated set. */
  instrumentations?: Instrumentation[];
  sampler?: Sampler;
  /** Defaults to process.env. */
  env?: Env;
  /** prom-client registries to export besides the app's default `register` (found by itself). */
  promRegistries?: PromRegistryLike[];
  /** Register the ESM loader hook (default true; the preload does it before the app loads). */
  esmHook?: boolean;
}

export interface LgtmApm {
  readonly config: KitConfig;
  readonly tracerProvider: TracerProvider | undefined;
  /** Names of the instrumentations that were loaded because their library is installed. */
  readonly instrumentations: readonly string[];
  readonly health: ExportHealth;
  /** Metrics (OTLP push and/or pull endpoint) and logs pipelines; undefined when their exporters are none. */
  readonly metrics: MetricsPipeline | undefined;
  readonly logs: LogsPipeline | undefined;
  readonly activeRequests: ActiveRequestsProcessor | undefined;
  forceFlush(): Promise<void>;
  /**
   * Flushes and stops every signal. Resolves within `timeoutMs` (default LGTM_APM_SHUTDOWN_TIMEOUT_MS)
   * whatever the backends do; what is still being sent then is lost, with one line on stderr.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

export interface ShutdownOptions {
  /** Longest the returned promise takes; defaults to LGTM_APM_SHUTDOWN_TIMEOUT_MS (5000). */
  timeoutMs?: number;
}

/**
 * Resolves true when the work started by `start` settles within `ms`, false when the deadline comes first.
 * The clock starts before `start` runs: its synchronous part (closing pipelines, a last metrics collection)
 * can take hundreds of milliseconds on a starved machine, and counts against the deadline.
 */
function settlesWithin(start: () => Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    // Ref'd on purpose: `await shutdown(); process.exit(code)` must reach its exit call, with its code.
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    start().then(done, done);
  });
}

let active: LgtmApm | undefined;

const LOG_LEVELS: Record<LogLevelName, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

function buildSampler(config: KitConfig): Sampler {
  const ratio = (): Sampler => new TraceIdRatioBasedSampler(config.samplerRatio);
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

/**
 * Starts tracing (and, from the metrics/logs pipelines, the other signals) once per process.
 * Never throws: a failure is reported on stderr and the app runs uninstrumented.
 */
export function start(options: StartOptions = {}): LgtmApm | undefined {
  if (active) return active;
  const env = options.env ?? process.env;
  const config = readConfig(env);
  const warner: Warner = new RateLimitedWarner();
  for (const problem of config.problems) warner.warn(`config-${problem}`, problem);
  if (config.disabled) return undefined;
  const health = new ExportHealth(warner);
  try {
    active = startUnsafe(options, config, env, warner, health);
    return active;
  } catch (error) {
    warner.warn(
      'start-failed',
      `could not start, the app runs without instrumentation: ${(error as Error).stack ?? error}`,
    );
    return undefined;
  }
}

function startUnsafe(
  options: StartOptions,
  config: KitConfig,
  env: Env,
  warner: Warner,
  health: ExportHealth,
): LgtmApm {
  diag.setLogger(health.diagLogger(LOG_LEVELS[config.logLevel] >= DiagLogLevel.INFO), {
    logLevel: LOG_LEVELS[config.logLevel],
    suppressOverrideMessage: true,
  });
  setGlobalErrorHandler((error) => health.recordExportError(error));

  // Stable HTTP and database conventions give Tempo server.address and db.system.name, which name the
  // nodes of its service graph. Instrumentations read this variable when they are constructed.
  if (!env.OTEL_SEMCONV_STABILITY_OPT_IN) process.env.OTEL_SEMCONV_STABILITY_OPT_IN = 'http,database';

  const resource = buildResource({
    detectors: config.resourceDetectors,
    extraDetectors: options.resourceDetectors,
    attributes: options.resourceAttributes,
    serviceName: options.serviceName,
    mainScript: process.argv[1],
    nodeEnv: env.NODE_ENV,
    commandArgs: config.resourceCommandArgs,
    envAttributes: config.resourceAttributes,
  });
  // Settle the asynchronous detectors (host id, container id) now rather than at the first export: until
  // then the batch processor parks every batch on a promise, and at process.exit() that one never runs.
  resource.waitForAsyncAttributes?.().catch(() => {});
  // The process's one export worker (started on first use, replaced after a shutdown stopped it).
  const exportHost = (): ExportWorkerHost => sharedExportWorkerHost(resource, config.exportWorkerNice);

  // Metrics and logs modules are required only when their signal is on (start-up cost when off is nil).
  const metricsPipeline: MetricsPipeline | undefined = config.metrics.exporters.length
    ? (require('../metrics/pipeline.ts') as typeof MetricsModule).startMetrics({
        config,
        resource,
        exportHost,
        health,
        warner,
        registries: options.promRegistries,
      })
    : undefined;
  const logsPipeline: LogsPipeline | undefined = config.logs.exporters.length
    ? (require('../logs/pipeline.ts') as typeof LogsModule).startLogs(config, exportHost(), health)
    : undefined;

  const spanProcessors: SpanProcessor[] = [];
  const exitFlushable: ExitHandOffParts['traces'] = [];
  if (options.traceExporter) {
    spanProcessors.push(new BatchSpanProcessor({ exporter: options.traceExporter, ...config.batch }));
  } else {
    for (const name of config.tracesExporters) {
      if (name === 'console')
        spanProcessors.push(new SimpleSpanProcessor({ exporter: createConsoleTraceExporter() }));
      else {
        const exporter = new WorkerSpanExporter(
          exportHost(),
          {
            traceProtocol: config.traceProtocol,
            tracesEndpointInvalid: config.tracesEndpointInvalid,
            exportTimeoutMs: config.exportTimeoutMs,
          },
          {
            onError: (error) => health.recordExportError(error),
            onLost: (count) => health.recordLostSpans(count),
            onDropped: (count) => health.recordDroppedSpans(count),
          },
          config.batch.maxQueueSize,
        );
        const processor = new BatchSpanProcessor({ exporter, ...config.batch });
        spanProcessors.push(processor);
        exitFlushable.push({ processor, exporter });
      }
    }
  }
  spanProcessors.push(...(options.spanProcessors ?? []));

  const tracingOn = spanProcessors.length > 0;
  const activeRequests =
    tracingOn && config.activeRequests.enabled
      ? new ActiveRequestsProcessor({
          config: config.activeRequests,
          warner,
          onStuck: logsPipeline
            ? (info) =>
                (require('../logs/pipeline.ts') as typeof LogsModule).emitStuckRequest(
                  logsPipeline.kitLogger,
                  info,
                  config.activeRequests.stuckRequestMs,
                )
            : undefined,
        })
      : undefined;
  if (activeRequests && metricsPipeline)
    activeRequests.observeWith(metricsPipeline.meterProvider.getMeter('@lgtm-apm/instrumentation', '0.1.0'));
  // The kit's own span work runs first (while spans are still writable), as one processor; the
  // exporting ones follow.
  if (tracingOn)
    spanProcessors.unshift(
      new KitSpanProcessor(
        [
          new ServiceGraphHintsProcessor({
            dbPeerService: config.dbPeerService,
            rootPeerService: config.rootPeerService,
          }),
          new RedactingSpanProcessor({
            sensitiveQueryParams: config.redactQueryParams,
            dbStatement: config.dbStatement,
          }),
        ],
        activeRequests,
      ),
    );
  const tracerProvider = tracingOn
    ? new TracerProvider({ resource, spanProcessors, sampler: options.sampler ?? buildSampler(config) })
    : undefined;

  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  const propagator = buildPropagator(config.propagators);
  if (propagator) propagation.setGlobalPropagator(propagator);
  if (tracerProvider) trace.setGlobalTracerProvider(tracerProvider);

  // pino: the kit's own hook (logs/pino-hook.ts) writes the trace ids into every line and, with logs on,
  // tees the lines to the export worker; the pino instrumentation's per-record mixin is not loaded.
  const pinoOn = config.enabledInstrumentations.includes('pino');
  const wanted = tracerProvider ? config.enabledInstrumentations : [];
  const selected = wanted.length
    ? selectInstrumentations(
        wanted,
        { ignorePaths: config.ignorePaths, httpHooks: config.httpHooks, expressLayers: config.expressLayers },
        warner,
      )
    : { instrumentations: [], loaded: [], moduleNames: [] };
  const instrumentations = [...selected.instrumentations, ...(options.instrumentations ?? [])];
  if (metricsPipeline) {
    instrumentations.push(metricsPipeline.hook);
    otelMetrics.setGlobalMeterProvider(metricsPipeline.meterProvider);
  }
  // OTEL_NODE_DISABLED_INSTRUMENTATIONS=pino still means no pino records are sent and no ids added.
  const pinoHook = !pinoOn
    ? undefined
    : (logsPipeline?.hook ??
      (tracerProvider
        ? new (require('../logs/pino-hook.ts') as typeof PinoHookModule).PinoLogHook(undefined)
        : undefined));
  if (pinoHook) instrumentations.push(pinoHook);
  const esmModuleNames = [
    ...selected.moduleNames,
    ...(metricsPipeline?.moduleNames ?? []),
    ...(pinoHook ? ['pino'] : []),
  ];
  if (options.esmHook !== false) {
    try {
      registerEsmHook(esmModuleNames, config.esmHook);
    } catch (error) {
      warner.warn('esm-hook', `ESM imports will not be instrumented: ${(error as Error).message}`);
    }
  }
  const unregister = registerInstrumentations({
    instrumentations,
    tracerProvider,
    meterProvider: metricsPipeline?.meterProvider,
  });

  let shutdownInTime: Promise<boolean> | undefined;
  /** The next exports are the last: short timeouts, and skipped when the backend already failed. */
  const prepareForExit = (): void => {
    // The app now waits for the export worker: it must not be starved by a busy machine.
    exportHost().expedite();
    for (const { exporter } of exitFlushable) exporter.prepareForShutdown();
    metricsPipeline?.prepareForShutdown();
  };
  const stopEverything = async (): Promise<void> => {
    removeSignalHandlers?.();
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('exit', onExit);
    unregister();
    prepareForExit();
    try {
      await tracerProvider?.shutdown();
    } catch (error) {
      health.recordExportError(error);
    }
    // After traces: ending spans can still write logs and metrics.
    await Promise.all([metricsPipeline?.shutdown(), logsPipeline?.shutdown()]);
    if (active === kit) active = undefined;
  };
  const shutdownWithin = (timeoutMs: number): Promise<boolean> => {
    if (!shutdownInTime) {
      health.beginShutdown();
      shutdownInTime = settlesWithin(stopEverything, timeoutMs).then((inTime) => {
        health.endShutdown(inTime ? undefined : timeoutMs);
        return inTime;
      });
    }
    return shutdownInTime;
  };
  const kit: LgtmApm = {
    config,
    tracerProvider,
    instrumentations: selected.loaded,
    health,
    metrics: metricsPipeline,
    logs: logsPipeline,
    activeRequests,
    forceFlush: async () => {
      await Promise.all([
        tracerProvider?.forceFlush().catch((e: unknown) => health.recordExportError(e)),
        metricsPipeline?.forceFlush(),
        logsPipeline?.forceFlush(),
      ]);
    },
    shutdown: async (options = {}) => {
      const requested = options.timeoutMs;
      const timeoutMs =
        typeof requested === 'number' && Number.isFinite(requested) && requested >= 0
          ? requested
          : config.shutdownTimeoutMs;
      await shutdownWithin(timeoutMs);
    },
  };
  // An app that simply runs out of work should still deliver its last spans.
  // Bounded: if the deadline passes while something of the kit's (a request to a backend that never
  // answers) still keeps the event loop alive, the process ends as it would have without the kit.
  const onBeforeExit = (): void =>
    void shutdownWithin(config.shutdownTimeoutMs).then((inTime) => {
      if (!inTime) process.exit();
    });
  process.once('beforeExit', onBeforeExit);
  // process.exit() skips beforeExit and leaves no turn for asynchronous export: what is queued is handed to
  // the export worker while this thread waits (bounded, and only when there is something to send).
  const onExit = (): void => {
    if (!shutdownInTime && config.exitFlush)
      handOffAtExit(
        { traces: exitFlushable, metrics: metricsPipeline, logs: logsPipeline },
        exportHost(),
        health,
        config.shutdownTimeoutMs,
      );
    // A signal's flush (the app's handler then called process.exit()) held its failures for this line.
    health.endShutdown(undefined);
  };
  process.once('exit', onExit);
  const removeSignalHandlers = config.handleSignals
    ? installSignalHandlers(
        {
          // The app owns the signal and may keep running (draining) for a while: flush what is queued, with
          // the final exporters' short timeouts, and keep the pipelines open for what it logs meanwhile.
          flush: () => {
            // The process is on its way out: failures now go into the one shutdown line.
            health.beginShutdown();
            prepareForExit();
            return kit.forceFlush();
          },
          shutdown: () => kit.shutdown(),
          abandon: (waitedMs) => health.endShutdown(waitedMs),
        },
        config.shutdownTimeoutMs,
      )
    : undefined;
  return kit;
}

export function shutdown(options?: ShutdownOptions): Promise<void> {
  return active?.shutdown(options) ?? Promise.resolve();
}

export function getActive(): LgtmApm | undefined {
  return active;
}
