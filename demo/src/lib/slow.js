// Latency picking for /api/slow. Pure functions (random source injectable) so tests can pin them.

/** Upper bound for any requested delay: keeps a typo like ms=99999999 from parking a request forever. */
export const MAX_SLOW_MS = 10_000;

/**
 * Delay bands matching Pinpoint's response-time buckets (≤1 s, ≤3 s, ≤5 s, slow), weighted like a real
 * long tail: most slow requests are "a bit slow", a few are very slow. Every band gets traffic so each
 * bucket of the scatter and the active-request gauge fills up.
 */
export const SLOW_BANDS = [
  { minMs: 200, maxMs: 1000, weight: 0.55 },
  { minMs: 1000, maxMs: 3000, weight: 0.25 },
  { minMs: 3000, maxMs: 5000, weight: 0.12 },
  { minMs: 5000, maxMs: 8000, weight: 0.08 },
];

/** A random delay in 0.2–8 s from SLOW_BANDS; `random` returns numbers in [0, 1). */
export function pickSlowMs(random = Math.random) {
  let roll = random();
  for (const band of SLOW_BANDS) {
    if (roll < band.weight) return Math.round(band.minMs + (band.maxMs - band.minMs) * (roll / band.weight));
    roll -= band.weight;
  }
  const last = SLOW_BANDS[SLOW_BANDS.length - 1];
  return last.maxMs;
}

/**
 * Parses the `ms` query parameter: absent → undefined (caller picks a random delay), a non-negative
 * integer → that many ms capped at MAX_SLOW_MS, anything else → an error message for a 400.
 */
export function parseSlowMs(raw) {
  if (raw === undefined || raw === '') return { ms: undefined };
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw)) {
    return {
      error: `ms must be a whole number of milliseconds (0-${MAX_SLOW_MS}), got ${JSON.stringify(raw)}`,
    };
  }
  const ms = Number(raw);
  return ms > MAX_SLOW_MS ? { ms: MAX_SLOW_MS, capped: true } : { ms };
}
