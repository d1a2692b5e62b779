/**
 * Everything the kit has to say goes to stderr through this one writer, so a broken backend can never
 * flood the host app's logs: each kind of message is printed at most once per interval, with the
 * number of repeats that were held back.
 */
export interface Warner {
  warn(kind: string, message: string): void;
}

export interface RateLimitedWarnerOptions {
  intervalMs?: number;
  write?: (line: string) => void;
  now?: () => number;
}

const PREFIX = '[lgtm-apm]';

export class RateLimitedWarner implements Warner {
  readonly #intervalMs: number;
  readonly #write: (line: string) => void;
  readonly #now: () => number;
  readonly #lastPrinted = new Map<string, number>();
  readonly #suppressed = new Map<string, number>();

  constructor(options: RateLimitedWarnerOptions = {}) {
    this.#intervalMs = options.intervalMs ?? 60_000;
    this.#write = options.write ?? ((line) => process.stderr.write(line + '\n'));
    this.#now = options.now ?? Date.now;
  }

  warn(kind: string, message: string): void {
    const now = this.#now();
    const last = this.#lastPrinted.get(kind);
    if (last !== undefined && now - last < this.#intervalMs) {
      this.#suppressed.set(kind, (this.#suppressed.get(kind) ?? 0) + 1);
      return;
    }
    const held = this.#suppressed.get(kind) ?? 0;
    this.#suppressed.delete(kind);
    this.#lastPrinted.set(kind, now);
    const suffix = held > 0 ? ` (${held} similar message${held === 1 ? '' : 's'} suppressed)` : '';
    try {
      this.#write(`${PREFIX} ${message}${suffix}`);
    } catch {
      // stderr closed or broken: nothing useful left to do, and the app must not pay for it.
    }
  }
}
