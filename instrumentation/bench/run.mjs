#!/usr/bin/env node
// Traces benchmark (issue: foundation §5). Same handler for every variant (HTTP in, one Postgres query,
// one outbound HTTP call); bare node vs the kit vs stock auto-instrumentations-node/register, all
// exporting to the same local sink; interleaved rounds, medians, ratios against bare measured in the
// same run. Writes bench/results/traces.json and prints a Markdown table.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  fmt,
  machine,
  median,
  startLoadBackends,
  updateReadmeBlock,
  measureLoad,
  interleavedRounds,
  mediansByVariant,
} from './lib.mjs';

const here = import.meta.dirname;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.DURATION_S ?? 8);
const STARTUP_RUNS = Number(process.env.STARTUP_RUNS ?? 10);

async function closedPort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const backends = await startLoadBackends();
const { sinkUrl } = backends;
const deadUrl = `http://127.0.0.1:${await closedPort()}`;

// Everything that is not the variant's own choice is the same (startLoadBackends), and no metrics/logs:
// this benchmark is about traces.
const common = { ...backends.env, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
// The app is CommonJS for the three compared variants: stock `--import …/register` does not trace the
// server side of an ES module's `import http from 'node:http'` (measured: 0 SERVER spans), so on app.mjs it
// would do a third less work than the kit and its "loss" would not be comparable. The sink counts spans
// per request for every variant, which shows the work traced was the same. kit_esm is the same handler as
// an ES module (the kit's loader hook instruments it); kit_sampled_10 is the kit with 10 % head sampling.
const KIT = ['--import', '@lgtm-apm/instrumentation'];
const VARIANTS = {
  bare: { args: [], env: {}, file: 'app.cjs' },
  kit: { args: KIT, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl }, file: 'app.cjs' },
  stock: {
    args: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl },
    file: 'app.cjs',
  },
  kit_esm: { args: KIT, env: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl }, file: 'app.mjs' },
  kit_sampled_10: {
    args: KIT,
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    },
    file: 'app.cjs',
  },
  // Instrumentation hooks and context propagation alone, recording nothing: splits the kit's cost into
  // "being hooked in" and "recording and exporting spans".
  kit_unsampled: {
    args: KIT,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_TRACES_SAMPLER: 'always_off' },
    file: 'app.cjs',
  },
  // Everything but protobuf encoding and sending: the export's share of the kit's cost.
  kit_no_export: { args: ['--require', join(here, 'preload-noop-exporter.cjs')], env: {}, file: 'app.cjs' },
  kit_backend_down: {
    args: KIT,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: deadUrl, OTEL_EXPORTER_OTLP_TIMEOUT: '2000' },
    file: 'app.cjs',
  },
};
const LOAD_VARIANTS = (process.env.VARIANTS ?? Object.keys(VARIANTS).join(',')).split(',');
for (const name of LOAD_VARIANTS) if (!VARIANTS[name]) throw new Error(`unknown variant ${name}`);
for (const needed of ['bare', 'kit', 'stock'])
  if (!LOAD_VARIANTS.includes(needed))
    throw new Error(`VARIANTS must include ${needed}: the ratios compare against it`);

async function loadRound(name) {
  const v = VARIANTS[name];
  const { result } = await measureLoad({
    args: v.args,
    file: join(here, v.file),
    env: { ...common, ...v.env },
    cwd: here,
    seconds: SECONDS,
    sinkUrl,
    memoryProbe: true,
  });
  return result;
}

/** Start-up alone: `node [preload] -e 0`, wall time, interleaved. */
function startupRound() {
  const out = {};
  const variants = {
    bare: [],
    kit: ['--import', '@lgtm-apm/instrumentation'],
    stock: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
  };
  for (const [name, args] of Object.entries(variants)) {
    const t0 = performance.now();
    const res = spawnSync(process.execPath, [...args, '-e', '0'], {
      cwd: here,
      env: { ...process.env, ...common, OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl },
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`${name} -e 0 failed: ${res.stderr}`);
    out[name] = performance.now() - t0;
  }
  return out;
}

const results = { machine: machine(), rounds: ROUNDS, seconds: SECONDS, load: {}, startup: {} };
results.load = await interleavedRounds(LOAD_VARIANTS, ROUNDS, loadRound);
const startupRuns = { bare: [], kit: [], stock: [] };
for (let i = 0; i < STARTUP_RUNS; i++) {
  const r = startupRound();
  for (const k of Object.keys(startupRuns)) startupRuns[k].push(r[k]);
}
for (const k of Object.keys(startupRuns))
  results.startup[k] = { runs: startupRuns[k], medianMs: median(startupRuns[k]) };

const med = mediansByVariant(results.load);
results.medians = med;
const bare = med.bare;
const loss = (name) => 1 - med[name].rps / bare.rps;
const startupOverhead = (name) => results.startup[name].medianMs - results.startup.bare.medianMs;
results.ratios = {
  kitThroughputLoss: loss('kit'),
  stockThroughputLoss: loss('stock'),
  kitCpuPerRequestVsBare: med.kit.cpuMsPerRequest / bare.cpuMsPerRequest,
  stockCpuPerRequestVsBare: med.stock.cpuMsPerRequest / bare.cpuMsPerRequest,
  kitStartupOverheadMs: startupOverhead('kit'),
  stockStartupOverheadMs: startupOverhead('stock'),
  kitRssDeltaMb: med.kit.rssMbAfterLoad - bare.rssMbAfterLoad,
  stockRssDeltaMb: med.stock.rssMbAfterLoad - bare.rssMbAfterLoad,
  kitLiveHeapDeltaMb: med.kit.heapMbAfterGc - bare.heapMbAfterGc,
  stockLiveHeapDeltaMb: med.stock.heapMbAfterGc - bare.heapMbAfterGc,
  // 1.0 when stock traced as many spans per request as the kit; the loss comparison is fair only then.
  stockSpansPerKitSpan: med.stock.spansPerRequest / med.kit.spansPerRequest,
};
const r = results.ratios;
results.targets = {
  'throughput loss <= 3% vs bare': r.kitThroughputLoss <= 0.03,
  "throughput loss <= half of stock's": r.kitThroughputLoss <= r.stockThroughputLoss / 2,
  "start-up overhead <= 1/3 of stock's": r.kitStartupOverheadMs <= r.stockStartupOverheadMs / 3,
  'RSS <= +25 MB vs bare': r.kitRssDeltaMb <= 25,
};

results.sink = await backends.sinkStats();
await backends.stop();

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'traces.json'), JSON.stringify(results, null, 2) + '\n');

const table = () =>
  rows
    .map((row) => `| ${row.join(' | ')} |`)
    .join('\n')
    .replace(/\n/, `\n|${' --- |'.repeat(rows[0].length)}\n`);
const rows = [
  ['metric', ...LOAD_VARIANTS],
  ['throughput (req/s)', ...LOAD_VARIANTS.map((n) => fmt(med[n].rps, 0))],
  ['latency p50 / p99 (ms)', ...LOAD_VARIANTS.map((n) => `${fmt(med[n].p50, 2)} / ${fmt(med[n].p99, 2)}`)],
  ['CPU ms per request', ...LOAD_VARIANTS.map((n) => fmt(med[n].cpuMsPerRequest, 3))],
  ['spans per request (at the sink)', ...LOAD_VARIANTS.map((n) => fmt(med[n].spansPerRequest, 2))],
  ['RSS after load (MB)', ...LOAD_VARIANTS.map((n) => fmt(med[n].rssMbAfterLoad, 0))],
  ['live heap after load and a full GC (MB)', ...LOAD_VARIANTS.map((n) => fmt(med[n].heapMbAfterGc, 1))],
  ['time to listen, in-process (ms)', ...LOAD_VARIANTS.map((n) => fmt(med[n].listenMs, 0))],
  ['time to listen, from spawn (ms)', ...LOAD_VARIANTS.map((n) => fmt(med[n].spawnToListenMs, 0))],
  ['`node -e 0` start-up (ms)', ...LOAD_VARIANTS.map((n) => fmt(results.startup[n]?.medianMs, 0))],
];
const heading = `Traces benchmark — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${ROUNDS} rounds × ${SECONDS} s, medians (${results.machine.date.slice(0, 10)}, commit ${results.machine.commit})`;
const summary =
  `kit: throughput loss ${fmt(r.kitThroughputLoss * 100)}% (stock ${fmt(r.stockThroughputLoss * 100)}%), ` +
  `CPU/request ${fmt(r.kitCpuPerRequestVsBare, 2)}× bare (stock ${fmt(r.stockCpuPerRequestVsBare, 2)}×), ` +
  `start-up +${fmt(r.kitStartupOverheadMs, 0)} ms (stock +${fmt(r.stockStartupOverheadMs, 0)} ms), ` +
  `RSS +${fmt(r.kitRssDeltaMb, 0)} MB (stock +${fmt(r.stockRssDeltaMb, 0)} MB), ` +
  `live heap after GC +${fmt(r.kitLiveHeapDeltaMb, 1)} MB (stock +${fmt(r.stockLiveHeapDeltaMb, 1)} MB); ` +
  `spans per request kit ${fmt(med.kit.spansPerRequest, 2)}, stock ${fmt(med.stock.spansPerRequest, 2)}`;
const verdicts = Object.entries(results.targets)
  .map(([target, met]) => `- ${met ? 'met' : '**not met**'}: ${target}`)
  .join('\n');
const report = `${heading}\n\n${table()}\n\n${summary}\n\n${verdicts}\n`;
console.log(`\n${report}`);

updateReadmeBlock('traces', report);
