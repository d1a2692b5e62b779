import { type Resource } from '@opentelemetry/resources';
import { type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { type MetricsConfig } from '../config/signals-config.ts';
import { ShutdownAwareExporter } from '../export/shutdown-aware-exporter.ts';
import { type WorkerChannelHandler } from '../export/worker-protocol.ts';
import { createOtlpMetricExporter, METRICS_TRANSPORT_MESSAGES } from './metric-exporter.ts';
import { MetricWireDecoder } from './metric-wire.ts';
import { type FromMetricsWorker, type ToMetricsWorker } from './worker-protocol.ts';

/**
 * The worker half of OTLP metric export (see worker-metric-exporter.ts): protobuf serialization and the
 * HTTP request run here, through the same shutdown-aware transport as before (short timeout and no retry
 * for the exports made at exit, skipped when the previous one failed). Returns the channel's handler.
 */
export function createMetricsChannel(
  post: (message: FromMetricsWorker) => void,
  resource: Resource,
): WorkerChannelHandler<ToMetricsWorker> {
  let transport: ShutdownAwareExporter<ResourceMetrics> | undefined;
  let exitFailure: string | undefined;
  const decoder = new MetricWireDecoder();
  const handle = (message: ToMetricsWorker): void => {
    switch (message.t) {
      case 'init': {
        const config: MetricsConfig = message.config;
        transport = new ShutdownAwareExporter(
          (final) => createOtlpMetricExporter(config, final),
          METRICS_TRANSPORT_MESSAGES,
        );
        return;
      }
      case 'export': {
        const { id } = message;
        if (!transport) {
          post({ t: 'result', id, error: 'the metrics channel was not initialised' });
          return;
        }
        let scopeMetrics;
        try {
          scopeMetrics = decoder.decode(message.metrics);
        } catch (e) {
          post({ t: 'result', id, error: (e as Error).message });
          return;
        }
        let error: string | undefined;
        transport.send(
          { resource, scopeMetrics },
          (e) => (error = e instanceof Error ? e.message : String(e)),
          () => {
            if (error !== undefined) exitFailure = error;
            post(error === undefined ? { t: 'result', id } : { t: 'result', id, error });
          },
        );
        return;
      }
      case 'final':
        transport?.prepareForShutdown();
        return;
      case 'shutdown': {
        const { id } = message;
        void (transport?.shutdown() ?? Promise.resolve())
          .catch(() => {})
          .finally(() => post({ t: 'flushed', id }));
        return;
      }
    }
  };
  return {
    handle,
    async exit() {
      exitFailure = undefined;
      transport?.prepareForShutdown();
      await transport?.settled();
      return exitFailure;
    },
  };
}
