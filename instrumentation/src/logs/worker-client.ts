import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Resource } from '@opentelemetry/resources';
import { type LogsConfig } from '../config/signals-config.ts';
import { type PinoLoggerSpec } from './pino-record.ts';
import {
  type ApiLogRecord,
  type FromLogsWorker,
  type LogsWorkerData,
  type ToLogsWorker,
} from './worker-protocol.ts';

export interface LogWorkerEvents {
  onDropped(count: number, reason: string): void;
  onLost(count: number, error: Error): void;
  onExportError(error: Error): void;
  /** The worker could not start or died: logs are off from here on (stdout is unaffected). */
  onWorkerFailed(error: Error): void;
}

export interface LogWorkerClientOptions {
  config: LogsConfig;
  resource: Resource;
  events: LogWorkerEvents;
  /** Longest a flush or shutdown waits for the worker before giving up on it. */
  flushTimeoutMs: number;
  /** Defaults to export-worker.cjs beside the bundle (dist/). */
  workerPath?: string;
}

/** Lines wait at most this long on the main thread before they are posted to the worker. */
const POST_DELAY_MS = 50;
/** …or until this many are waiting: one postMessage carries them all. */
const POST_BATCH = 256;

/**
 * The main-thread half of log sending. Per record it only appends the serialized line (and two numbers) to
 * an array; batches are posted to a worker thread, which parses, correlates, redacts, batches and exports
 * them (worker-main.ts). So the app pays for a push and, every POST_BATCH records, one postMessage.
 *
 * - Memory: lines waiting here plus lines posted but not yet taken by the worker never exceed
 *   OTEL_BLRP_MAX_QUEUE_SIZE; beyond that records are dropped and counted (the worker bounds its own queue
 *   the same way and reports its drops here).
 * - Start-up: the worker is started on the first record, not at preload time.
 * - Exit: the worker is unref'd, so it never keeps the process alive; flush() and shutdown() ref it until
 *   it has answered (bounded by flushTimeoutMs), so records logged just before a natural exit or a signal
 *   still leave.
 */
export class LogWorkerClient {
  readonly #options: LogWorkerClientOptions;
  readonly #maxQueued: number;
  #worker: Worker | undefined;
  #starting = false;
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
  #nextRequestId = 1;
  readonly #waiting = new Map<number, () => void>();

  constructor(options: LogWorkerClientOptions) {
    this.#options = options;
    this.#maxQueued = options.config.batch.maxQueueSize;
  }

  /** A pino logger's settings, sent to the worker with the next batch; returns the id its lines carry. */
  registerLogger(spec: PinoLoggerSpec): number {
    const id = this.#nextLoggerId++;
    this.#newLoggers.push([id, spec]);
    return id;
  }

  /** Hot path: called for every pino line. */
  pushLine(loggerId: number, level: number, line: string): void {
    if (this.#failed || this.#closed) return;
    if (this.#lines.length + this.#api.length + this.#inFlight >= this.#maxQueued) {
      this.#dropped++;
      this.#schedule();
      return;
    }
    this.#lines.push(line);
    this.#meta.push(loggerId, level);
    if (this.#lines.length >= POST_BATCH) this.#post();
    else this.#schedule();
  }

  pushApiRecord(record: ApiLogRecord): void {
    if (this.#failed || this.#closed) return;
    if (this.#lines.length + this.#api.length + this.#inFlight >= this.#maxQueued) {
      this.#dropped++;
      this.#schedule();
      return;
    }
    this.#api.push(record);
    this.#schedule();
  }

  /** Everything pushed so far is exported (or counted as lost) when this resolves. */
  flush(): Promise<void> {
    return this.#request('flush');
  }

  /** Flushes with the short final-export timeout, then stops the worker. */
  async shutdown(): Promise<void> {
    if (this.#closed) return;
    await this.#request('shutdown');
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate().catch(() => {});
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
    const worker = this.#ensureWorker();
    if (!worker) return; // still starting: the lines wait (bounded) and are posted once it runs
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
      worker.postMessage(message);
      this.#inFlight += count;
    } catch (error) {
      // Only API records can hold what structured cloning refuses (a function, a symbol in attributes):
      // those are counted as lost, the pino lines still go.
      this.#options.events.onLost(message.api.length, error as Error);
      try {
        worker.postMessage({ ...message, api: [] });
        this.#inFlight += message.lines.length;
      } catch (again) {
        this.#options.events.onLost(message.lines.length, again as Error);
      }
    }
  }

  #ensureWorker(): Worker | undefined {
    if (this.#worker || this.#failed) return this.#worker;
    if (this.#starting) return undefined;
    this.#starting = true;
    const { resource } = this.#options;
    // Async resource attributes (e.g. the container id) must be settled before they are cloned.
    const ready =
      resource.asyncAttributesPending && resource.waitForAsyncAttributes
        ? resource.waitForAsyncAttributes()
        : undefined;
    if (ready) {
      void ready.then(
        () => this.#start(),
        () => this.#start(),
      );
      return undefined;
    }
    return this.#start();
  }

  #start(): Worker | undefined {
    this.#starting = false;
    const data: LogsWorkerData = {
      kind: 'logs',
      config: this.#options.config,
      resourceAttributes: this.#options.resource.attributes,
    };
    let worker: Worker;
    try {
      worker = new Worker(this.#options.workerPath ?? join(__dirname, 'export-worker.cjs'), {
        workerData: data,
        // Preloads reach workers through execArgv and NODE_OPTIONS: the kit must not start a second copy
        // of itself (or the app's --import/--require hooks) in its own export thread.
        execArgv: [],
        env: { ...process.env, OTEL_SDK_DISABLED: 'true' },
        // The worker's console (the console exporter) goes to the process's own streams.
        stdout: false,
        stderr: false,
      });
    } catch (error) {
      this.#fail(error as Error);
      return undefined;
    }
    worker.on('message', (message: FromLogsWorker) => this.#onMessage(message));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (this.#worker === worker && !this.#closed)
        this.#fail(new Error(`the logs worker exited with code ${code}`));
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.#worker = worker;
    if (this.#lines.length || this.#api.length) queueMicrotask(() => this.#post());
    return worker;
  }

  #onMessage(message: FromLogsWorker): void {
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
      case 'flushed':
        this.#waiting.get(message.id)?.();
        this.#waiting.delete(message.id);
        return;
    }
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    const lost = this.#lines.length + this.#api.length + this.#inFlight;
    this.#lines = [];
    this.#meta = [];
    this.#api = [];
    this.#inFlight = 0;
    this.#worker = undefined;
    for (const resolve of this.#waiting.values()) resolve();
    this.#waiting.clear();
    this.#options.events.onWorkerFailed(error);
    if (lost) this.#options.events.onLost(lost, error);
  }

  #request(kind: 'flush' | 'shutdown'): Promise<void> {
    if (this.#closed || this.#failed) return Promise.resolve();
    this.#post();
    const worker = this.#worker;
    if (!worker) {
      // Nothing was ever logged (no worker), or it is still starting: then wait for it to come up.
      if (!this.#starting) return Promise.resolve();
      return new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#request(kind));
    }
    const id = this.#nextRequestId++;
    // Referenced while waiting: on beforeExit nothing else may keep the loop alive for the answer.
    worker.ref();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#options.flushTimeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#waiting.set(id, done);
      worker.postMessage({ t: kind, id } satisfies ToLogsWorker);
    }).finally(() => {
      this.#waiting.delete(id);
      if (!this.#waiting.size) worker.unref();
    });
  }
}
