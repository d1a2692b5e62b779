// Load generator: "the users" of the demo shop. Bounded in time (LOAD_DURATION_S) and count
// (LOAD_MAX_REQUESTS), with a cap on requests in flight, and it only targets this machine by default.
// It is deliberately NOT instrumented: its requests arrive without trace context, so Tempo draws them
// as the `user` node in front of the gateway.
import {
  formatSummary,
  formatTotal,
  newCounts,
  parseLoadConfig,
  pickRequest,
  statusClass,
} from './lib/traffic.js';

const REQUEST_TIMEOUT_MS = 20_000; // longer than the slowest route (10 s cap) plus the chain
// How long in-flight requests may finish: long enough for the slowest route at the natural end of a
// run, short on Ctrl-C/SIGTERM where the user wants out.
const DRAIN_MS = 12_000;
const DRAIN_ON_SIGNAL_MS = 2_000;
const KNOWN_IDS = 200;

const { config, warnings, error } = parseLoadConfig(process.env);
for (const warning of warnings) console.warn(`load: ${warning}`);
if (error) {
  console.error(`load: ${error}`);
  process.exit(2);
}

const { target, rps, durationS, maxRequests, concurrency, summaryS, slowMaxMs } = config;
const abort = new AbortController();
const knownOrderIds = [];
const total = newCounts();
let window = newCounts();
let inFlight = 0;
let stopping = false;
let sent = 0;
const startedAt = Date.now();

console.log(
  `load: ${rps} req/s against ${target} for ${durationS ? `${durationS}s` : 'until stopped'}` +
    `${maxRequests ? ` or ${maxRequests} requests` : ''}, at most ${concurrency} in flight`,
);

function count(key) {
  total[key] += 1;
  window[key] += 1;
}

async function fire() {
  const { name, path } = pickRequest(knownOrderIds, Math.random, { slowMaxMs });
  inFlight += 1;
  count('requests');
  try {
    const res = await fetch(`${target}${path}`, {
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
    const body = await res.text();
    count(statusClass(res.status));
    if (name === 'checkout' && res.status === 201) {
      const id = JSON.parse(body)?.order?.id;
      if (id !== undefined) {
        knownOrderIds.push(id);
        if (knownOrderIds.length > KNOWN_IDS) knownOrderIds.shift();
      }
    }
  } catch {
    count('failed');
  } finally {
    inFlight -= 1;
  }
}

const summaryTimer = setInterval(() => {
  console.log(formatSummary(`last ${summaryS}s`, window, total, inFlight));
  window = newCounts();
}, summaryS * 1000);

const intervalMs = 1000 / rps;
let tickTimer;
function tick() {
  if (stopping) return;
  const elapsedMs = Date.now() - startedAt;
  if ((durationS > 0 && elapsedMs >= durationS * 1000) || (maxRequests > 0 && sent >= maxRequests)) {
    void finish('done');
    return;
  }
  if (inFlight >= concurrency) count('skipped');
  else void fire();
  sent += 1;
  // Scheduled against the start time so timer drift does not lower the rate.
  tickTimer = setTimeout(tick, Math.max(0, startedAt + sent * intervalMs - Date.now()));
}

async function finish(reason, drainMs = DRAIN_MS) {
  if (stopping) return;
  stopping = true;
  clearTimeout(tickTimer);
  clearInterval(summaryTimer);
  const drainUntil = Date.now() + drainMs;
  while (inFlight > 0 && Date.now() < drainUntil) await new Promise((resolve) => setTimeout(resolve, 50));
  if (inFlight > 0) abort.abort();
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  const seconds = Math.round((Date.now() - startedAt) / 100) / 10;
  console.log(formatTotal(`${reason} after ${seconds}s:`, total));
  if (total.requests > 0 && total.failed === total.requests) {
    console.error(`load: every request to ${target} failed — is the gateway running?`);
    process.exitCode = 1;
  }
}

process.on('SIGTERM', () => void finish('stopped (SIGTERM)', DRAIN_ON_SIGNAL_MS));
process.on('SIGINT', () => void finish('stopped (SIGINT)', DRAIN_ON_SIGNAL_MS));
tick();
