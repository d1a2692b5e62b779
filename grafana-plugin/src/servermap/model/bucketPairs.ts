import { type Buckets } from './histogram';

/**
 * A link's or node's histogram buckets as the map hands them out (`TrafficStats.buckets`): upper bound in
 * seconds and cumulative count, interleaved, `[le0, count0, le1, count1, …]`, sorted by bound, last bound +Inf.
 * An array per pair was ~280,000 arrays at 20,000 links, all alive when the panel rebuilt the map from the map
 * worker's reply: one young-generation GC of 60–70 ms on the main thread. One view per record, no copy when
 * rebuilt from the reply (a view into its buffer).
 */
export type BucketPairs = Float64Array;

/** Doubles per shared buffer: small views come out of one buffer instead of one buffer (and allocation) each. */
const CHUNK = 8192;
let chunk = new Float64Array(CHUNK);
let used = 0;

/** The buckets packed: a view of its own length into a shared buffer (never transfer its `.buffer`). */
export function packBuckets(b: Buckets): BucketPairs {
  const n = b.length * 2;
  if (used + n > chunk.length) {
    chunk = new Float64Array(Math.max(CHUNK, n));
    used = 0;
  }
  const out = chunk.subarray(used, used + n);
  used += n;
  for (let i = 0; i < b.length; i++) {
    out[i * 2] = b[i]![0];
    out[i * 2 + 1] = b[i]![1];
  }
  return out;
}

/** The pairs again, one array each (for readers that want them; tests). */
export function bucketPairsOf(p: ArrayLike<number>): Array<[number, number]> {
  const out: Array<[number, number]> = new Array(p.length >> 1);
  for (let i = 0; i < out.length; i++) {
    out[i] = [p[i * 2]!, p[i * 2 + 1]!];
  }
  return out;
}
