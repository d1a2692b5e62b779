import { type Resource } from '@opentelemetry/resources';
import { type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { createExportChannel } from '../export/worker-export-channel.ts';
import { type WorkerChannelHandler } from '../export/worker-protocol.ts';
import { createOtlpMetricExporter, METRICS_TRANSPORT_MESSAGES } from './metric-exporter.ts';
import { MetricWireDecoder, type WireMetrics } from './metric-wire.ts';
import { type FromMetricsWorker, type ToMetricsWorker } from './worker-protocol.ts';

/**
 * The worker half of OTLP metric export (see worker-metric-exporter.ts): protobuf serialization and the
 * HTTP request run here (worker-export-channel.ts). A periodic export in flight is not waited for at the
 * end, only the last collection's: with an interval no longer than the timeout one is always in flight.
 */
export function createMetricsChannel(
  post: (message: FromMetricsWorker) => void,
  resource: Resource,
): WorkerChannelHandler<ToMetricsWorker> {
  const decoder = new MetricWireDecoder();
  return createExportChannel(post, {
    name: 'metrics',
    createExporter: createOtlpMetricExporter,
    transportMessages: METRICS_TRANSPORT_MESSAGES,
    // The resource stays behind on the app's side: the worker has the same attributes since it started.
    decode: (message: { metrics: WireMetrics }): ResourceMetrics => ({
      resource,
      scopeMetrics: decoder.decode(message.metrics),
    }),
    awaitBatchesInRequest: false,
  });
}
