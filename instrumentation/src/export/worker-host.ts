import { access, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Resource } from '@opentelemetry/resources';
import { type Attributes } from '@opentelemetry/api';
import { settledAttributes } from '../resource/settled-attributes.ts';
import { createExitSignal, waitForExitDone, type ExitReport } from './exit-signal.ts';
import { type ExportWorkerData, type FromWorker, type ToWorker } from './worker-protocol.ts';

export interface WorkerChannel {
  /** Every message from the worker for this channel. */
  onMessage(message: FromWorker): void;
  /** The worker could not start or died: the channel's data is gone from here on. */
  onFailed(error: Error): void;
}

/**
 * The one export thread of a process, shared by traces, logs and metrics (one isolate is ~20 MB of RSS). Started
 * on first use, never at preload time; unref'd, so it never keeps the process alive — `hold()` refs it
 * while someone waits for an answer (a flush at exit, an export in flight). Stopped when the last
 * channel detaches.
 */
export class ExportWorkerHost {
  readonly #resource: Resource;
  readonly #nice: number;
  readonly #workerPath: string;
  readonly #channels = new Map<string, WorkerChannel>();
  #worker: Worker | undefined;
  #starting: Promise<Worker | undefined> | undefined;
  #failed: Error | undefined;
  #holds = 0;
  #expedite = false;
  /** Posted before the worker existed; sent in order once it runs. */
  #early: ToWorker[] = [];

  /**
   * `nice`: the worker's nice value while the app runs (the config's LGTM_APM_EXPORT_WORKER_NICE). 0 by
   * default: an export worker at the lowest priority (19) got no CPU at all beside two busy processes (1.4 %
   * of a core by the scheduler's weights), so nothing was exported, on a busy host, exactly when traces are
   * wanted.
   */
  constructor(resource: Resource, nice: number, workerPath = join(__dirname, 'export-worker.cjs')) {
    this.#resource = resource;
    this.#nice = nice;
    this.#workerPath = workerPath;
  }

  attach(name: string, channel: WorkerChannel): void {
    this.#channels.set(name, channel);
  }

  /** True once the worker is known not to run: callers count their data as lost instead of queueing. */
  get failed(): boolean {
    return this.#failed !== undefined;
  }

  /** Queues the message for the worker, starting it if needed. Throws what structured cloning throws. */
  post(message: ToWorker): void {
    if (this.#failed) return;
    if (this.#worker) {
      this.#worker.postMessage(message);
      return;
    }
    // Cloned now, as postMessage would, so a message that cannot be sent fails at the caller.
    this.#early.push(structuredClone(message));
    void this.#start();
  }

  /**
   * The process is ending and will wait for the worker: it goes back to the app's CPU priority (where the
   * OS permits), so a machine kept busy by others cannot starve the last exports.
   */
  expedite(): void {
    if (this.#expedite) return;
    this.#expedite = true;
    this.#worker?.postMessage({ channel: 'control', t: 'expedite' } satisfies ToWorker);
  }

  /** Refs the worker until the returned function is called (idempotent). */
  hold(): () => void {
    this.#holds++;
    this.#worker?.ref();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      if (!this.#holds) this.#worker?.unref();
    };
  }

  /** Resolves once the worker runs (undefined if it cannot); used to wait through start-up. */
  ready(): Promise<Worker | undefined> {
    if (this.#worker || this.#failed) return Promise.resolve(this.#worker);
    return this.#start();
  }

  async detach(name: string): Promise<void> {
    this.#channels.delete(name);
    if (this.#channels.size) return;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failed ??= new Error('the export worker was stopped');
    await worker?.terminate().catch(() => {});
  }

  #start(): Promise<Worker | undefined> {
    this.#starting ??= (async () => {
      // Async resource attributes (e.g. the container id) must be settled before they are cloned.
      if (this.#resource.asyncAttributesPending)
        await this.#resource.waitForAsyncAttributes?.().catch(() => {});
      // An asynchronous fs call from this thread first: it checks the bundle is there, and it makes libuv
      // create its thread pool now, from the app's thread, so the pool does not inherit the worker's lowered
      // priority (worker.ts) when the worker's first DNS lookup would otherwise create it.
      const missing = await new Promise<Error | null>((resolve) => access(this.#workerPath, resolve));
      // Started meanwhile by the exit hand-off (startNow), or stopped.
      if (this.#worker || this.#failed) return this.#worker;
      if (missing) {
        this.#fail(new Error(`${this.#workerPath} is missing: ${missing.message}`));
        return undefined;
      }
      return this.#create(this.#resource.attributes);
    })();
    return this.#starting;
  }

  /**
   * Starts the worker synchronously: process.exit() leaves no turn of the event loop for the asynchronous
   * start. Attributes still being detected are left out (the getter would complain).
   */
  #startNow(): Worker | undefined {
    if (this.#worker || this.#failed) return this.#worker;
    if (!existsSync(this.#workerPath)) {
      this.#fail(new Error(`${this.#workerPath} is missing`));
      return undefined;
    }
    this.#expedite = true;
    return this.#create(settledAttributes(this.#resource));
  }

  #create(resourceAttributes: Attributes): Worker | undefined {
    const data: ExportWorkerData = { resourceAttributes, expedite: this.#expedite, nice: this.#nice };
    let worker: Worker;
    try {
      worker = new Worker(this.#workerPath, {
        workerData: data,
        // Preloads reach workers through execArgv and NODE_OPTIONS: the kit must not start a second
        // copy of itself (or the app's --import/--require hooks) in its own export thread.
        execArgv: [],
        env: { ...process.env, OTEL_SDK_DISABLED: 'true' },
        // The worker's console (the console exporters) goes to the process's own streams.
        stdout: false,
        stderr: false,
      });
    } catch (error) {
      this.#fail(error as Error);
      return undefined;
    }
    worker.on('message', (message: FromWorker) => this.#channels.get(message.channel)?.onMessage(message));
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (this.#worker === worker) this.#fail(new Error(`the export worker exited with code ${code}`));
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    if (!this.#holds) worker.unref();
    this.#worker = worker;
    const early = this.#early;
    this.#early = [];
    for (const message of early) worker.postMessage(message);
    return worker;
  }

  /**
   * The process is exiting (process.exit()) and the channels have posted what they hold: the worker exports
   * it while this thread blocks, at most `timeoutMs`. Returns the worker's report of what failed, or
   * `undefined` if the deadline came first (or the worker could not run), in which case `reason` says why.
   */
  flushAtExit(timeoutMs: number): { report: ExitReport } | { reason: string; timedOut?: true } {
    const worker = this.#startNow();
    if (!worker) return { reason: this.#failed?.message ?? 'the export worker is not running' };
    const done = createExitSignal();
    try {
      worker.postMessage({ channel: 'exit', t: 'exit', done } satisfies ToWorker);
    } catch (error) {
      return { reason: (error as Error).message };
    }
    const report = waitForExitDone(done, timeoutMs);
    return report ? { report } : { reason: `not done within ${timeoutMs} ms`, timedOut: true };
  }

  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = error;
    this.#worker = undefined;
    this.#early = [];
    for (const channel of this.#channels.values()) channel.onFailed(error);
  }
}

/**
 * One host per process, created by whichever signal asks first, with that start()'s resource and nice value.
 * Replaced after it was stopped (a new start() after shutdown()).
 */
let shared: ExportWorkerHost | undefined;

export function sharedExportWorkerHost(resource: Resource, nice: number): ExportWorkerHost {
  if (!shared || shared.failed) shared = new ExportWorkerHost(resource, nice);
  return shared;
}
