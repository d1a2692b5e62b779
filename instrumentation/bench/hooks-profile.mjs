#!/usr/bin/env node
// Where the kit's per-request cost goes, per hook and per stage (issue 14): the demo-shaped app
// (bench/app.cjs) under the kit with V8's sampling profiler on during PROFILE_S s of wrk load; the time
// of every sample is charged to each function on its stack (inclusive time), summed per function and
// divided by the requests served. Hooks include the span work they start (startSpan, end and the
// processors that runs); the stage rows are the same time seen from the SDK's side, so rows overlap.
// Sampling is statistical, and on a shared machine a sample's time includes the moments the thread was
// preempted, which inflates every row alike: read the shares, not the µs.
// Writes bench/results/hooks-profile.json and the README block `bench:hooks-profile`.
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, machine, startLoadBackends, startNode, stop, updateReadmeBlock, wrk } from './lib.mjs';

const here = import.meta.dirname;
const PROFILE_S = Number(process.env.PROFILE_S ?? 8);
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
    'setAttribute',
  ],
  // The SDK's own span machinery (@opentelemetry/sdk-trace, shared with stock), function by function, so
  // what a kept library owns is measured apart from the kit's code; these rows are inside the two above.
  'SDK: Span constructor (SpanImpl: clock, limits, attributes copied)': ['SpanImpl'],
  'SDK: sampler (ParentBased, then AlwaysOn)': ['shouldSample'],
  'SDK: trace and span ids (RandomIdGenerator)': ['generateTraceId', 'generateSpanId'],
  'SDK: span times (_getTime, at start, end and events)': ['_getTime'],
  'SDK: attribute copies (cleanAttributes, sanitizeAttributes)': ['cleanAttributes', 'sanitizeAttributes'],
  'SDK: batch processor queue (_addToBuffer)': ['_addToBuffer'],
  'stage: kit span processor at span end (service-graph hints, redaction)': ['onEnding'],
  'stage: span processors onEnd (active requests, batch queue)': ['onEnd'],
  'stage: export encoding (protobuf serialisation)': ['serializeSpan'],
};

const dir = mkdtempSync(join(tmpdir(), 'lgtm-apm-profile-'));
const out = join(dir, 'kit.cpuprofile');
const load0 = loadavg();
// Whatever fails (no port line, no profile, wrk missing), the sink, the downstream service, the app and
// the temporary folder go with it: a failed run leaves no process behind.
const backends = await startLoadBackends();
let app;
let load;
try {
  app = await startNode(
    [
      '--require',
      join(here, 'profile-preload.cjs'),
      '--import',
      '@lgtm-apm/instrumentation',
      join(here, 'app.cjs'),
    ],
    { ...backends.env, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', PROFILE_OUT: out },
    here,
  );
  const url = `http://127.0.0.1:${app.port}/`;
  wrk(url, { seconds: 2 });
  app.child.kill('SIGUSR2');
  load = wrk(url, { seconds: PROFILE_S });
  app.child.kill('SIGUSR2');
  for (let waited = 0; !app.stdout().includes('"profiled"'); waited += 50) {
    if (waited > 30_000) throw new Error(`no profile\n${app.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
} catch (error) {
  rmSync(dir, { recursive: true, force: true });
  throw error;
} finally {
  if (app) await stop(app.child);
  await backends.stop();
}
const profile = JSON.parse(readFileSync(out, 'utf8'));
// KEEP_PROFILE=file keeps the raw profile (for Chrome DevTools or a closer look at one function).
if (process.env.KEEP_PROFILE) writeFileSync(process.env.KEEP_PROFILE, JSON.stringify(profile));
rmSync(dir, { recursive: true, force: true });

// Inclusive µs per function name (only the kit's bundle, where these names are unambiguous).
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
const self = new Map();
let busyUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  const leaf = byId.get(id).callFrame;
  if (leaf.functionName === '(idle)') return;
  busyUs += dt;
  if (leaf.url.endsWith('sdk.cjs')) self.set(leaf.functionName, (self.get(leaf.functionName) ?? 0) + dt);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const frame = byId.get(cur).callFrame;
    if (!frame.url.endsWith('sdk.cjs') || seen.has(frame.functionName)) continue;
    seen.add(frame.functionName);
    inclusive.set(frame.functionName, (inclusive.get(frame.functionName) ?? 0) + dt);
  }
});
const requests = load.requests;
const perRequest = (fns) =>
  fns.reduce(
    (sum, f) => sum + (f.endsWith(':self') ? (self.get(f.slice(0, -5)) ?? 0) : (inclusive.get(f) ?? 0)),
    0,
  ) / requests;
const rows = Object.fromEntries(Object.entries(ROWS).map(([label, fns]) => [label, perRequest(fns)]));
const results = {
  machine: { ...machine(), loadavgAtStart: load0, loadavgAtEnd: loadavg() },
  profileSeconds: PROFILE_S,
  requests,
  mainThreadBusyUsPerRequest: busyUs / requests,
  usPerRequest: rows,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'hooks-profile.json'), JSON.stringify(results, null, 2) + '\n');
const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const report =
  `Per hook and stage — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${PROFILE_S} s of wrk on bench/app.cjs under the kit, V8 sampling profiler at 100 µs ` +
  `(${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${la(load0)} at start, ${la(results.machine.loadavgAtEnd)} at end)\n\n` +
  `| hook or stage | µs per request (inclusive) | share of the main thread's busy time |\n| --- | --- | --- |\n` +
  Object.entries(rows)
    .map(
      ([label, us]) =>
        `| ${label} | ${fmt(us, 1)} | ${fmt((us / results.mainThreadBusyUsPerRequest) * 100, 1)} % |`,
    )
    .join('\n') +
  `\n\nMain thread busy ${fmt(results.mainThreadBusyUsPerRequest, 0)} µs per request in all (the app's own work included), ${requests} requests profiled.\n`;
console.log(`\n${report}`);
updateReadmeBlock('hooks-profile', report);
