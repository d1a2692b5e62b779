import { createExportChannel } from '../export/worker-export-channel.ts';
import { type WorkerChannelHandler } from '../export/worker-protocol.ts';
import { fromWireSpans, type WireSpans } from './span-wire.ts';
import { createOtlpTraceExporter, TRACES_TRANSPORT_MESSAGES } from './trace-exporter.ts';
import { type FromTracesWorker, type ToTracesWorker } from './worker-protocol.ts';

/**
 * The worker half of trace export (see worker-span-exporter.ts): the batches arrive as plain data, become
 * spans again (span-wire.ts) and go out through the official OTLP exporter for the configured protocol
 * (worker-export-channel.ts). At the end every batch not answered yet is waited for, those still in a
 * request included: the app acknowledged them when it posted them, so they are the process's last spans.
 */
export function createTracesChannel(
  post: (message: FromTracesWorker) => void,
): WorkerChannelHandler<ToTracesWorker> {
  return createExportChannel(post, {
    name: 'traces',
    createExporter: createOtlpTraceExporter,
    transportMessages: TRACES_TRANSPORT_MESSAGES,
    decode: (message: { spans: WireSpans }) => fromWireSpans(message.spans),
    awaitBatchesInRequest: true,
  });
}
