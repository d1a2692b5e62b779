import { type KitConfig } from '../config/config.ts';
import { type ExportChannelMessages } from '../export/worker-protocol.ts';
import { type WireSpans } from './span-wire.ts';

/** What the worker needs to build the trace exporter (the rest of KitConfig stays on the main thread). */
export type TracesWorkerConfig = Pick<
  KitConfig,
  'traceProtocol' | 'tracesEndpointInvalid' | 'exportTimeoutMs'
>;

/** Each export carries one batch of spans, as span-wire.ts writes them. */
type TracesChannel = ExportChannelMessages<TracesWorkerConfig, { spans: WireSpans }>;

export type ToTracesWorker = TracesChannel['toWorker'];
export type FromTracesWorker = TracesChannel['fromWorker'];
