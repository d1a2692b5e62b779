import { type Resource } from '@opentelemetry/resources';
import {
  MeterProvider,
  PeriodicExportingMetricReader,
  type IMetricReader,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import { type KitConfig } from '../config/config.ts';
import { type ExportHealth } from '../diagnostics/export-health.ts';
import { type Warner } from '../diagnostics/warner.ts';
import { AppPromClientHook } from './app-prom-client.ts';
import { createConsoleMetricExporter, LazyMetricExporter } from './metric-exporter.ts';
import { BRIDGE_SCOPE, PromClientMetricProducer, type PromRegistryLike } from './prom-client-producer.ts';
import { createPrometheusEndpoint } from './prometheus-endpoint.ts';
import { collectSdkMetricsNow } from './collect-now.ts';
import { type ExportWorkerHost } from '../export/worker-host.ts';
import { WorkerMetricExporter } from './worker-metric-exporter.ts';
import { createRuntimeRegistry } from './runtime-metrics.ts';

export interface MetricsPipelineOptions {
  config: KitConfig;
  resource: Resource;
  /** The process's export worker, asked for only when an OTLP exporter needs it. */
  exportHost(): ExportWorkerHost;
  health: ExportHealth;
  warner: Warner;
  /** prom-client registries from start({ promRegistries }); the app's default register is found by itself. */
  registries?: readonly PromRegistryLike[];
}

export interface MetricsPipeline {
  meterProvider: MeterProvider;
  producer: PromClientMetricProducer;
  /** Hooks prom-client when the app loads it (to pass to registerInstrumentations). */
  hook: AppPromClientHook;
  /** Package names for the ESM loader hook. */
  moduleNames: string[];
  forceFlush(): Promise<void>;
  /** The next exports are the last ones (short timeout, skipped if the previous one failed). */
  prepareForShutdown(): void;
  /**
   * process.exit(): collects the current values synchronously and posts them to the export worker (the
   * caller then waits for it). Returns whether anything was posted.
   */
  handOffAtExit(): boolean;
  shutdown(): Promise<void>;
}

/**
 * MeterProvider with the OTLP push reader (Mimir) and, when asked for, the Prometheus pull endpoint; both
 * read the OTel instruments (HTTP durations, active requests) and the bridged prom-client registries.
 */
export function startMetrics(options: MetricsPipelineOptions): MetricsPipeline {
  const { config, resource, health, warner } = options;
  const producer = new PromClientMetricProducer(resource, (error) =>
    health.recordSignalExportError('metrics', error),
  );
  for (const registry of options.registries ?? []) producer.addAppRegistry(registry);
  const hook = new AppPromClientHook((registry) => producer.addAppRegistry(registry));

  const readers: IMetricReader[] = [];
  const pushExporters: Array<LazyMetricExporter | WorkerMetricExporter> = [];
  const workerReaders: Array<{ reader: PeriodicExportingMetricReader; exporter: WorkerMetricExporter }> = [];
  for (const name of config.metrics.exporters) {
    if (name === 'prometheus') {
      const endpoint = createPrometheusEndpoint(config.metrics, producer, warner);
      if (endpoint) readers.push(endpoint as MetricReader);
      continue;
    }
    const onError = (error: unknown) => health.recordSignalExportError('metrics', error);
    // OTLP: serialization and HTTP on the export worker (the main thread only collects); console stays here.
    const exporter =
      name === 'console'
        ? new LazyMetricExporter(() => createConsoleMetricExporter(), onError)
        : new WorkerMetricExporter(options.exportHost(), config.metrics, onError);
    pushExporters.push(exporter);
    const reader = new PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: config.metrics.exportIntervalMs,
      exportTimeoutMillis: config.metrics.exportTimeoutMs,
      metricProducers: [producer],
    });
    readers.push(reader);
    if (exporter instanceof WorkerMetricExporter) workerReaders.push({ reader, exporter });
  }
  const meterProvider = new MeterProvider({ resource, readers });

  if (config.metrics.runtimeMetrics) {
    // After the app's synchronous start-up: requiring prom-client and starting its observers is not
    // free, and nothing is exported before the first interval anyway.
    const timer = setImmediate(() => {
      try {
        producer.setKitRegistry(createRuntimeRegistry(config.metrics.eventLoopResolutionMs));
      } catch (error) {
        warner.warn(
          'runtime-metrics',
          `Node.js runtime metrics are unavailable: ${(error as Error).message}`,
        );
      }
    });
    timer.unref();
  }

  return {
    meterProvider,
    producer,
    hook,
    moduleNames: ['prom-client'],
    forceFlush: () =>
      meterProvider.forceFlush().catch((e: unknown) => health.recordSignalExportError('metrics', e)),
    prepareForShutdown: () => {
      for (const exporter of pushExporters) exporter.prepareForShutdown();
    },
    handOffAtExit: () => {
      let posted = false;
      for (const { reader, exporter } of workerReaders) {
        exporter.prepareForShutdown();
        try {
          const promMetrics = producer.collectNow();
          const scopeMetrics = [
            ...collectSdkMetricsNow(reader),
            ...(promMetrics.length ? [{ scope: BRIDGE_SCOPE, metrics: promMetrics }] : []),
          ];
          if (!scopeMetrics.length) continue;
          exporter.export({ resource, scopeMetrics }, () => {});
          posted = true;
        } catch (error) {
          health.recordSignalExportError('metrics', error);
        }
      }
      return posted;
    },
    shutdown: () => {
      for (const exporter of pushExporters) exporter.prepareForShutdown();
      return meterProvider.shutdown().catch((e: unknown) => health.recordSignalExportError('metrics', e));
    },
  };
}
