#!/usr/bin/env node
// All three signals under load (issue 4 §5): the demo-shaped handler with a pino line and a prom-client
// increment per request (bench/app-signals.cjs; CommonJS so stock traces the server side too, see run.mjs), bare vs the kit with traces only vs the kit with traces,
// metrics and logs vs stock auto-instrumentations-node/register (traces; its metrics and logs off, as
// stock has no prom-client bridge or Loki defaults). Everything exports to the same local sink.
// Interleaved rounds, medians, ratios against bare from the same run. Writes bench/results/all-signals.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  fmt,
  machine,
  startLoadBackends,
  updateReadmeBlock,
  measureLoad,
  interleavedRounds,
  mediansByVariant,
} from './lib.mjs';

const here = import.meta.dirname;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.DURATION_S ?? 8);

const backends = await startLoadBackends();
const { sinkUrl } = backends;
const common = backends.env;
const preload = ['--import', '@lgtm-apm/instrumentation'];
const VARIANTS = {
  bare: { args: [], env: {} },
  kit_traces: { args: preload, env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' } },
  // Default settings (15 s metric interval), as users run it; bench/metric-export.mjs measures export cost.
  kit_all_signals: { args: preload, env: {} },
  stock: {
    args: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
    env: { OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
  },
};
const names = (process.env.VARIANTS ?? Object.keys(VARIANTS).join(',')).split(',');

async function round(name) {
  const v = VARIANTS[name];
  const { result, stderr } = await measureLoad({
    args: v.args,
    file: join(here, 'app-signals.cjs'),
    env: { ...common, ...v.env },
    cwd: here,
    seconds: SECONDS,
    sinkUrl,
  });
  const kitWarnings = stderr.split('\n').filter((l) => l.startsWith('[lgtm-apm]'));
  return { ...result, kitWarnings: kitWarnings.length, loadavg1: loadavg()[0] };
}

const results = {
  machine: { ...machine(), loadavg: loadavg() },
  rounds: ROUNDS,
  seconds: SECONDS,
};
results.load = await interleavedRounds(names, ROUNDS, round);
results.sink = await backends.sinkStats();
results.machine.loadavgAtEnd = loadavg();
await backends.stop();

const med = mediansByVariant(results.load);
results.medians = med;
const loss = (n) => (med[n] && med.bare ? 1 - med[n].rps / med.bare.rps : NaN);
results.ratios = {
  kitAllSignalsThroughputLoss: loss('kit_all_signals'),
  kitTracesThroughputLoss: loss('kit_traces'),
  stockThroughputLoss: loss('stock'),
  kitAllSignalsCpuPerRequestVsBare:
    med.kit_all_signals && med.bare ? med.kit_all_signals.cpuMsPerRequest / med.bare.cpuMsPerRequest : NaN,
  kitAllSignalsRssDeltaMb:
    med.kit_all_signals && med.bare ? med.kit_all_signals.rssMbAfterLoad - med.bare.rssMbAfterLoad : NaN,
};
results.targets = {
  'throughput loss with all signals <= 3% vs bare': results.ratios.kitAllSignalsThroughputLoss <= 0.03,
};

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'all-signals.json'), JSON.stringify(results, null, 2) + '\n');

const rows = [
  ['metric', ...names],
  ['throughput (req/s)', ...names.map((n) => fmt(med[n].rps, 0))],
  ['latency p50 / p99 (ms)', ...names.map((n) => `${fmt(med[n].p50, 2)} / ${fmt(med[n].p99, 2)}`)],
  ['CPU ms per request', ...names.map((n) => fmt(med[n].cpuMsPerRequest, 3))],
  ['spans per request (at the sink)', ...names.map((n) => fmt(med[n].spansPerRequest, 2))],
  ['RSS after load (MB)', ...names.map((n) => fmt(med[n].rssMbAfterLoad, 0))],
  ['time to listen, from spawn (ms)', ...names.map((n) => fmt(med[n].spawnToListenMs, 0))],
];
const table = rows
  .map((row) => `| ${row.join(' | ')} |`)
  .join('\n')
  .replace(/\n/, `\n|${' --- |'.repeat(rows[0].length)}\n`);
const r = results.ratios;
const report =
  `All signals — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${ROUNDS} rounds × ${SECONDS} s, medians (${results.machine.date.slice(0, 10)}, commit ${results.machine.commit})\n\n${table}\n\n` +
  `throughput loss vs bare: all signals ${fmt(r.kitAllSignalsThroughputLoss * 100)}%, traces only ${fmt(r.kitTracesThroughputLoss * 100)}%, stock ${fmt(r.stockThroughputLoss * 100)}%\n\n` +
  `Machine load average at start and end: ${[...results.machine.loadavg, ...results.machine.loadavgAtEnd].map((l) => fmt(l, 1)).join(', ')}.\n\n` +
  Object.entries(results.targets)
    .map(([t, met]) => `- ${met ? 'met' : '**not met**'}: ${t}`)
    .join('\n') +
  '\n';
console.log(`\n${report}`);
updateReadmeBlock('all-signals', report);
