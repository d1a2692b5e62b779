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
  CLOCK_TICK_MS,
  cpuTicks,
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
// The express rows: the kit's default (LGTM_APM_EXPRESS_LAYERS=handlers: a span for the route handler
// only) against a span for every layer (`all`, upstream's default) and none (`none`: http.route alone),
// on the plain app and, with `_mw`, on the app behind the demo's two middlewares (APP_MIDDLEWARE=demo),
// each compared with bare on the same app (`baseline`).
const MW = { APP_MIDDLEWARE: 'demo' };
const VARIANTS = {
  bare: { args: [], env: {} },
  kit: { args: KIT, env: {} },
  kit_express_all: { args: KIT, env: { LGTM_APM_EXPRESS_LAYERS: 'all' } },
  kit_express_none: { args: KIT, env: { LGTM_APM_EXPRESS_LAYERS: 'none' } },
  kit_export_on_app_thread: { args: ['--require', join(here, 'preload-in-thread-export.cjs')], env: {} },
  kit_no_export: { args: ['--require', join(here, 'preload-noop-exporter.cjs')], env: {} },
  kit_recording_nothing: { args: KIT, env: { OTEL_TRACES_SAMPLER: 'always_off' } },
  stock: { args: ['--import', '@opentelemetry/auto-instrumentations-node/register'], env: {} },
  bare_mw: { args: [], env: MW, baseline: 'bare_mw' },
  kit_mw: { args: KIT, env: MW, baseline: 'bare_mw' },
  kit_mw_express_all: { args: KIT, env: { ...MW, LGTM_APM_EXPRESS_LAYERS: 'all' }, baseline: 'bare_mw' },
  kit_mw_express_none: { args: KIT, env: { ...MW, LGTM_APM_EXPRESS_LAYERS: 'none' }, baseline: 'bare_mw' },
  stock_mw: {
    args: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
    env: MW,
    baseline: 'bare_mw',
  },
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
    const ticks0 = cpuTicks(app.child.pid);
    const failed = await fireRequests(url, REQUESTS);
    const ticks1 = cpuTicks(app.child.pid);
    const end = await heaps(app);
    const isolate = /\[\d+:(0x[0-9a-f]+)/.exec(app.stdout())?.[1] ?? '';
    const gcs = scavenges(app.stdout().slice(start.at, end.at), isolate);
    const sum = (key) => gcs.reduce((total, g) => total + (g[key] ?? 0), 0);
    const result = {
      failed,
      // The whole process (the export worker's thread included) while the requests ran.
      cpuMsPerRequest: ((ticks1 - ticks0) * CLOCK_TICK_MS) / REQUESTS,
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
        `worker heap ${fmt(result.workerHeapTotalMb, 0)} MB, ${fmt(result.cpuMsPerRequest, 3)} CPU ms/request, ` +
        `allocated ${fmt(result.allocatedKbPerRequest, 1)} KB/request, promoted ${fmt(result.promotedKbPerRequest, 2)} KB/request`,
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
const baselineOf = (n) => VARIANTS[n].baseline ?? 'bare';
const growth = (n) => medians[n].rssMbAfter - medians[baselineOf(n)].rssMbAfter;
const addedCpuUs = (n) => (medians[n].cpuMsPerRequest - medians[baselineOf(n)].cpuMsPerRequest) * 1000;
const results = {
  machine: { ...machine(), loadavgAtStart: load0, loadavgAtEnd: loadavg() },
  rounds: ROUNDS,
  requests: REQUESTS,
  variants: VARIANTS,
  runs,
  medians,
  rssGrowthOverBareMb: Object.fromEntries(names.map((n) => [n, growth(n)])),
  addedCpuUsPerRequest: Object.fromEntries(names.map((n) => [n, addedCpuUs(n)])),
  exportWorkerShareMb:
    medians.kit && medians.kit_export_on_app_thread
      ? medians.kit.rssMbAfter - medians.kit_export_on_app_thread.rssMbAfter
      : undefined,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'memory-split.json'), JSON.stringify(results, null, 2) + '\n');

// One row per variant: thirteen variants do not fit across a README page.
const columns = [
  ['app', (n) => (VARIANTS[n].env.APP_MIDDLEWARE ? '+ 2 middlewares' : 'plain')],
  ['RSS after 50 requests (MB)', (n) => fmt(medians[n].rssMbBefore, 0)],
  [`RSS after ${REQUESTS} more (MB)`, (n) => fmt(medians[n].rssMbAfter, 0)],
  ['RSS over bare (MB)', (n) => fmt(growth(n), 0)],
  ['CPU ms per request', (n) => fmt(medians[n].cpuMsPerRequest, 3)],
  ['added CPU µs per request', (n) => fmt(addedCpuUs(n), 0)],
  [
    'main heap / of it young generation (MB)',
    (n) => `${fmt(medians[n].mainHeapTotalMb, 0)} / ${fmt(medians[n].newSpaceMb, 0)}`,
  ],
  [
    'export worker heap total / used (MB)',
    (n) =>
      medians[n].workerHeapTotalMb
        ? `${fmt(medians[n].workerHeapTotalMb, 0)} / ${fmt(medians[n].workerHeapUsedMb, 0)}`
        : '–',
  ],
  ['allocated per request (KB)', (n) => fmt(medians[n].allocatedKbPerRequest, 1)],
  ['promoted per request (KB)', (n) => fmt(medians[n].promotedKbPerRequest, 2)],
];
const rows = [
  ['variant', ...columns.map(([title]) => title)],
  ...names.map((n) => [n, ...columns.map(([, cell]) => cell(n))]),
];
const table = rows
  .map((row) => `| ${row.join(' | ')} |`)
  .join('\n')
  .replace(/\n/, `\n|${' --- |'.repeat(rows[0].length)}\n`);
const present = (n) => names.includes(n) && names.includes(baselineOf(n));
const growthText = (n, label) => (present(n) ? `${label} +${fmt(growth(n), 0)} MB` : undefined);
const ratioText = (kit, stock) =>
  present(kit) && present(stock) ? ` (${kit}/${stock} ${fmt(growth(kit) / growth(stock), 2)})` : '';
const summary =
  [
    growthText('kit', 'kit'),
    growthText('kit_express_all', 'kit with a span per express layer'),
    growthText('kit_express_none', 'kit with no express span'),
    growthText('kit_export_on_app_thread', 'exporting on the app thread'),
    results.exportWorkerShareMb === undefined
      ? undefined
      : `the export worker's share ${fmt(results.exportWorkerShareMb, 0)} MB`,
    growthText('kit_no_export', 'no export'),
    growthText('kit_recording_nothing', 'recording nothing'),
    growthText('stock', 'stock'),
  ]
    .filter(Boolean)
    .join(', ') + ratioText('kit', 'stock');
const summaryMw = [
  growthText('kit_mw', 'kit'),
  growthText('kit_mw_express_all', 'a span per layer'),
  growthText('kit_mw_express_none', 'no express span'),
  growthText('stock_mw', 'stock'),
]
  .filter(Boolean)
  .join(', ');
const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const report =
  `Memory split, express app — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${ROUNDS > 1 ? `${ROUNDS} interleaved rounds × ${REQUESTS} requests, medians` : `one round × ${REQUESTS} requests per variant, in turn`} ` +
  `(${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${la(load0)} at start, ${la(results.machine.loadavgAtEnd)} at end: a shared, busy machine)\n\n` +
  `${table}\n\n` +
  `RSS growth over bare on the plain app: ${summary}.` +
  (summaryMw
    ? ` Behind the two middlewares (over bare_mw): ${summaryMw}${ratioText('kit_mw', 'stock_mw')}.`
    : '') +
  '\n';
console.log(`\n${report}`);
updateReadmeBlock('memory-split', report);
