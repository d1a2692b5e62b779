#!/usr/bin/env node
// Agent speed (issue 14): bare node, stock `auto-instrumentations-node/register`, the kit with its own
// HTTP hooks (the default) and the kit with the upstream HTTP instrumentations
// (LGTM_APM_HTTP_HOOKS=upstream), measured in one run against the same local sink:
//   1. added CPU per request on the demo-shaped handler (bench/demo-handler.cjs: HTTP in, Postgres, fetch)
//   2. throughput loss at saturation on a ≈ 2 ms CPU handler (bench/app-2ms.cjs: Postgres + JSON page)
//   3. live heap after a full GC and idle RSS (demo-shaped app)
//   4. RSS after 10,000 requests on a small express app (bench/app-express.cjs)
//   5. start-up (`node [preload] -e 0`)
// Each round starts every variant's app at once and rotates short wrk slices among them, so the shared
// machine's noise (whole 8 s runs move by ±30 % here) hits all variants alike; ROUNDS ≥ 3, medians.
// The machine's load average is recorded: these 2-core VMs are shared. Writes
// bench/results/agent-speed.json and the README block `bench:agent-speed`; `--report-only` rebuilds the
// medians, verdicts and README block from that JSON without measuring again.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  cpuSlice,
  fireRequests,
  fmt,
  machine,
  median,
  probeMemory,
  rotatingSlices,
  rssMb,
  startLoadBackends,
  startNode,
  stop,
  updateReadmeBlock,
  wrk,
} from './lib.mjs';

const here = import.meta.dirname;
const ROUNDS = Math.max(3, Number(process.env.ROUNDS ?? 3));
const SLICES = Number(process.env.SLICES ?? 4); // per round and variant
const SLICE_S = Number(process.env.SLICE_S ?? 2);
const EXPRESS_REQUESTS = Number(process.env.EXPRESS_REQUESTS ?? 10_000);
const STARTUP_RUNS = Number(process.env.STARTUP_RUNS ?? 10);

const KIT = ['--import', '@lgtm-apm/instrumentation'];
const STOCK = ['--import', '@opentelemetry/auto-instrumentations-node/register'];
const VARIANTS = {
  bare: { args: [], env: {} },
  stock: { args: STOCK, env: {} },
  kit: { args: KIT, env: {} },
  kit_upstream: { args: KIT, env: { LGTM_APM_HTTP_HOOKS: 'upstream' } },
};
const names = Object.keys(VARIANTS);
const resultsPath = join(here, 'results', 'agent-speed.json');

/** Starts every variant's `file` at once, each with its own service name (the sink counts spans per service). */
async function startAll(file, common) {
  const apps = {};
  for (const name of names) {
    const v = VARIANTS[name];
    const app = await startNode(
      ['--expose-gc', '--require', join(here, 'probe-memory.cjs'), ...v.args, join(here, file)],
      { ...common, ...v.env, OTEL_SERVICE_NAME: `bench-${name}` },
      here,
    );
    apps[name] = { app, url: `http://127.0.0.1:${app.port}/` };
  }
  return apps;
}

/** Rotating wrk slices over the apps; per variant the CPU ms per request and req/s of every slice. */
async function slices(apps, round) {
  const runs = await rotatingSlices(
    names,
    SLICES,
    (name) => cpuSlice(apps[name].app.child.pid, apps[name].url, SLICE_S),
    { offset: round },
  );
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        cpu: runs[n].map((r) => r.cpuMsPerRequest),
        rps: runs[n].map((r) => r.rps),
        requests: runs[n].reduce((sum, r) => sum + r.requests, 0),
      },
    ]),
  );
}

/** Runs every measurement; returns the raw series (medians and verdicts are derived from them). */
async function measure() {
  const load0 = loadavg();
  const backends = await startLoadBackends();
  const common = { ...backends.env, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
  const results = {
    machine: machine(),
    rounds: ROUNDS,
    slicesPerRound: SLICES,
    sliceSeconds: SLICE_S,
    expressRequests: EXPRESS_REQUESTS,
    variants: Object.fromEntries(names.map((n) => [n, VARIANTS[n]])),
    demo: Object.fromEntries(
      names.map((n) => [n, { cpu: [], rps: [], idleRssMb: [], heapMbAfterGc: [], rssMbAfterLoad: [] }]),
    ),
    twoMs: Object.fromEntries(names.map((n) => [n, { cpu: [], rps: [] }])),
    express: Object.fromEntries(names.map((n) => [n, { idleRssMb: [], rssMbAfter: [], failed: [] }])),
    spansPerRequest: { demo: {}, twoMs: {} },
    startup: {},
  };

  for (let round = 0; round < ROUNDS; round++) {
    // 1 + 3: demo-shaped handler.
    await backends.sinkStats();
    let apps = await startAll('app.cjs', common);
    const warm = {};
    for (const name of names) {
      warm[name] = wrk(apps[name].url, { seconds: 1 }).requests; // JIT, pools, the exporter's first connection
      results.demo[name].idleRssMb.push(rssMb(apps[name].app.child.pid));
    }
    const demo = await slices(apps, round);
    for (const name of names) {
      results.demo[name].cpu.push(...demo[name].cpu);
      results.demo[name].rps.push(...demo[name].rps);
      results.demo[name].rssMbAfterLoad.push(rssMb(apps[name].app.child.pid));
      results.demo[name].heapMbAfterGc.push((await probeMemory(apps[name].app)).heapUsedMb);
    }
    for (const name of names) await stop(apps[name].app.child);
    const demoSpans = await backends.sinkStats();
    if (round === 0)
      for (const name of names)
        results.spansPerRequest.demo[name] =
          (demoSpans.byService[`bench-${name}`] ?? 0) / (warm[name] + demo[name].requests);

    // 2: ≈ 2 ms CPU handler, throughput at saturation.
    apps = await startAll('app-2ms.cjs', common);
    for (const name of names) warm[name] = wrk(apps[name].url, { seconds: 1 }).requests;
    const two = await slices(apps, round);
    for (const name of names) {
      results.twoMs[name].cpu.push(...two[name].cpu);
      results.twoMs[name].rps.push(...two[name].rps);
    }
    for (const name of names) await stop(apps[name].app.child);
    const twoSpans = await backends.sinkStats();
    if (round === 0)
      for (const name of names)
        results.spansPerRequest.twoMs[name] =
          (twoSpans.byService[`bench-${name}`] ?? 0) / (warm[name] + two[name].requests);

    // 4: small express app, RSS after exactly EXPRESS_REQUESTS requests.
    apps = await startAll('app-express.cjs', common);
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const a = apps[name];
      await fireRequests(a.url, 50);
      results.express[name].idleRssMb.push(rssMb(a.app.child.pid));
      results.express[name].failed.push(await fireRequests(a.url, EXPRESS_REQUESTS));
      results.express[name].rssMbAfter.push(rssMb(a.app.child.pid));
    }
    for (const name of names) await stop(apps[name].app.child);
    await backends.sinkStats();
    console.error(
      `round ${round + 1}/${ROUNDS} done (load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')})`,
    );
  }

  // 5: start-up, interleaved.
  const startupRuns = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < STARTUP_RUNS; i++) {
    for (const name of names.map((_, j) => names[(j + i) % names.length])) {
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [...VARIANTS[name].args, '-e', '0'], {
        cwd: here,
        env: { ...process.env, ...common, ...VARIANTS[name].env },
        encoding: 'utf8',
      });
      if (res.status !== 0) throw new Error(`${name} -e 0 failed: ${res.stderr}`);
      startupRuns[name].push(performance.now() - t0);
    }
  }
  for (const name of names)
    results.startup[name] = { runs: startupRuns[name], medianMs: median(startupRuns[name]) };
  await backends.stop();
  results.machine.loadavgAtStart = load0;
  results.machine.loadavgAtEnd = loadavg();
  return results;
}

const results = process.argv.includes('--report-only')
  ? JSON.parse(readFileSync(resultsPath, 'utf8'))
  : await measure();
const m = (series) => median(series);
const med = Object.fromEntries(
  names.map((n) => [
    n,
    {
      demoCpuMsPerRequest: m(results.demo[n].cpu),
      demoRps: m(results.demo[n].rps),
      idleRssMb: m(results.demo[n].idleRssMb),
      heapMbAfterGc: m(results.demo[n].heapMbAfterGc),
      rssMbAfterLoad: m(results.demo[n].rssMbAfterLoad),
      twoMsCpuMsPerRequest: m(results.twoMs[n].cpu),
      twoMsRps: m(results.twoMs[n].rps),
      expressIdleRssMb: m(results.express[n].idleRssMb),
      expressRssMbAfter: m(results.express[n].rssMbAfter),
      startupMs: results.startup[n].medianMs,
    },
  ]),
);
results.medians = med;
const added = (n, key) => med[n][key] - med.bare[key];
const r = {
  addedCpuMsPerRequest: Object.fromEntries(names.map((n) => [n, added(n, 'demoCpuMsPerRequest')])),
  throughputLoss2ms: Object.fromEntries(names.map((n) => [n, 1 - med[n].twoMsRps / med.bare.twoMsRps])),
  // A single-threaded app's capacity is 1 / (CPU per request): on a machine whose other work starves every
  // variant of CPU, req/s at "saturation" stops showing the agent's cost, this does not.
  capacityLoss2msFromCpu: Object.fromEntries(
    names.map((n) => [n, 1 - med.bare.twoMsCpuMsPerRequest / med[n].twoMsCpuMsPerRequest]),
  ),
  heapMbOverBare: Object.fromEntries(names.map((n) => [n, added(n, 'heapMbAfterGc')])),
  idleRssMbOverBare: Object.fromEntries(names.map((n) => [n, added(n, 'idleRssMb')])),
  expressRssGrowthOverBareMb: Object.fromEntries(names.map((n) => [n, added(n, 'expressRssMbAfter')])),
  startupOverheadMs: Object.fromEntries(names.map((n) => [n, added(n, 'startupMs')])),
};
results.ratios = r;
results.targets = {
  "added CPU per request <= 1/3 of stock's (demo-shaped handler)":
    r.addedCpuMsPerRequest.kit <= r.addedCpuMsPerRequest.stock / 3,
  'throughput loss <= 3 % vs bare (≈ 2 ms CPU handler), as req/s and as capacity from CPU per request':
    r.throughputLoss2ms.kit <= 0.03 && r.capacityLoss2msFromCpu.kit <= 0.03,
  'live heap after GC <= +8 MB over bare': r.heapMbOverBare.kit <= 8,
  'idle RSS <= +25 MB over bare': r.idleRssMbOverBare.kit <= 25,
  "RSS after 10k requests (express): growth over bare <= 1/2 of stock's":
    r.expressRssGrowthOverBareMb.kit <= r.expressRssGrowthOverBareMb.stock / 2,
  "start-up overhead <= 1/3 of stock's": r.startupOverheadMs.kit <= r.startupOverheadMs.stock / 3,
};

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(resultsPath, JSON.stringify(results, null, 2) + '\n');

const rows = [
  ['metric', ...names],
  ['demo handler: CPU ms per request', ...names.map((n) => fmt(med[n].demoCpuMsPerRequest, 3))],
  ['demo handler: added CPU µs per request', ...names.map((n) => fmt(r.addedCpuMsPerRequest[n] * 1000, 0))],
  [
    'demo handler: spans per request (at the sink)',
    ...names.map((n) => fmt(results.spansPerRequest.demo[n], 2)),
  ],
  ['2 ms handler: CPU ms per request', ...names.map((n) => fmt(med[n].twoMsCpuMsPerRequest, 3))],
  ['2 ms handler: throughput (req/s)', ...names.map((n) => fmt(med[n].twoMsRps, 0))],
  ['2 ms handler: throughput loss vs bare', ...names.map((n) => `${fmt(r.throughputLoss2ms[n] * 100, 1)} %`)],
  [
    '2 ms handler: capacity loss implied by CPU per request',
    ...names.map((n) => `${fmt(r.capacityLoss2msFromCpu[n] * 100, 1)} %`),
  ],
  ['2 ms handler: spans per request', ...names.map((n) => fmt(results.spansPerRequest.twoMs[n], 2))],
  ['live heap after load and a full GC (MB)', ...names.map((n) => fmt(med[n].heapMbAfterGc, 1))],
  ['idle RSS, after 1 s of warm-up (MB)', ...names.map((n) => fmt(med[n].idleRssMb, 0))],
  ['RSS after load, demo handler (MB)', ...names.map((n) => fmt(med[n].rssMbAfterLoad, 0))],
  [
    `express: RSS after ${results.expressRequests} requests (MB)`,
    ...names.map((n) => fmt(med[n].expressRssMbAfter, 0)),
  ],
  ['`node -e 0` start-up (ms)', ...names.map((n) => fmt(med[n].startupMs, 0))],
];
const table = rows
  .map((row) => `| ${row.join(' | ')} |`)
  .join('\n')
  .replace(/\n/, `\n|${' --- |'.repeat(rows[0].length)}\n`);
const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const heading =
  `Agent speed — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${results.rounds} rounds × ${results.slicesPerRound} rotating ${results.sliceSeconds} s slices per variant, medians ` +
  `(${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${la(results.machine.loadavgAtStart)} at start, ${la(results.machine.loadavgAtEnd)} at end: a shared, busy machine)`;
const summary =
  `Added CPU per request: kit ${fmt(r.addedCpuMsPerRequest.kit * 1000, 0)} µs, kit with upstream HTTP instrumentations ${fmt(r.addedCpuMsPerRequest.kit_upstream * 1000, 0)} µs, stock ${fmt(r.addedCpuMsPerRequest.stock * 1000, 0)} µs ` +
  `(kit/stock ${fmt(r.addedCpuMsPerRequest.kit / r.addedCpuMsPerRequest.stock, 2)}). ` +
  `Over bare: live heap kit +${fmt(r.heapMbOverBare.kit, 1)} MB (stock +${fmt(r.heapMbOverBare.stock, 1)}), idle RSS +${fmt(r.idleRssMbOverBare.kit, 0)} MB (stock +${fmt(r.idleRssMbOverBare.stock, 0)}), ` +
  `express RSS after ${results.expressRequests} requests +${fmt(r.expressRssGrowthOverBareMb.kit, 0)} MB (stock +${fmt(r.expressRssGrowthOverBareMb.stock, 0)}), ` +
  `start-up +${fmt(r.startupOverheadMs.kit, 0)} ms (stock +${fmt(r.startupOverheadMs.stock, 0)}).`;
const verdicts = Object.entries(results.targets)
  .map(([target, met]) => `- ${met ? 'met' : '**not met**'}: ${target}`)
  .join('\n');
const report = `${heading}\n\n${table}\n\n${summary}\n\n${verdicts}\n`;
console.log(`\n${report}`);
updateReadmeBlock('agent-speed', report);
