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

/**
 * The messages of one channel: its settings before anything else (`init`), its own `Work`, and a `shutdown`
 * the worker answers with `flushed` once the channel's work is done. The signals differ only in `Config`,
 * `Work` and the other `Replies`.
 */
export interface ChannelMessages<Config, Work extends { t: string }, Replies extends { t: string }> {
  toWorker: { t: 'init'; config: Config } | Work | { t: 'shutdown'; id: number };
  fromWorker: Replies | { t: 'flushed'; id: number };
}

/**
 * A channel that exports batches (traces, metrics): each `export` carries one batch (`Payload`) and is
 * answered by its `result`, with `error` set when the backend did not take it; `final` says the next exports
 * are the process's last (short timeout, skipped if the previous one failed). The worker half is
 * worker-export-channel.ts.
 */
export type ExportChannelMessages<Config, Payload> = ChannelMessages<
  Config,
  ({ t: 'export'; id: number } & Payload) | { t: 'final' },
  { t: 'result'; id: number; error?: string }
>;

/** What every channel of the export worker gives worker.ts. */
export interface WorkerChannelHandler<To> {
  handle(message: To): void;
  /**
   * `handle(message)` threw: answer the message as lost (with `error`), so the main thread neither waits for
   * it nor keeps counting it as queued. The worker carries on with the next message.
   */
  failed(message: To, error: string): void;
  /**
   * The process is exiting: export what was handed over with the final exporter; resolves when done, with
   * the failure to report (if any).
   */
  exit(): Promise<string | undefined>;
}
