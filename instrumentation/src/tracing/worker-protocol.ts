import { type KitConfig } from '../config/config.ts';
import { type WireSpans } from './span-wire.ts';

/** What the worker needs to build the trace exporter (the rest of KitConfig stays on the main thread). */
export type TracesWorkerConfig = Pick<
  KitConfig,
  'traceProtocol' | 'tracesEndpointInvalid' | 'exportTimeoutMs'
>;

export type ToTracesWorker =
  | { t: 'init'; config: TracesWorkerConfig }
  | { t: 'export'; id: number; spans: WireSpans }
  /** The next exports are the last ones (short timeout, skipped if the previous one failed). */
  | { t: 'final' }
  /** Answered once every batch sent so far is answered (the caller's deadline bounds the wait). */
  | { t: 'shutdown'; id: number };

export type FromTracesWorker =
  /** One batch's outcome; `error` set when the backend did not take it. */
  { t: 'result'; id: number; error?: string } | { t: 'flushed'; id: number };
