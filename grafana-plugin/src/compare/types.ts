/**
 * What the diff reads from a server map. Declared here as a structural subset of the server map's model
 * (`src/servermap/model/types.ts`) rather than imported, because feature folders do not import each other
 * (DESIGN.md): a `ServerMap` is assignable to `CompareMap` as it is, and the panel shell passes one in.
 */
export interface CompareStats {
  /** Calls over the side's range (the model's `increase(...[$__range])`, so counter resets are already handled). */
  calls: number;
  /** `undefined` when the side had no errors query: unknown, not zero. */
  errors?: number;
  /** histogram_quantile(0.95) in ms, interpolated inside a bucket: an estimate. */
  p95Ms?: number;
  /**
   * Cumulative counts by upper bound in seconds, last +Inf, as interleaved (bound, count) pairs
   * `[le0, count0, le1, count1, …]` (the model's packed buckets): tells which bucket the p95 lies in.
   */
  buckets?: Float64Array;
}

export interface CompareNode {
  id: string;
  name: string;
  kind: string;
  inbound: CompareStats;
}

export interface CompareEdge {
  id: string;
  source: string;
  target: string;
  connectionType: string;
  stats: CompareStats;
}

export interface CompareMap {
  nodes: readonly CompareNode[];
  edges: readonly CompareEdge[];
}

/** One side of the comparison: a map and the length of the range it was queried over. */
export interface CompareSide {
  map: CompareMap;
  /** Length of the queried range in seconds; calls are compared per minute so ranges of different lengths compare. */
  rangeSeconds: number;
}

/**
 * When a change is too small to matter. A link or node counts as changed when it is new or gone, or when one of
 * its numbers passes its threshold while it carries at least `minCallsPerMinute` in one of the ranges.
 */
export interface CompareThresholds {
  /** Below this traffic (in both ranges) error % and p95 are noise: a few calls make them jump. */
  minCallsPerMinute: number;
  /** Calls/min changed by at least this fraction either way (0.5: ×1.5 or ÷1.5). */
  callsRatio: number;
  /** Error % changed by at least this many percentage points. */
  errorPoints: number;
  /** p95 changed by at least this fraction either way (0.2: ×1.2 or ÷1.2) … */
  p95Ratio: number;
  /** … and by at least this many milliseconds (a 2 ms → 3 ms p95 is +50 % but does not matter). */
  p95MinDeltaMs: number;
}

export const DEFAULT_THRESHOLDS: CompareThresholds = {
  minCallsPerMinute: 1,
  callsRatio: 0.5,
  errorPoints: 1,
  p95Ratio: 0.2,
  p95MinDeltaMs: 10,
};

/** A link or node in both ranges, only in the current one (`new`), or only in the baseline (`gone`). */
export type Presence = 'both' | 'new' | 'gone';

/**
 * Why a delta or ratio is missing (never Infinity or NaN):
 * - `new traffic`: the baseline had no calls on this link, so there is nothing to divide by;
 * - `baseline is zero`: the baseline value is 0 (e.g. 0 % errors), the delta is known but a ratio is not;
 * - `no baseline value` / `no current value`: that side did not have the number (no errors query, no
 *   histogram, no calls to take an error % or p95 of).
 */
export type ChangeNote = 'new traffic' | 'baseline is zero' | 'no baseline value' | 'no current value';

export interface ValueChange {
  current?: number;
  baseline?: number;
  /** current − baseline, when both are known. */
  delta?: number;
  /** current / baseline, when both are known and the baseline is not 0. */
  ratio?: number;
  note?: ChangeNote;
  /** The change passes its threshold (see CompareThresholds). */
  significant: boolean;
}

export interface P95Change extends ValueChange {
  /** histogram_quantile interpolates inside a bucket: the p95 is an estimate whenever it comes from buckets. */
  estimate: boolean;
  /** The bucket (seconds → ms bounds) each side's p95 lies in: the true p95 is somewhere inside it. */
  currentBucketMs?: readonly [number, number];
  baselineBucketMs?: readonly [number, number];
  /** Both p95s lie in the same bucket: the histogram cannot tell how much they really differ. */
  withinOneBucket?: boolean;
}

/** Whether the significant changes made things worse (more errors, slower), better, or both. */
export type Direction = 'worse' | 'better' | 'mixed' | 'unchanged';

export interface TrafficDiff {
  presence: Presence;
  /** Calls per minute: each side's calls divided by its own range length. */
  callsPerMinute: ValueChange;
  /** Error % in [0, 100]; delta in percentage points. */
  errorPercent: ValueChange;
  p95Ms: P95Change;
  /**
   * A side's counts were negative or not finite and were clamped to 0. The panel's queries use `increase()`,
   * which already counts across counter resets, so this only happens when raw counters were subtracted.
   */
  clamped?: { current: boolean; baseline: boolean };
  /** New, gone, or a number passed its threshold. */
  significant: boolean;
  direction: Direction;
}

export interface LinkDiff extends TrafficDiff {
  id: string;
  source: string;
  target: string;
  connectionType: string;
}

export interface NodeDiff extends TrafficDiff {
  id: string;
  name: string;
  kind: string;
}

/** One row of "biggest changes". */
export interface RankedChange {
  linkId: string;
  /** Size of the change in thresholds passed: max(|Δ error points| / errorPoints, |ln p95 ratio| / ln(1 + p95Ratio)). */
  score: number;
  /** Which number gave the score. */
  by: 'errorPercent' | 'p95';
  direction: Direction;
}

export interface MapDiff {
  nodes: NodeDiff[];
  links: LinkDiff[];
  /** Links in both ranges whose error % or p95 changed past its threshold, biggest first (see README.md). */
  biggestChanges: RankedChange[];
  /** Link ids only in the current range / only in the baseline, busiest first. */
  appeared: string[];
  disappeared: string[];
  thresholds: CompareThresholds;
  /** Non-fatal problems (clamped counts), phrased for the user. */
  warnings: string[];
}

export type CompareResult = { ok: true; diff: MapDiff } | { ok: false; error: string };
