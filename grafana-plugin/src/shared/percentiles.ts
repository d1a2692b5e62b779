/**
 * p50 and p95 of the dots' durations (nearest rank), for the scatter's lines of each range. These are of the
 * dots loaded — all transactions in the range, or the sample the dot limit kept — not of the service-graph
 * histogram the map's p95 comes from.
 */
export function percentileLines(
  durationsMs: ArrayLike<number>,
  count = durationsMs.length
): { p50: number; p95: number } | undefined {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = durationsMs[i]!;
    if (Number.isFinite(v) && v >= 0) {
      values.push(v);
    }
  }
  if (values.length === 0) {
    return undefined;
  }
  values.sort((a, b) => a - b);
  const rank = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))]!;
  return { p50: rank(0.5), p95: rank(0.95) };
}
