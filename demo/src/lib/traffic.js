// Pure parts of the load generator: configuration parsing, the target safety check, the route mix
// and the summary line. Kept apart from the I/O loop so they are unit-tested.
import { isIP } from 'node:net';
import { pickSlowMs } from './slow.js';

/**
 * Weighted like a shop's real traffic: mostly cheap reads, a good share of checkouts (the full
 * chain), some slow requests spread over Pinpoint's buckets, and a few errors of each kind.
 */
export const ROUTE_MIX = [
  { name: 'order', weight: 57, path: (id) => `/api/orders/${id}` },
  { name: 'checkout', weight: 20, path: () => '/api/checkout' },
  { name: 'slow', weight: 12, path: () => '/api/slow' },
  { name: 'client-error-400', weight: 3, path: () => '/api/client-error' },
  { name: 'client-error-404', weight: 2, path: () => '/api/client-error?code=404' },
  { name: 'server-error', weight: 4, path: () => '/api/server-error' },
  { name: 'throw', weight: 2, path: () => '/api/throw' },
];

const TOTAL_WEIGHT = ROUTE_MIX.reduce((sum, r) => sum + r.weight, 0);

/**
 * Picks the next request. Order reads need an id a checkout returned; until one exists they turn
 * into a checkout, so a fresh database does not produce a burst of 404s.
 */
export function pickRequest(knownOrderIds, random = Math.random, { slowMaxMs } = {}) {
  let roll = random() * TOTAL_WEIGHT;
  let route = ROUTE_MIX[ROUTE_MIX.length - 1];
  for (const candidate of ROUTE_MIX) {
    if (roll < candidate.weight) {
      route = candidate;
      break;
    }
    roll -= candidate.weight;
  }
  if (route.name === 'slow' && slowMaxMs !== undefined) {
    // Capped: the generator picks the delay itself (same skew) instead of letting the gateway do it.
    return { name: route.name, path: `/api/slow?ms=${Math.min(pickSlowMs(random), slowMaxMs)}` };
  }
  if (route.name === 'order') {
    if (knownOrderIds.length === 0) return { name: 'checkout', path: '/api/checkout' };
    const id = knownOrderIds[Math.floor(random() * knownOrderIds.length)];
    return { name: route.name, path: route.path(id) };
  }
  return { name: route.name, path: route.path() };
}

/**
 * Only this machine (loopback) or a single-label host name (a compose service such as `gateway`,
 * resolved inside the compose network) are load targets by default; anything else needs an explicit
 * LOAD_ALLOW_REMOTE_TARGET=1, so a stray env value cannot point load at someone else's server.
 */
export function isLocalTarget(url) {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1';
  return !host.includes('.');
}

function readNumber(env, name, fallback, { min, max, integer }, warnings) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value)))
    return value;
  warnings.push(
    `${name}=${JSON.stringify(raw)} is not ${integer ? 'an integer' : 'a number'} from ${min} to ${max}; using ${fallback ?? 'none'}`,
  );
  return fallback;
}

/**
 * Load settings from env. Bad numbers fall back to defaults with a warning; a bad or non-local
 * target is an error (the generator refuses to start rather than guess where to send traffic).
 */
export function parseLoadConfig(env) {
  const warnings = [];
  const rps = readNumber(env, 'LOAD_RPS', 5, { min: 0.1, max: 500 }, warnings);
  const durationS = readNumber(env, 'LOAD_DURATION_S', 300, { min: 0, max: 7 * 24 * 3600 }, warnings);
  const maxRequests = readNumber(env, 'LOAD_MAX_REQUESTS', 0, { min: 0, max: 1e9, integer: true }, warnings);
  const concurrency = readNumber(
    env,
    'LOAD_CONCURRENCY',
    64,
    { min: 1, max: 10_000, integer: true },
    warnings,
  );
  const summaryS = readNumber(env, 'LOAD_SUMMARY_S', 10, { min: 1, max: 3600 }, warnings);
  const slowMaxMs = readNumber(
    env,
    'LOAD_SLOW_MAX_MS',
    undefined,
    { min: 0, max: 10_000, integer: true },
    warnings,
  );
  const rawTarget = env.LOAD_TARGET || 'http://127.0.0.1:3000';
  let target;
  try {
    target = new URL(rawTarget);
  } catch {
    return { error: `LOAD_TARGET=${JSON.stringify(rawTarget)} is not a URL`, warnings };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { error: `LOAD_TARGET=${JSON.stringify(rawTarget)} must be an http(s) URL`, warnings };
  }
  if (!isLocalTarget(target) && env.LOAD_ALLOW_REMOTE_TARGET !== '1') {
    return {
      error:
        `LOAD_TARGET=${JSON.stringify(rawTarget)} is not on this machine; the load generator only targets ` +
        `loopback addresses or compose service names unless LOAD_ALLOW_REMOTE_TARGET=1`,
      warnings,
    };
  }
  return {
    config: { target: target.origin, rps, durationS, maxRequests, concurrency, summaryS, slowMaxMs },
    warnings,
  };
}

/** Empty per-window counters. */
export function newCounts() {
  return { requests: 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, failed: 0, skipped: 0 };
}

export function statusClass(status) {
  return `${Math.floor(status / 100)}xx`;
}

/** One line: "load: last 10s 50 req (2xx 41, 4xx 5, 5xx 4, failed 0), in flight 2 | total 500 (…)". */
const describe = (c) =>
  `2xx ${c['2xx']}, 3xx ${c['3xx']}, 4xx ${c['4xx']}, 5xx ${c['5xx']}, failed ${c.failed}` +
  (c.skipped ? `, skipped ${c.skipped} (concurrency cap)` : '');

export function formatSummary(label, window, total, inFlight) {
  const parts = describe;
  return `load: ${label} ${window.requests} req (${parts(window)}), in flight ${inFlight} | total ${total.requests} req (${parts(total)})`;
}

/** The closing line: "load: done after 300s: 1500 req (2xx …)". */
export function formatTotal(label, total) {
  return `load: ${label} ${total.requests} req (${describe(total)})`;
}
