import { type Attributes } from '@opentelemetry/api';
import { type FromLogsWorker, type ToLogsWorker } from '../logs/worker-protocol.ts';
import { type FromMetricsWorker, type ToMetricsWorker } from '../metrics/worker-protocol.ts';
import { type FromTracesWorker, type ToTracesWorker } from '../tracing/worker-protocol.ts';

/** What the export worker starts with (workerData); each channel sends its own settings first. */
export interface ExportWorkerData {
  resourceAttributes: Attributes;
  /** Started while the process is ending: stay at the app's CPU priority (see ExpediteMessage). */
  expedite: boolean;
  /** Nice value of the worker's thread while the app runs (0: the app's own priority). */
  nice: number;
}

export type ChannelName = 'logs' | 'metrics' | 'traces';

/**
 * The process is exiting (process.exit()): every channel exports what it was handed with its final exporter,
 * then the worker writes the outcome into `done` and wakes the main thread, which waits on it with
 * Atomics.wait (exit-signal.ts).
 */
export interface ExitMessage {
  channel: 'exit';
  t: 'exit';
  done: SharedArrayBuffer;
}

/**
 * The process is ending (shutdown, a signal, a natural exit): the worker leaves the lowest CPU priority it
 * runs at, because the app now waits for it. Handled as it arrives, ahead of the queued work.
 */
export interface ExpediteMessage {
  channel: 'control';
  t: 'expedite';
}

export type ToWorker =
  | ({ channel: 'logs' } & ToLogsWorker)
  | ({ channel: 'metrics' } & ToMetricsWorker)
  | ({ channel: 'traces' } & ToTracesWorker)
  | ExitMessage
  | ExpediteMessage;
export type FromWorker =
  | ({ channel: 'logs' } & FromLogsWorker)
  | ({ channel: 'metrics' } & FromMetricsWorker)
  | ({ channel: 'traces' } & FromTracesWorker);

/** What every channel of the export worker gives worker.ts. */
export interface WorkerChannelHandler<To> {
  handle(message: To): void;
  /**
   * The process is exiting: export what was handed over with the final exporter; resolves when done, with
   * the failure to report (if any).
   */
  exit(): Promise<string | undefined>;
}
