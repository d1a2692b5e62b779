import {
  type CompareEdge,
  type CompareMap,
  type CompareNode,
  type CompareResult,
  type CompareSide,
  type CompareStats,
  type CompareThresholds,
  type Direction,
  type LinkDiff,
  type NodeDiff,
  type P95Change,
  type Presence,
  type RankedChange,
  type TrafficDiff,
  type ValueChange,
  DEFAULT_THRESHOLDS,
} from './types';

/** One side's numbers, made comparable: per minute, in percent, clamped. */
interface SideNumbers {
  callsPerMinute: number;
  errorPercent?: number;
  p95Ms?: number;
  p95BucketMs?: readonly [number, number];
  clamped: boolean;
}

/** An absent link had no calls observed: 0 calls/min is the truth; its error % and p95 are unknown. */
const ABSENT: SideNumbers = { callsPerMinute: 0, clamped: false };

/**
 * The bucket the 0.95 rank falls in, as histogram_quantile finds it: the true p95 lies between its bounds.
 * Counts that are negative or not finite are skipped, and a count never decreases with the bound.
 */
function p95BucketMs(buckets: CompareStats['buckets']): readonly [number, number] | undefined {
  if (!buckets || buckets.length < 4) {
    return undefined;
  }
  const pairs = buckets.length >> 1;
  // The model hands buckets sorted by bound; sort a copy only when they are not (thousands of links per diff).
  let sorted = buckets;
  for (let i = 1; i < pairs; i++) {
    if (!(buckets[(i - 1) * 2]! <= buckets[i * 2]!)) {
      const order = Array.from({ length: pairs }, (_, k) => k).sort((a, b) => buckets[a * 2]! - buckets[b * 2]!);
      sorted = Float64Array.from(order.flatMap((k) => [buckets[k * 2]!, buckets[k * 2 + 1]!]));
      break;
    }
  }
  let total = 0;
  for (let i = 0; i < pairs; i++) {
    const count = sorted[i * 2 + 1]!;
    if (Number.isFinite(count) && count > total) {
      total = count;
    }
  }
  if (!(total > 0)) {
    return undefined;
  }
  let lower = 0;
  let running = 0;
  for (let i = 0; i < pairs; i++) {
    const le = sorted[i * 2]!;
    const count = sorted[i * 2 + 1]!;
    if (Number.isNaN(le) || !Number.isFinite(count) || count < 0) {
      continue;
    }
    running = Math.max(running, count);
    if (running >= 0.95 * total) {
      return [lower * 1000, le * 1000];
    }
    lower = le;
  }
  return undefined;
}

function readSide(stats: CompareStats, rangeSeconds: number): SideNumbers {
  let clamped = false;
  // Negative or non-finite counts only come from raw counters subtracted across a reset (increase() never
  // returns them): count them as 0 and say so rather than show a negative rate.
  let calls = stats.calls;
  if (!Number.isFinite(calls) || calls < 0) {
    calls = 0;
    clamped = true;
  }
  let errors = stats.errors;
  if (errors !== undefined && (!Number.isFinite(errors) || errors < 0)) {
    errors = 0;
    clamped = true;
  }
  // increase() extrapolates each series on its own, so errors can come out a little above calls.
  errors = errors === undefined ? undefined : Math.min(errors, calls);
  const side: SideNumbers = { callsPerMinute: (calls * 60) / rangeSeconds, clamped };
  if (calls > 0 && errors !== undefined) {
    side.errorPercent = (errors / calls) * 100;
  }
  if (calls > 0 && stats.p95Ms !== undefined && Number.isFinite(stats.p95Ms) && stats.p95Ms >= 0) {
    side.p95Ms = stats.p95Ms;
    side.p95BucketMs = p95BucketMs(stats.buckets);
  }
  return side;
}

function change(
  current: number | undefined,
  baseline: number | undefined,
  zeroBaselineNote: ValueChange['note']
): Omit<ValueChange, 'significant'> {
  if (current === undefined || baseline === undefined) {
    const note =
      current === undefined && baseline === undefined
        ? undefined
        : current === undefined
          ? 'no current value'
          : 'no baseline value';
    return { current, baseline, note };
  }
  const out: Omit<ValueChange, 'significant'> = { current, baseline, delta: current - baseline };
  if (baseline !== 0) {
    out.ratio = current / baseline;
  } else if (current !== 0) {
    out.note = zeroBaselineNote;
  }
  return out;
}

/** A ratio at least `1 + fraction` times up or down. */
function pastRatio(ratio: number, fraction: number): boolean {
  return ratio >= 1 + fraction || ratio <= 1 / (1 + fraction);
}

function diffTraffic(presence: Presence, cur: SideNumbers, base: SideNumbers, t: CompareThresholds): TrafficDiff {
  const busyEnough = Math.max(cur.callsPerMinute, base.callsPerMinute) >= t.minCallsPerMinute;

  const calls = change(cur.callsPerMinute, base.callsPerMinute, 'new traffic');
  const callsSignificant =
    busyEnough &&
    (calls.ratio === undefined ? calls.delta !== undefined && calls.delta !== 0 : pastRatio(calls.ratio, t.callsRatio));

  const errors = change(cur.errorPercent, base.errorPercent, 'baseline is zero');
  const errorsSignificant = busyEnough && errors.delta !== undefined && Math.abs(errors.delta) >= t.errorPoints;

  const p95 = change(cur.p95Ms, base.p95Ms, 'baseline is zero');
  const p95Significant =
    busyEnough &&
    p95.delta !== undefined &&
    Math.abs(p95.delta) >= t.p95MinDeltaMs &&
    (p95.ratio === undefined || pastRatio(p95.ratio, t.p95Ratio));
  const p95Change: P95Change = {
    ...p95,
    significant: p95Significant,
    estimate: cur.p95BucketMs !== undefined || base.p95BucketMs !== undefined,
  };
  if (cur.p95BucketMs) {
    p95Change.currentBucketMs = cur.p95BucketMs;
  }
  if (base.p95BucketMs) {
    p95Change.baselineBucketMs = base.p95BucketMs;
  }
  if (cur.p95BucketMs && base.p95BucketMs) {
    p95Change.withinOneBucket =
      cur.p95BucketMs[0] === base.p95BucketMs[0] && cur.p95BucketMs[1] === base.p95BucketMs[1];
  }

  // Worse or better is about errors and latency; more or less traffic is neither.
  let worse = false;
  let better = false;
  for (const [significant, delta] of [
    [errorsSignificant, errors.delta],
    [p95Significant, p95.delta],
  ] as const) {
    if (significant && delta !== undefined) {
      worse ||= delta > 0;
      better ||= delta < 0;
    }
  }
  const direction: Direction = worse && better ? 'mixed' : worse ? 'worse' : better ? 'better' : 'unchanged';

  const out: TrafficDiff = {
    presence,
    callsPerMinute: { ...calls, significant: callsSignificant },
    errorPercent: { ...errors, significant: errorsSignificant },
    p95Ms: p95Change,
    significant: presence !== 'both' || callsSignificant || errorsSignificant || p95Significant,
    direction,
  };
  if (cur.clamped || base.clamped) {
    out.clamped = { current: cur.clamped, baseline: base.clamped };
  }
  return out;
}

/** Index by id; a repeated id keeps the first entry and is reported (a map from buildServerMap has none). */
function byId<T extends { id: string }>(
  items: readonly T[],
  side: string,
  kind: string,
  warnings: string[]
): Map<string, T> {
  const out = new Map<string, T>();
  for (const item of items) {
    if (out.has(item.id)) {
      warnings.push(`The ${side} map has the ${kind} "${item.id}" twice; only the first is compared`);
    } else {
      out.set(item.id, item);
    }
  }
  return out;
}

/** One side's nodes and links by id, each with its numbers made comparable (`readSide`). */
interface PreparedSide {
  nodes: Map<string, { item: CompareNode; numbers: SideNumbers }>;
  edges: Map<string, { item: CompareEdge; numbers: SideNumbers }>;
  /** Repeated ids, phrased for the user. */
  warnings: string[];
}

/**
 * Prepared sides by map object and range length. A map's numbers do not depend on the other side nor on the
 * thresholds, so the baseline's are read once (`prepareCompareSide`, ahead of time when the panel is idle) and a
 * diff against a new current map, or with another threshold, reads only the current side. Maps are not changed
 * after they are built (the model hands out new objects), so the map object is the key.
 */
const prepared = new WeakMap<CompareMap, { rangeSeconds: number; name: string; side: PreparedSide }>();

function preparedSide(side: CompareSide, name: string): PreparedSide {
  const kept = prepared.get(side.map);
  if (kept && kept.rangeSeconds === side.rangeSeconds && kept.name === name) {
    return kept.side;
  }
  const warnings: string[] = [];
  const withNumbers = <T extends { id: string }>(items: Map<string, T>, stats: (item: T) => CompareStats) => {
    const out = new Map<string, { item: T; numbers: SideNumbers }>();
    for (const [id, item] of items) {
      out.set(id, { item, numbers: readSide(stats(item), side.rangeSeconds) });
    }
    return out;
  };
  const result: PreparedSide = {
    nodes: withNumbers(byId(side.map.nodes, name, 'node', warnings), (n) => n.inbound),
    edges: withNumbers(byId(side.map.edges, name, 'link', warnings), (e) => e.stats),
    warnings,
  };
  prepared.set(side.map, { rangeSeconds: side.rangeSeconds, name, side: result });
  return result;
}

/**
 * Reads one side's numbers ahead of `diffMaps` (kept per map object and range length), so the diff at the next
 * first paint reads only the other side. Returns false, doing nothing, for a side `diffMaps` would refuse.
 */
export function prepareCompareSide(side: CompareSide, name: 'current' | 'baseline'): boolean {
  if (checkSide(side, name)) {
    return false;
  }
  preparedSide(side, name);
  return true;
}

/** Union of two id-indexed collections: current order first, then what only the baseline has. */
function union<T>(
  current: Map<string, T>,
  baseline: Map<string, T>
): Array<{ id: string; cur?: T; base?: T; presence: Presence }> {
  const out: Array<{ id: string; cur?: T; base?: T; presence: Presence }> = [];
  for (const [id, cur] of current) {
    const base = baseline.get(id);
    out.push({ id, cur, base, presence: base ? 'both' : 'new' });
  }
  for (const [id, base] of baseline) {
    if (!current.has(id)) {
      out.push({ id, base, presence: 'gone' });
    }
  }
  return out;
}

/** Higher score first; scores equal but for rounding (ln 3 vs −ln(1/3)) count as a tie. */
function scoreOrder(a: number, b: number): number {
  return Math.abs(b - a) > 1e-9 * Math.max(a, b) ? b - a : 0;
}

const DIRECTION_ORDER: Record<Direction, number> = { worse: 0, mixed: 1, better: 2, unchanged: 3 };

/**
 * "Biggest changes": links present in both ranges whose error % or p95 passed its threshold. Each number is
 * measured in thresholds passed — error % by |Δ points| / errorPoints, p95 by |ln ratio| / ln(1 + p95Ratio), a
 * log ratio so that ×2 and ÷2 weigh the same — and a link's score is the larger of the two. Ties go worse
 * before better, then busier first (current calls/min), then by id so the order is stable.
 */
function rank(links: readonly LinkDiff[], t: CompareThresholds): RankedChange[] {
  const rows: Array<RankedChange & { callsPerMinute: number }> = [];
  for (const link of links) {
    if (link.presence !== 'both') {
      continue;
    }
    const errorScore = link.errorPercent.significant ? Math.abs(link.errorPercent.delta!) / t.errorPoints : 0;
    const p95 = link.p95Ms;
    let p95Score = 0;
    if (p95.significant) {
      p95Score =
        p95.ratio !== undefined && t.p95Ratio > 0
          ? Math.abs(Math.log(p95.ratio)) / Math.log(1 + t.p95Ratio)
          : Math.abs(p95.delta!) / Math.max(t.p95MinDeltaMs, 1);
    }
    if (errorScore === 0 && p95Score === 0) {
      continue;
    }
    rows.push({
      linkId: link.id,
      score: Math.max(errorScore, p95Score),
      by: errorScore >= p95Score ? 'errorPercent' : 'p95',
      direction: link.direction,
      callsPerMinute: link.callsPerMinute.current ?? 0,
    });
  }
  rows.sort(
    (a, b) =>
      scoreOrder(a.score, b.score) ||
      DIRECTION_ORDER[a.direction] - DIRECTION_ORDER[b.direction] ||
      b.callsPerMinute - a.callsPerMinute ||
      (a.linkId < b.linkId ? -1 : a.linkId > b.linkId ? 1 : 0)
  );
  return rows.map(({ callsPerMinute: _busy, ...row }) => row);
}

function checkSide(side: CompareSide | undefined, name: string): string | undefined {
  if (!side || !side.map || !Array.isArray(side.map.nodes) || !Array.isArray(side.map.edges)) {
    return `The ${name} has no server map to compare`;
  }
  if (!Number.isFinite(side.rangeSeconds) || side.rangeSeconds <= 0) {
    return `The ${name} range length must be a positive number of seconds, got ${String(side.rangeSeconds)}`;
  }
  return undefined;
}

function checkThresholds(t: CompareThresholds): string | undefined {
  for (const [name, value] of Object.entries(t)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      return `Compare threshold "${name}" must be a number ≥ 0, got ${String(value)}`;
    }
  }
  return undefined;
}

function clampWarning(what: string, clamped: TrafficDiff['clamped']): string | undefined {
  if (!clamped) {
    return undefined;
  }
  const sides = [clamped.current && 'current', clamped.baseline && 'baseline'].filter(Boolean).join(' and ');
  return `${what}: negative or invalid counts in the ${sides} range were counted as 0 (raw counters across a restart? query increase())`;
}

/**
 * Diff of two server maps: `current` (A, what the user is looking at) against `baseline` (B, the range or release
 * compared with). Pure and total: bad input comes back as `{ ok: false, error }`, never as a throw, Infinity or NaN.
 * Nodes and links are matched by id only, so a renamed service shows as one gone and one new node.
 */
export function diffMaps(
  current: CompareSide,
  baseline: CompareSide,
  thresholds: Partial<CompareThresholds> = {}
): CompareResult {
  const t: CompareThresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const problem = checkSide(current, 'current') ?? checkSide(baseline, 'baseline') ?? checkThresholds(t);
  if (problem) {
    return { ok: false, error: problem };
  }
  const a = preparedSide(current, 'current');
  const b = preparedSide(baseline, 'baseline');
  const warnings: string[] = [...a.warnings, ...b.warnings];

  const links: LinkDiff[] = union(a.edges, b.edges).map(({ id, cur, base, presence }) => {
    const edge = (cur ?? base)!.item;
    const traffic = diffTraffic(presence, cur?.numbers ?? ABSENT, base?.numbers ?? ABSENT, t);
    const warning = clampWarning(`Link ${id}`, traffic.clamped);
    if (warning) {
      warnings.push(warning);
    }
    return { id, source: edge.source, target: edge.target, connectionType: edge.connectionType, ...traffic };
  });

  const nodes: NodeDiff[] = union(a.nodes, b.nodes).map(({ id, cur, base, presence }) => {
    const node = (cur ?? base)!.item;
    const traffic = diffTraffic(presence, cur?.numbers ?? ABSENT, base?.numbers ?? ABSENT, t);
    return { id, name: node.name, kind: node.kind, ...traffic };
  });

  const busiest = (presence: Presence, side: 'current' | 'baseline') =>
    links
      .filter((l) => l.presence === presence)
      .sort((x, y) => (y.callsPerMinute[side] ?? 0) - (x.callsPerMinute[side] ?? 0) || (x.id < y.id ? -1 : 1))
      .map((l) => l.id);

  return {
    ok: true,
    diff: {
      nodes,
      links,
      biggestChanges: rank(links, t),
      appeared: busiest('new', 'current'),
      disappeared: busiest('gone', 'baseline'),
      thresholds: t,
      warnings,
    },
  };
}
