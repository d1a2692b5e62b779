#!/usr/bin/env node
// Where the kit's per-request cost goes, per thread, per hook and per stage (issue 14), at a moderate fixed
// request rate (RATE req/s, default 300; bench/rate-load.mjs) rather than at saturation:
//   1. CPU per request of each thread, bare and kit, from /proc (no profiler running): the app's main thread,
//      the kit's export worker (its JSON decode, the official OTLP serializer, the HTTP request), V8's helper
//      threads (concurrent GC and JIT compilation) and libuv's pool. Two windows per variant, interleaved.
//   2. The kit's main thread under V8's sampling profiler (bench/profile-preload.cjs, 100 µs) for another
//      window: every sample is charged to each function on its stack (inclusive), and a row's share of the
//      busy samples times the main thread's CPU per request from step 1 gives its µs per request. Samples are
//      counted, not their time deltas: on a busy machine the sampler thread itself is starved, and one
//      sample then carried seconds of wall time (session 7 saw one 7.9 s delta charged to whatever function
//      it caught); deltas above GAP_FACTOR intervals are counted apart and reported.
// Hooks include the span work they start (startSpan, end and the processors that runs); the stage rows are
// the same time seen from the SDK's side, so rows overlap. Writes bench/results/hooks-profile.json and the
// README block `bench:hooks-profile`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLOCK_TICK_MS,
  fmt,
  machine,
  median,
  startLoadBackends,
  startNode,
  stop,
  updateReadmeBlock,
  wrk,
} from './lib.mjs';

const here = import.meta.dirname;
const RATE = Number(process.env.RATE ?? 300);
const WINDOW_S = Number(process.env.PROFILE_S ?? 10);
const SAMPLING_US = 100;
const GAP_FACTOR = 20;
const ROWS = {
  'server hook: request start (attributes, context, span start)': ['onRequestStart'],
  'server hook: attributes alone': ['incomingAttributes'],
  'server hook: response close (status, route, span end)': ['finish'],
  'emit wrapper (the streams\u2019 events in the request\u2019s context), own time': ['emitInContext:self'],
  'fetch hook: request create (attributes, span start, traceparent)': ['onCreate'],
  'fetch hook: headers sent + response headers': ['onSendHeaders', 'onHeaders'],
  'fetch hook: done (span end, duration metric)': ['onDone'],
  'stage: span start (SDK startSpan, all spans)': ['startSpan'],
  'stage: attributes (the SDK\u2019s copies and checks: at span start, then each setAttribute)': [
    'cleanAttributes',
    'cleanAttributesInternal',
    'setAttribute',
  ],
  // The SDK's own span machinery (@opentelemetry/sdk-trace, shared with stock), function by function, so
  // what a kept library owns is measured apart from the kit's code; these rows are inside the two above.
  'SDK: Span constructor (SpanImpl: clock, limits, attributes copied)': ['SpanImpl'],
  'SDK: sampler (ParentBased, then AlwaysOn)': ['shouldSample'],
  'SDK: trace and span ids (RandomIdGenerator)': ['generateTraceId', 'generateSpanId', 'generateId'],
  'SDK: span times (_getTime, at start, end and events)': ['_getTime'],
  'SDK: attribute copies (cleanAttributes, sanitizeAttributes)': [
    'cleanAttributes',
    'cleanAttributesInternal',
    'sanitizeAttributes',
  ],
  'SDK: batch processor queue (_addToBuffer)': ['_addToBuffer'],
  'stage: kit span processor at span end (service-graph hints, redaction)': ['onEnding'],
  'stage: span processors onEnd (active requests, batch queue)': ['onEnd'],
  'stage: batch hand-over to the export worker (span-wire JSON, on the app thread)': ['toWireSpans'],
  // Own time only: `with` runs the callback it is given (app code included) inside the new context.
  'context manager (AsyncLocalStorage), own time: with, bind, bound callbacks': [
    'with:self',
    '_bindFunction',
    'contextWrapper:self',
  ],
  'pg instrumentation (upstream): its metrics bookkeeping': ['recordOperationDuration', 'updateCounter'],
};

/** CPU ticks per thread of `pid`: the main thread, the export worker, V8's helpers, libuv's pool, the rest. */
function threadTicks(pid) {
  const out = {};
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const kind =
      tid === String(pid)
        ? 'main'
        : comm === 'WorkerThread'
          ? 'exportWorker'
          : comm === 'V8Worker'
            ? 'v8Helpers'
            : comm.startsWith('libuv')
              ? 'libuvPool'
              : 'other';
    out[kind] = (out[kind] ?? 0) + Number(fields[11]) + Number(fields[12]);
  }
  return out;
}

/** RATE req/s for WINDOW_S against `url` from its own process; the requests answered. */
function rateLoad(url) {
  const res = spawnSync(
    process.execPath,
    [join(here, 'rate-load.mjs'), url, String(RATE), String(WINDOW_S)],
    {
      encoding: 'utf8',
    },
  );
  if (res.status !== 0) throw new Error(`rate-load failed: ${res.stderr}`);
  return JSON.parse(res.stdout).done;
}

/** µs of CPU per request of each thread kind during one fixed-rate window. */
function threadWindow(app) {
  const before = threadTicks(app.child.pid);
  const requests = rateLoad(`http://127.0.0.1:${app.port}/`);
  const after = threadTicks(app.child.pid);
  const split = {};
  for (const kind of Object.keys(after))
    split[kind] = ((after[kind] - (before[kind] ?? 0)) * CLOCK_TICK_MS * 1000) / requests;
  split.total = Object.values(split).reduce((sum, v) => sum + v, 0);
  return split;
}

const dir = mkdtempSync(join(tmpdir(), 'lgtm-apm-profile-'));
const out = join(dir, 'kit.cpuprofile');
const load0 = loadavg();
// Whatever fails (no port line, no profile, wrk missing), the sink, the downstream service, the apps and
// the temporary folder go with them: a failed run leaves no process behind.
const backends = await startLoadBackends();
const common = { ...backends.env, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
const apps = {};
const windows = { bare: [], kit: [] };
let requests;
try {
  apps.bare = await startNode([join(here, 'app.cjs')], { ...common, OTEL_SERVICE_NAME: 'bench-bare' }, here);
  apps.kit = await startNode(
    [
      '--require',
      join(here, 'profile-preload.cjs'),
      '--import',
      '@lgtm-apm/instrumentation',
      join(here, 'app.cjs'),
    ],
    { ...common, PROFILE_OUT: out },
    here,
  );
  for (const app of Object.values(apps)) wrk(`http://127.0.0.1:${app.port}/`, { seconds: 2 });
  for (const name of ['bare', 'kit', 'kit', 'bare']) windows[name].push(threadWindow(apps[name]));
  apps.kit.child.kill('SIGUSR2');
  requests = rateLoad(`http://127.0.0.1:${apps.kit.port}/`);
  apps.kit.child.kill('SIGUSR2');
  for (let waited = 0; !apps.kit.stdout().includes('"profiled"'); waited += 50) {
    if (waited > 30_000) throw new Error(`no profile\n${apps.kit.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
} catch (error) {
  rmSync(dir, { recursive: true, force: true });
  throw error;
} finally {
  for (const app of Object.values(apps)) await stop(app.child);
  await backends.stop();
}
const profile = JSON.parse(readFileSync(out, 'utf8'));
// KEEP_PROFILE=file keeps the raw profile (for Chrome DevTools or a closer look at one function).
if (process.env.KEEP_PROFILE) writeFileSync(process.env.KEEP_PROFILE, JSON.stringify(profile));
rmSync(dir, { recursive: true, force: true });

const threads = Object.fromEntries(
  Object.entries(windows).map(([name, runs]) => [
    name,
    Object.fromEntries(
      [...new Set(runs.flatMap(Object.keys))].map((kind) => [kind, median(runs.map((r) => r[kind] ?? 0))]),
    ),
  ]),
);

// Busy samples per function name, inclusive (only the kit's bundle, where these names are unambiguous).
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const rowCounts = Object.fromEntries(Object.keys(ROWS).map((label) => [label, 0]));
const rowMatchers = Object.entries(ROWS).map(([label, fns]) => ({
  label,
  inclusive: fns.filter((f) => !f.endsWith(':self')),
  self: fns.filter((f) => f.endsWith(':self')).map((f) => f.slice(0, -5)),
}));
let busy = 0;
let stalls = 0;
let stalledUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const leaf = byId.get(id).callFrame;
  if (leaf.functionName === '(idle)') return;
  if (dt > GAP_FACTOR * SAMPLING_US) {
    stalls++;
    stalledUs += dt;
  }
  busy++;
  const onStack = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = byId.get(cur).callFrame;
    if (frame.url.endsWith('sdk.cjs')) onStack.add(frame.functionName);
  }
  const leafName = leaf.url.endsWith('sdk.cjs') ? leaf.functionName : undefined;
  // A sample counts once per row, however many of the row's functions are on its stack.
  for (const row of rowMatchers)
    if (row.inclusive.some((f) => onStack.has(f)) || row.self.includes(leafName)) rowCounts[row.label]++;
});
const mainUs = threads.kit.main;
const shares = Object.fromEntries(Object.entries(rowCounts).map(([label, n]) => [label, n / busy]));
const results = {
  machine: { ...machine(), loadavgAtStart: load0, loadavgAtEnd: loadavg() },
  ratePerSecond: RATE,
  windowSeconds: WINDOW_S,
  threadCpuUsPerRequest: threads,
  threadWindows: windows,
  profile: { requests, busySamples: busy, samplerStalls: stalls, samplerStalledUs: stalledUs },
  shareOfMainThreadBusySamples: shares,
  usPerRequest: Object.fromEntries(Object.entries(shares).map(([label, s]) => [label, s * mainUs])),
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'hooks-profile.json'), JSON.stringify(results, null, 2) + '\n');

const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const t = threads;
const added = (kind) => (t.kit[kind] ?? 0) - (t.bare[kind] ?? 0);
const report =
  `Per thread, hook and stage — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, bench/app.cjs at ${RATE} requests/s, ` +
  `${WINDOW_S} s windows (${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${la(load0)} at start, ${la(results.machine.loadavgAtEnd)} at end)\n\n` +
  `| thread | bare: CPU µs per request | kit: CPU µs per request | added by the kit |\n| --- | --- | --- | --- |\n` +
  [
    ['main thread (the app, the hooks, the SDK, the hand-over)', 'main'],
    ['export worker (decode, official OTLP serializer, HTTP)', 'exportWorker'],
    ["V8's helper threads (concurrent GC, JIT compilation)", 'v8Helpers'],
    ["libuv's thread pool", 'libuvPool'],
    ['other threads', 'other'],
    ['all threads', 'total'],
  ]
    .map(
      ([label, kind]) =>
        `| ${label} | ${fmt(t.bare[kind] ?? 0, 0)} | ${fmt(t.kit[kind] ?? 0, 0)} | ${fmt(added(kind), 0)} |`,
    )
    .join('\n') +
  `\n\n| main thread: hook or stage | µs per request (inclusive) | share of the main thread's busy samples |\n| --- | --- | --- |\n` +
  Object.entries(shares)
    .map(([label, s]) => `| ${label} | ${fmt(s * mainUs, 1)} | ${fmt(s * 100, 1)} % |`)
    .join('\n') +
  `\n\nµs per request = the row's share of the profiled main thread's busy samples × its CPU per request from /proc ` +
  `(${fmt(mainUs, 0)} µs, measured with no profiler running). ${busy} busy samples over ${requests} requests; ` +
  `${stalls} samples came after a sampler stall of more than ${GAP_FACTOR} intervals (${fmt(stalledUs / 1000, 0)} ms in all).\n`;
console.log(`\n${report}`);
updateReadmeBlock('hooks-profile', report);
