import { type ExportWorkerHost } from './worker-host.ts';
import { type ChannelName, type FromWorker, type ToWorker } from './worker-protocol.ts';

type Of<Union, Name> = Union extends { channel: Name } ? Omit<Union, 'channel'> : never;
type Outgoing<Name extends ChannelName> = Of<ToWorker, Name>;
type Incoming<Name extends ChannelName> = Of<FromWorker, Name>;

export interface WorkerChannelOptions<Name extends ChannelName> {
  /** The channel's settings, sent before its first message (so an unused signal costs the worker nothing). */
  init: Outgoing<Name>;
  /** Messages that answer no request (drops, losses, errors reported by the worker). */
  onEvent?(message: Incoming<Name>): void;
  /** The worker could not start or died; every pending request has been answered with `undefined`. */
  onFailed(error: Error): void;
}

/**
 * The main-thread end of one signal's channel on the export worker: the request/response plumbing the
 * traces, metrics and logs clients share. A request is a message carrying an `id`; the worker's message with
 * the same `id` answers it. Requests are answered with `undefined` when the worker stops, and never hold the
 * process open unless asked to (`hold`).
 */
export class WorkerChannel<Name extends ChannelName> {
  readonly #name: Name;
  readonly #host: ExportWorkerHost;
  readonly #options: WorkerChannelOptions<Name>;
  readonly #pending = new Map<number, (reply: Incoming<Name> | undefined) => void>();
  #initialized = false;
  #nextId = 1;

  constructor(host: ExportWorkerHost, name: Name, options: WorkerChannelOptions<Name>) {
    this.#host = host;
    this.#name = name;
    this.#options = options;
    host.attach(name, {
      onMessage: (message) => this.#onMessage(message),
      onFailed: (error) => {
        this.#answerAll();
        options.onFailed(error);
      },
    });
  }

  get host(): ExportWorkerHost {
    return this.#host;
  }

  /** True once anything was sent: a channel never used has nothing to flush. */
  get used(): boolean {
    return this.#initialized;
  }

  get failed(): boolean {
    return this.#host.failed;
  }

  /** Sends a message (the channel's settings first). Throws what structured cloning throws. */
  post(message: Outgoing<Name>): void {
    if (!this.#initialized) {
      this.#initialized = true;
      this.#host.post({ channel: this.#name, ...this.#options.init } as ToWorker);
    }
    this.#host.post({ channel: this.#name, ...message } as ToWorker);
  }

  /**
   * Sends `build(id)` and resolves with the worker's answer, or `undefined` when the worker stops, the
   * message cannot be sent, or `timeoutMs` passes first. With `hold`, the process stays alive until then.
   */
  request(
    build: (id: number) => Outgoing<Name>,
    options: { hold?: boolean; timeoutMs?: number } = {},
  ): Promise<Incoming<Name> | undefined> {
    if (this.#host.failed) return Promise.resolve(undefined);
    const id = this.#nextId++;
    const release = options.hold ? this.#host.hold() : undefined;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const answer = (reply: Incoming<Name> | undefined): void => {
        if (timer) clearTimeout(timer);
        this.#pending.delete(id);
        release?.();
        resolve(reply);
      };
      this.#pending.set(id, answer);
      if (options.timeoutMs !== undefined) timer = setTimeout(() => answer(undefined), options.timeoutMs);
      try {
        this.post(build(id));
      } catch {
        answer(undefined);
      }
    });
  }

  /** Answers every open request with `undefined` (the channel is closing and will not wait for them). */
  #answerAll(): void {
    for (const answer of [...this.#pending.values()]) answer(undefined);
  }

  async detach(): Promise<void> {
    this.#answerAll();
    await this.#host.detach(this.#name);
  }

  #onMessage(message: FromWorker): void {
    if (message.channel !== this.#name) return;
    const reply = message as unknown as Incoming<Name> & { id?: number };
    const answer = reply.id !== undefined ? this.#pending.get(reply.id) : undefined;
    if (answer) answer(reply);
    else this.#options.onEvent?.(reply);
  }
}
