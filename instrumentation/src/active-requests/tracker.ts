/**
 * In-flight request bookkeeping behind Pinpoint's "active requests by age" bar.
 *
 * Start and end are O(1) Map operations. Requests enter `#young` in start order, so stuck detection walks
 * only from the oldest end and stops at the first request that is not stuck yet; a stuck request moves to
 * `#stuck` and is reported exactly once. Memory is bounded by `maxTracked`: beyond it requests are only
 * counted (their age is unknown), never stored.
 */
export interface AgeBucket {
  /** Label value, e.g. "1s", "3s", "5s", "slow". */
  label: string;
  count: number;
}

export interface StuckRequest<K> {
  key: K;
  elapsedMs: number;
}

export function ageLabels(thresholdsMs: readonly number[]): string[] {
  return [...thresholdsMs.map((ms) => `${ms / 1000}s`), 'slow'];
}

export class ActiveRequestTracker<K> {
  readonly #young = new Map<K, number>();
  readonly #stuck = new Map<K, number>();
  readonly #maxTracked: number;
  readonly #thresholdsMs: readonly number[];
  readonly #labels: string[];
  /** In flight but not stored because `maxTracked` was reached. */
  untracked = 0;
  /** Requests ever refused because of the bound (for the one-per-minute warning). */
  overflowTotal = 0;

  constructor(thresholdsMs: readonly number[], maxTracked: number) {
    this.#thresholdsMs = thresholdsMs;
    this.#maxTracked = maxTracked;
    this.#labels = ageLabels(thresholdsMs);
  }

  get size(): number {
    return this.#young.size + this.#stuck.size;
  }

  /** Returns false when the request could not be tracked (bound reached). */
  start(key: K, nowMs: number): boolean {
    if (this.size >= this.#maxTracked) {
      this.untracked += 1;
      this.overflowTotal += 1;
      return false;
    }
    this.#young.set(key, nowMs);
    return true;
  }

  end(key: K): void {
    if (this.#young.delete(key) || this.#stuck.delete(key)) return;
    if (this.untracked > 0) this.untracked -= 1;
  }

  /** Requests that just crossed `stuckMs`, each returned once in its lifetime. */
  takeNewlyStuck(nowMs: number, stuckMs: number): StuckRequest<K>[] {
    const out: StuckRequest<K>[] = [];
    for (const [key, startMs] of this.#young) {
      const elapsedMs = nowMs - startMs;
      if (elapsedMs < stuckMs) break;
      this.#young.delete(key);
      this.#stuck.set(key, startMs);
      out.push({ key, elapsedMs });
    }
    return out;
  }

  /** Counts per age bucket, every bucket present (zeros included) so the series never disappear. */
  countByAge(nowMs: number): AgeBucket[] {
    const counts = new Array<number>(this.#labels.length).fill(0);
    const last = this.#thresholdsMs.length;
    const add = (startMs: number): void => {
      const age = nowMs - startMs;
      let i = 0;
      while (i < last && age >= this.#thresholdsMs[i]!) i++;
      counts[i]! += 1;
    };
    for (const startMs of this.#young.values()) add(startMs);
    for (const startMs of this.#stuck.values()) add(startMs);
    return this.#labels.map((label, i) => ({ label, count: counts[i]! }));
  }
}
