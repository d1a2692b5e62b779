import { type LogsConfig } from '../config/signals-config.ts';
import { type ExportWorkerHost } from '../export/worker-host.ts';
import { WorkerChannel } from '../export/worker-channel.ts';
import { type FromLogsWorker } from './worker-protocol.ts';
import { type PinoLoggerSpec } from './pino-record.ts';
import { type ApiLogRecord, type ToLogsWorker } from './worker-protocol.ts';

export interface LogWorkerEvents {
  onDropped(count: number, reason: string): void;
  onLost(count: number, error: Error): void;
  onExportError(error: Error): void;
  /** The worker could not start or died: logs are off from here on (stdout is unaffected). */
  onWorkerFailed(error: Error): void;
}

export interface LogWorkerClientOptions {
  config: LogsConfig;
  host: ExportWorkerHost;
  events: LogWorkerEvents;
  /** Longest a flush or shutdown waits for the worker before giving up on it. */
  flushTimeoutMs: number;
}

/** Lines wait at most this long on the main thread before they are posted to the worker. */
const POST_DELAY_MS = 50;
/**
 * …or until this many are waiting: one postMessage carries them all. Each message (and the worker's answer)
 * costs both threads a wake-up, ≈ 0.1 ms of CPU on a busy 2-core VM: 256 meant 78 of them a second at
 * 20,000 records/s, and 0.6–3.6 µs more CPU per record over all threads in paired rounds of the pino benchmark.
 */
const POST_BATCH = 1024;

/**
 * The main-thread half of log sending. Per record it only appends the serialized line (and two numbers) to
 * an array; batches are posted to the export worker (../export/worker-host.ts), which parses, correlates,
 * redacts, batches and exports them (worker-main.ts). So the app pays for a push and, every POST_BATCH
 * records, one postMessage.
 *
 * - Memory: lines waiting here plus lines posted but not yet taken by the worker never exceed
 *   OTEL_BLRP_MAX_QUEUE_SIZE; beyond that records are dropped and counted (the worker bounds its own queue
 *   the same way and reports its drops here).
 * - Start-up: the worker is started on the first record, not at preload time.
 * - Exit: the worker never keeps the process alive; flush() and shutdown() hold it until it has answered
 *   (bounded by flushTimeoutMs), so records logged just before a natural exit or a signal still leave.
 */
export class LogWorkerClient {
  readonly #options: LogWorkerClientOptions;
  readonly #channel: WorkerChannel<'logs'>;
  readonly #maxQueued: number;
  #failed = false;
  #closed = false;
  #lines: string[] = [];
  #meta: number[] = [];
  #api: ApiLogRecord[] = [];
  #newLoggers: Array<[number, PinoLoggerSpec]> = [];
  #inFlight = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #nextLoggerId = 1;

  constructor(options: LogWorkerClientOptions) {
    this.#options = options;
    this.#maxQueued = options.config.batch.maxQueueSize;
    this.#channel = new WorkerChannel(options.host, 'logs', {
      init: { t: 'init', config: options.config },
      onEvent: (message) => this.#onEvent(message),
      onFailed: (error) => this.#fail(error),
    });
  }

  /** A pino logger's settings, sent to the worker with the next batch; returns the id its lines carry. */
  registerLogger(spec: PinoLoggerSpec): number {
    const id = this.#nextLoggerId++;
    this.#newLoggers.push([id, spec]);
    return id;
  }

  /** Hot path: called for every pino line. */
  pushLine(loggerId: number, level: number, line: string): void {
    if (!this.#admit()) return;
    this.#lines.push(line);
    this.#meta.push(loggerId, level);
    if (this.#lines.length >= POST_BATCH) this.#post();
    else this.#schedule();
  }

  pushApiRecord(record: ApiLogRecord): void {
    if (!this.#admit()) return;
    this.#api.push(record);
    this.#schedule();
  }

  /** Everything pushed so far is exported (or counted as lost) when this resolves. */
  flush(): Promise<void> {
    return this.#request('flush');
  }

  /** Flushes with the short final-export timeout, then lets the worker go. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    await this.#request('shutdown');
    this.#closed = true;
    await this.#channel.detach();
  }

  /**
   * process.exit(): posts the lines still waiting here (the caller then waits for the worker). Returns
   * whether the worker has records of this process to export.
   */
  handOffAtExit(): boolean {
    if (this.#closed || this.#failed) return false;
    this.#post();
    return this.#channel.used;
  }

  /**
   * Whether one more record may wait here: not once logs are off, nor beyond OTEL_BLRP_MAX_QUEUE_SIZE records
   * waiting here or posted and not yet taken by the worker (then it is counted as dropped).
   */
  #admit(): boolean {
    if (this.#failed || this.#closed) return false;
    if (this.#lines.length + this.#api.length + this.#inFlight < this.#maxQueued) return true;
    this.#dropped++;
    this.#schedule();
    return false;
  }

  #send(message: ToLogsWorker): void {
    this.#channel.post(message);
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#post();
    }, POST_DELAY_MS);
    this.#timer.unref();
  }

  #post(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#dropped) {
      const dropped = this.#dropped;
      this.#dropped = 0;
      this.#options.events.onDropped(
        dropped,
        `the export queue is full (OTEL_BLRP_MAX_QUEUE_SIZE=${this.#maxQueued}); the logs backend is slow or unreachable`,
      );
    }
    if (!this.#lines.length && !this.#api.length) return;
    const message: ToLogsWorker = {
      t: 'batch',
      loggers: this.#newLoggers,
      lines: this.#lines,
      meta: this.#meta,
      api: this.#api,
    };
    const count = this.#lines.length + this.#api.length;
    this.#newLoggers = [];
    this.#lines = [];
    this.#meta = [];
    this.#api = [];
    try {
      this.#send(message);
      this.#inFlight += count;
    } catch (error) {
      // Only API records can hold what structured cloning refuses (a function, a symbol in attributes):
      // those are counted as lost, the pino lines still go.
      this.#options.events.onLost(message.api.length, error as Error);
      try {
        this.#send({ ...message, api: [] });
        this.#inFlight += message.lines.length;
      } catch (again) {
        this.#options.events.onLost(message.lines.length, again as Error);
      }
    }
  }

  #onEvent(message: FromLogsWorker): void {
    const { events } = this.#options;
    switch (message.t) {
      case 'ack':
        this.#inFlight = Math.max(0, this.#inFlight - message.count);
        return;
      case 'dropped':
        events.onDropped(message.count, message.reason);
        return;
      case 'lost':
        events.onLost(message.count, new Error(message.error));
        return;
      case 'error':
        events.onExportError(new Error(message.error));
        return;
    }
  }

  #fail(error: Error): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    const lost = this.#lines.length + this.#api.length + this.#inFlight;
    this.#lines = [];
    this.#meta = [];
    this.#api = [];
    this.#inFlight = 0;
    this.#options.events.onWorkerFailed(error);
    if (lost) this.#options.events.onLost(lost, error);
  }

  async #request(kind: 'flush' | 'shutdown'): Promise<void> {
    if (this.#closed || this.#failed) return;
    if (!this.#channel.used && !this.#lines.length && !this.#api.length && !this.#dropped) return; // nothing ever logged
    this.#post();
    await this.#channel.request((id) => ({ t: kind, id }), {
      hold: true,
      timeoutMs: this.#options.flushTimeoutMs,
    });
  }
}
