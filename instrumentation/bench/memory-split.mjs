#!/usr/bin/env node
// Where the express app's RSS growth goes (issue 14: "RSS after 10k requests, the kit's growth over bare
// ≤ ½ of stock's"). The small express app (bench/app-express.cjs) serves exactly REQUESTS requests under:
// bare; the kit (traces exported by its export worker); the kit exporting on the app's thread instead
// (bench/preload-in-thread-export.cjs: the official OTLP exporter behind the SDK's batch processor, as
// before the worker); the kit with a dropping exporter (no export at all); the kit recording nothing
// (always_off: the hooks alone); and stock. For each: RSS before and after, the main isolate's heap (its
// young generation, "new space", apart) and the export worker's heap (bench/probe-heaps.cjs), and from
// V8's own GC trace (--trace-gc-nvp, main isolate only) the bytes allocated and promoted to the old
// generation per request while the requests ran: V8 grows the young generation (up to its maximum) by
// how much survives its scavenges, so promoted bytes per request, not the live heap, decide how far RSS
// grows. ROUNDS interleaved rounds, medians; the load average is recorded. Writes
// bench/results/memory-split.json and the README block `bench:memory-split`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  fireRequests,
  fmt,
  machine,
  median,
  rotatingSlices,
  rssMb,
  startLoadBackends,
  startNode,
  stop,
  updateReadmeBlock,
} from './lib.mjs';

const here = import.meta.dirname;
const ROUNDS = Math.max(1, Number(process.env.ROUNDS ?? 3));
const REQUESTS = Number(process.env.REQUESTS ?? 10_000);
const KIT = ['--import', '@lgtm-apm/instrumentation'];
const VARIANTS = {
  bare: { args: [], env: {} },
  kit: { args: KIT, env: {} },
  kit_export_on_app_thread: { args: ['--require', join(here, 'preload-in-thread-export.cjs')], env: {} },
  kit_no_export: { args: ['--require', join(here, 'preload-noop-exporter.cjs')], env: {} },
  kit_recording_nothing: { args: KIT, env: { OTEL_TRACES_SAMPLER: 'always_off' } },
  stock: { args: ['--import', '@opentelemetry/auto-instrumentations-node/register'], env: {} },
};
const names = process.env.VARIANTS ? process.env.VARIANTS.split(',') : Object.keys(VARIANTS);

/** Asks bench/probe-heaps.cjs for its JSON line; the GC trace lines printed before it are returned too. */
async function heaps(app, timeoutMs = 30_000) {
  const before = app.stdout().length;
  app.child.kill('SIGUSR2');
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    const text = app.stdout().slice(before);
    const line = text.split('\n').find((l) => l.startsWith('{"heaps"'));
    if (line) return { ...JSON.parse(line).heaps, at: before + text.indexOf(line) };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no heap probe answer within ${timeoutMs} ms\n${app.stderr()}`);
}

/** Scavenges of the main isolate (the first one to collect, at start-up) in a stretch of --trace-gc-nvp output. */
function scavenges(text, isolate) {
  return text
    .split('\n')
    .filter((l) => l.includes(' gc=s ') && l.includes(isolate))
    .map((l) => Object.fromEntries([...l.matchAll(/(\w+)=([\d.]+)/g)].map((m) => [m[1], Number(m[2])])));
}

async function measure(name, backends) {
  const v = VARIANTS[name];
  const app = await startNode(
    ['--trace-gc-nvp', '--require', join(here, 'probe-heaps.cjs'), ...v.args, join(here, 'app-express.cjs')],
    {
      ...backends.env,
      ...v.env,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_SERVICE_NAME: `memory-${name}`,
    },
    here,
  );
  try {
    const url = `http://127.0.0.1:${app.port}/`;
    await fireRequests(url, 50);
    const start = await heaps(app);
    const failed = await fireRequests(url, REQUESTS);
    const end = await heaps(app);
    const isolate = /\[\d+:(0x[0-9a-f]+)/.exec(app.stdout())?.[1] ?? '';
    const gcs = scavenges(app.stdout().slice(start.at, end.at), isolate);
    const sum = (key) => gcs.reduce((total, g) => total + (g[key] ?? 0), 0);
    const result = {
      failed,
      rssMbBefore: start.rssMb,
      rssMbAfter: rssMb(app.child.pid),
      mainHeapTotalMb: end.mainHeapTotalMb,
      newSpaceMb: end.newSpaceMb,
      oldSpaceMb: end.oldSpaceMb,
      workerHeapTotalMb: end.workers.reduce((total, w) => total + w.totalMb, 0),
      workerHeapUsedMb: end.workers.reduce((total, w) => total + w.usedMb, 0),
      scavenges: gcs.length,
      allocatedKbPerRequest: sum('allocated') / 1024 / REQUESTS,
      promotedKbPerRequest: sum('promoted') / 1024 / REQUESTS,
    };
    console.error(
      `${name}: RSS ${fmt(result.rssMbBefore, 0)} → ${fmt(result.rssMbAfter, 0)} MB, new space ${fmt(result.newSpaceMb, 0)} MB, ` +
        `worker heap ${fmt(result.workerHeapTotalMb, 0)} MB, promoted ${fmt(result.promotedKbPerRequest, 2)} KB/request`,
    );
    return result;
  } finally {
    await stop(app.child);
  }
}

const load0 = loadavg();
const backends = await startLoadBackends();
let runs;
try {
  runs = await rotatingSlices(names, ROUNDS, (name) => measure(name, backends), { reverse: false });
} finally {
  await backends.stop();
}
const medians = Object.fromEntries(
  names.map((n) => [
    n,
    Object.fromEntries(Object.keys(runs[n][0]).map((key) => [key, median(runs[n].map((r) => r[key]))])),
  ]),
);
const growth = (n) => medians[n].rssMbAfter - medians.bare.rssMbAfter;
const results = {
  machine: { ...machine(), loadavgAtStart: load0, loadavgAtEnd: loadavg() },
  rounds: ROUNDS,
  requests: REQUESTS,
  variants: VARIANTS,
  runs,
  medians,
  rssGrowthOverBareMb: Object.fromEntries(names.map((n) => [n, growth(n)])),
  exportWorkerShareMb: medians.kit.rssMbAfter - medians.kit_export_on_app_thread.rssMbAfter,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'memory-split.json'), JSON.stringify(results, null, 2) + '\n');

const rows = [
  ['metric', ...names],
  ['RSS after 50 requests (MB)', ...names.map((n) => fmt(medians[n].rssMbBefore, 0))],
  [`RSS after ${REQUESTS} more (MB)`, ...names.map((n) => fmt(medians[n].rssMbAfter, 0))],
  ['RSS over bare after them (MB)', ...names.map((n) => fmt(growth(n), 0))],
  ['main isolate: heap (MB)', ...names.map((n) => fmt(medians[n].mainHeapTotalMb, 0))],
  ['main isolate: of it young generation (MB)', ...names.map((n) => fmt(medians[n].newSpaceMb, 0))],
  [
    'export worker: heap total / used (MB)',
    ...names.map((n) =>
      medians[n].workerHeapTotalMb
        ? `${fmt(medians[n].workerHeapTotalMb, 0)} / ${fmt(medians[n].workerHeapUsedMb, 0)}`
        : '–',
    ),
  ],
  ['main isolate: allocated per request (KB)', ...names.map((n) => fmt(medians[n].allocatedKbPerRequest, 1))],
  ['main isolate: promoted per request (KB)', ...names.map((n) => fmt(medians[n].promotedKbPerRequest, 2))],
];
const table = rows
  .map((row) => `| ${row.join(' | ')} |`)
  .join('\n')
  .replace(/\n/, `\n|${' --- |'.repeat(rows[0].length)}\n`);
const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const report =
  `Memory split, express app — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${ROUNDS > 1 ? `${ROUNDS} interleaved rounds × ${REQUESTS} requests, medians` : `one round × ${REQUESTS} requests per variant, in turn`} ` +
  `(${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${la(load0)} at start, ${la(results.machine.loadavgAtEnd)} at end: a shared, busy machine)\n\n` +
  `${table}\n\n` +
  `RSS growth over bare: kit +${fmt(growth('kit'), 0)} MB, exporting on the app thread +${fmt(growth('kit_export_on_app_thread'), 0)} MB ` +
  `(the export worker's share: ${fmt(results.exportWorkerShareMb, 0)} MB), no export +${fmt(growth('kit_no_export'), 0)} MB, ` +
  `recording nothing +${fmt(growth('kit_recording_nothing'), 0)} MB, stock +${fmt(growth('stock'), 0)} MB (kit/stock ${fmt(growth('kit') / growth('stock'), 2)}).\n`;
console.log(`\n${report}`);
updateReadmeBlock('memory-split', report);
