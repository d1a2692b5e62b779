import { type PinpointHistogram } from './types';

/** Cumulative counts by upper bound (seconds), sorted ascending, last bound +Inf. */
export type Buckets = Array<[number, number]>;

/** Parses an `le` label value (`"0.1"`, `"+Inf"`, `"1e+00"`); NaN when unusable. */
export function parseLe(le: string): number {
  if (le === '+Inf' || le === 'Inf' || le === 'inf') {
    return Number.POSITIVE_INFINITY;
  }
  return Number(le);
}

/**
 * Sorts buckets, merges duplicate bounds and repairs non-monotonic counts (which `increase()` extrapolation and
 * scrape races produce) the way Prometheus' histogram_quantile does: a count never decreases with the bound.
 */
export function normaliseBuckets(raw: ReadonlyArray<readonly [number, number]>): Buckets | undefined {
  // Insertion into a sorted copy: a link has a handful of bounds and they usually arrive in order, so this is
  // about one comparison per bucket, without the filter copy and comparator calls of a sort (thousands of links).
  const out: Buckets = [];
  for (let k = 0; k < raw.length; k++) {
    const le = raw[k]![0];
    const count = raw[k]![1];
    if (Number.isNaN(le) || !Number.isFinite(count) || count < 0) {
      continue;
    }
    let i = out.length;
    while (i > 0 && out[i - 1]![0] > le) {
      i--;
    }
    if (i > 0 && out[i - 1]![0] === le) {
      out[i - 1]![1] += count;
    } else if (i === out.length) {
      out.push([le, count]);
    } else {
      out.splice(i, 0, [le, count]);
    }
  }
  let max = 0;
  for (let k = 0; k < out.length; k++) {
    max = Math.max(max, out[k]![1]);
    out[k]![1] = max;
  }
  if (out.length < 2 || out[out.length - 1]![0] !== Number.POSITIVE_INFINITY) {
    return undefined;
  }
  return out;
}

export function totalCount(b: Buckets): number {
  return b[b.length - 1]![1];
}

/** Count of observations ≤ x seconds, interpolating linearly inside a bucket; `exact` when x is a bound. */
export function countAtMost(b: Buckets, x: number): { count: number; exact: boolean } {
  let prevLe = 0;
  let prevCount = 0;
  for (let i = 0; i < b.length; i++) {
    const le = b[i]![0];
    const count = b[i]![1];
    if (x === le) {
      return { count, exact: true };
    }
    if (x < le) {
      if (!Number.isFinite(le)) {
        // Past the last finite bound nothing can be told: count everything above it as "slower".
        return { count: prevCount, exact: false };
      }
      const frac = (x - prevLe) / (le - prevLe);
      return { count: prevCount + (count - prevCount) * frac, exact: false };
    }
    prevLe = le;
    prevCount = count;
  }
  return { count: prevCount, exact: false };
}

/** Prometheus histogram_quantile semantics, in milliseconds. */
export function quantileMs(b: Buckets, q: number): number | undefined {
  const total = totalCount(b);
  if (!(total > 0)) {
    return undefined;
  }
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (let i = 0; i < b.length; i++) {
    const le = b[i]![0];
    const count = b[i]![1];
    if (count >= rank) {
      if (!Number.isFinite(le)) {
        // Like Prometheus: a quantile in the +Inf bucket reports the highest finite bound.
        return (b.length > 1 ? b[b.length - 2]![0] : 0) * 1000;
      }
      if (count === prevCount) {
        return le * 1000;
      }
      const lower = i === 0 && le <= 0 ? le : prevLe;
      return (lower + ((le - lower) * (rank - prevCount)) / (count - prevCount)) * 1000;
    }
    prevLe = le;
    prevCount = count;
  }
  return undefined;
}

/** Mean estimated from bucket midpoints (the +Inf bucket counts at its lower bound); ms. */
export function estimateMeanMs(b: Buckets): number | undefined {
  const total = totalCount(b);
  if (!(total > 0)) {
    return undefined;
  }
  let sum = 0;
  let prevLe = 0;
  let prevCount = 0;
  for (let i = 0; i < b.length; i++) {
    const le = b[i]![0];
    const count = b[i]![1];
    const n = count - prevCount;
    const mid = Number.isFinite(le) ? (prevLe + le) / 2 : prevLe;
    sum += n * mid;
    prevLe = Number.isFinite(le) ? le : prevLe;
    prevCount = count;
  }
  return (sum / total) * 1000;
}

/**
 * Pinpoint's 1 s / 3 s / 5 s / slow / error bars. Tempo's duration histograms count failed calls too, so the
 * time bars add up to all calls and `error` is shown beside them rather than carved out of them.
 */
export function pinpointHistogram(b: Buckets, errors: number | undefined): PinpointHistogram {
  const c1 = countAtMost(b, 1);
  const c3 = countAtMost(b, 3);
  const c5 = countAtMost(b, 5);
  const total = totalCount(b);
  return {
    le1s: c1.count,
    le3s: c3.count - c1.count,
    le5s: c5.count - c3.count,
    slow: total - c5.count,
    error: errors ?? 0,
    approximate: !(c1.exact && c3.exact && c5.exact),
  };
}

/**
 * Apdex = (satisfied + tolerating / 2) / total with satisfied ≤ T and tolerating ≤ 4T. Exact when T and 4T are
 * bucket bounds, otherwise interpolated inside buckets and flagged approximate; `undefined` when T or 4T lies
 * past the last finite bound (nothing can be told there).
 */
export function apdex(b: Buckets, thresholdSeconds: number): { value: number; approximate: boolean } | undefined {
  const total = totalCount(b);
  const lastFinite = b.length > 1 ? b[b.length - 2]![0] : 0;
  if (!(total > 0) || !(thresholdSeconds > 0) || thresholdSeconds * 4 > lastFinite) {
    return undefined;
  }
  const satisfied = countAtMost(b, thresholdSeconds);
  const tolerating = countAtMost(b, thresholdSeconds * 4);
  return {
    value: (satisfied.count + (tolerating.count - satisfied.count) / 2) / total,
    approximate: !(satisfied.exact && tolerating.exact),
  };
}

/**
 * Sum of two cumulative histograms. With the same bounds (the links into one node nearly always share them) it
 * is element-wise. With different bounds only the bounds both have are kept: there each count is known exactly,
 * while at a bound only one side has, the other side's count is unknown (merging by position, or filling in,
 * would invent it). Undefined when no finite bound is shared.
 */
export function addBuckets(a: Buckets | undefined, b: Buckets): Buckets | undefined {
  if (!a) {
    return b.map((bucket) => [bucket[0], bucket[1]]);
  }
  const sum: Buckets = [];
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const le = a[i]![0];
    while (j < b.length && b[j]![0] < le) {
      j++;
    }
    if (j < b.length && b[j]![0] === le) {
      sum.push([le, a[i]![1] + b[j]![1]]);
    }
  }
  return sum.length >= 2 && sum[sum.length - 1]![0] === Number.POSITIVE_INFINITY ? sum : undefined;
}
