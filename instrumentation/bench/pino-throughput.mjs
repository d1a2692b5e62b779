#!/usr/bin/env node
// pino throughput (issue 4 §5): the same logging loop (bench/pino-loop.mjs: request-sized bursts inside
// an active span, records to /dev/null) run bare, under the kit with tracing only (pino instrumentation
// off), with trace-id correlation but logs off, and sending every record to a local OTLP sink. Two
// workloads: a flood (as fast as the main thread can log) and a paced one (RATE records/s, default
// 20,000), where the cost shows as main-thread CPU per record. Interleaved rounds, medians, ratios against
// bare from the same run. Writes bench/results/pino-throughput.json and prints a Markdown table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fmt, machine, median, runToExit, startNode, stop, updateReadmeBlock } from './lib.mjs';

const here = import.meta.dirname;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const LOGS = Number(process.env.LOGS ?? 100_000);
const RATE = Number(process.env.RATE ?? 20_000);

const sink = await startNode([join(here, 'sink.mjs')], {}, here);
const sinkUrl = `http://127.0.0.1:${sink.port}`;
const common = {
  OTEL_SERVICE_NAME: 'bench',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sinkUrl}/v1/traces`,
  OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${sinkUrl}/v1/logs`,
  LOGS: String(LOGS),
};
const preload = ['--import', '@lgtm-apm/instrumentation'];
const VARIANTS = {
  bare: { args: [], env: {} },
  kit_tracing_only: {
    args: preload,
    env: { OTEL_LOGS_EXPORTER: 'none', OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pino' },
  },
  kit_logs_off: { args: preload, env: { OTEL_LOGS_EXPORTER: 'none' } },
  kit_logs_on: { args: preload, env: {} },
  // Stock (issue 14): the official preload, whose @opentelemetry/instrumentation-pino sends every record
  // through the SDK's batch log processor and the official OTLP http/protobuf log exporter, on the
  // main thread.
  stock_logs_on: {
    args: ['--import', '@opentelemetry/auto-instrumentations-node/register'],
    env: { OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf' },
  },
};
// PREVIOUS_PRELOAD=/path/to/an/older/build/dist/preload.cjs adds that build with logs on, for a
// before/after comparison in the same run (e.g. a git worktree of the commit before a change).
if (process.env.PREVIOUS_PRELOAD)
  VARIANTS.previous_logs_on = { args: ['--import', process.env.PREVIOUS_PRELOAD], env: {} };
const names = Object.keys(VARIANTS);
const WORKLOADS = { flood: 0, paced: RATE };

async function run(name, rate) {
  const v = VARIANTS[name];
  const lines = await runToExit(
    [...v.args, join(here, 'pino-loop.mjs')],
    { ...common, ...v.env, RATE: String(rate) },
    here,
  );
  return lines.at(-1);
}

const results = {
  machine: { ...machine(), loadavg: loadavg() },
  rounds: ROUNDS,
  logsPerRun: LOGS,
  pacedRate: RATE,
  runs: Object.fromEntries(
    Object.keys(WORKLOADS).map((w) => [w, Object.fromEntries(names.map((n) => [n, []]))]),
  ),
};
for (let round = 0; round < ROUNDS; round++) {
  for (const [workload, rate] of Object.entries(WORKLOADS)) {
    for (const name of names.map((_, i) => names[(i + round) % names.length])) {
      const r = await run(name, rate);
      results.runs[workload][name].push(r);
      console.error(
        `round ${round + 1}/${ROUNDS} ${workload} ${name}: ${fmt(r.logsPerSecond, 0)} logs/s, ` +
          `${fmt(r.mainThreadCpuUsPerLog, 2)} main-thread / ${fmt(r.cpuUsPerLog, 2)} total CPU µs/log, dropped ${r.dropped ?? '–'}`,
      );
    }
  }
}
await stop(sink.child);

const med = {};
for (const workload of Object.keys(WORKLOADS)) {
  med[workload] = {};
  for (const name of names) {
    const runs = results.runs[workload][name];
    med[workload][name] = {
      logsPerSecond: median(runs.map((r) => r.logsPerSecond)),
      mainThreadCpuUsPerLog: median(runs.map((r) => r.mainThreadCpuUsPerLog)),
      cpuUsPerLog: median(runs.map((r) => r.cpuUsPerLog)),
      // null where the run cannot tell (bare; an older build the loop cannot query).
      droppedShare: runs.some((r) => r.dropped === null) ? null : median(runs.map((r) => r.dropped / r.logs)),
    };
  }
}
results.medians = med;
const { flood, paced } = med;
results.ratios = {
  floodThroughputLossVsBare: 1 - flood.kit_logs_on.logsPerSecond / flood.bare.logsPerSecond,
  floodThroughputLossLogsOffVsBare: 1 - flood.kit_logs_off.logsPerSecond / flood.bare.logsPerSecond,
  floodThroughputLossSendingVsLogsOff: 1 - flood.kit_logs_on.logsPerSecond / flood.kit_logs_off.logsPerSecond,
  // Main-thread CPU is what limits how fast the app itself can log; its inverse is the thread's capacity.
  pacedMainThreadCapacityLossVsBare:
    1 - paced.bare.mainThreadCpuUsPerLog / paced.kit_logs_on.mainThreadCpuUsPerLog,
  pacedMainThreadUsSending:
    paced.kit_logs_on.mainThreadCpuUsPerLog - paced.kit_logs_off.mainThreadCpuUsPerLog,
  pacedMainThreadUsCorrelation:
    paced.kit_logs_off.mainThreadCpuUsPerLog - paced.kit_tracing_only.mainThreadCpuUsPerLog,
  pacedMainThreadUsTracing: paced.kit_tracing_only.mainThreadCpuUsPerLog - paced.bare.mainThreadCpuUsPerLog,
  pacedWorkerUsPerLog: paced.kit_logs_on.cpuUsPerLog - paced.kit_logs_on.mainThreadCpuUsPerLog,
  // Added CPU per record over bare, paced: the kit with logs on vs stock with instrumentation-pino's
  // log sending and the official OTLP exporter.
  pacedAddedMainThreadUs: {
    kit: paced.kit_logs_on.mainThreadCpuUsPerLog - paced.bare.mainThreadCpuUsPerLog,
    stock: paced.stock_logs_on.mainThreadCpuUsPerLog - paced.bare.mainThreadCpuUsPerLog,
  },
  pacedAddedAllThreadsUs: {
    kit: paced.kit_logs_on.cpuUsPerLog - paced.bare.cpuUsPerLog,
    stock: paced.stock_logs_on.cpuUsPerLog - paced.bare.cpuUsPerLog,
  },
};
results.targets = {
  'pino throughput loss <= 15% vs bare (flood, all signals on)':
    results.ratios.floodThroughputLossVsBare <= 0.15,
  [`main-thread logging capacity loss <= 15% vs bare (paced ${RATE}/s)`]:
    results.ratios.pacedMainThreadCapacityLossVsBare <= 0.15,
  'no records dropped at the paced rate': paced.kit_logs_on.droppedShare === 0,
  [`kit's added CPU per record <= 1/2 of stock's (paced ${RATE}/s, main thread)`]:
    results.ratios.pacedAddedMainThreadUs.kit <= results.ratios.pacedAddedMainThreadUs.stock / 2,
  [`kit's added CPU per record <= 1/2 of stock's (paced ${RATE}/s, all threads)`]:
    results.ratios.pacedAddedAllThreadsUs.kit <= results.ratios.pacedAddedAllThreadsUs.stock / 2,
};

results.machine.loadavgAtEnd = loadavg();
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'pino-throughput.json'), JSON.stringify(results, null, 2) + '\n');

const r = results.ratios;
const pct = (x) => (x === null ? '–' : `${fmt(x * 100)}%`);
const row = (label, workload, field, digits, f = (x) => fmt(x, digits)) =>
  `| ${label} | ${names.map((n) => f(med[workload][n][field])).join(' | ')} |`;
const lines = [
  `pino throughput — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${ROUNDS} rounds × ${LOGS} records, medians (${results.machine.date.slice(0, 10)}, commit ${results.machine.commit})`,
  '',
  `| metric | ${names.join(' | ')} |`,
  `|${' --- |'.repeat(names.length + 1)}`,
  row('flood: logs/s', 'flood', 'logsPerSecond', 0),
  row('flood: main-thread CPU µs per record', 'flood', 'mainThreadCpuUsPerLog', 2),
  row('flood: CPU µs per record, all threads', 'flood', 'cpuUsPerLog', 2),
  row('flood: records dropped by the kit', 'flood', 'droppedShare', 0, pct),
  row(`paced ${RATE}/s: main-thread CPU µs per record`, 'paced', 'mainThreadCpuUsPerLog', 2),
  row(`paced ${RATE}/s: CPU µs per record, all threads`, 'paced', 'cpuUsPerLog', 2),
  row(`paced ${RATE}/s: records dropped by the kit`, 'paced', 'droppedShare', 0, pct),
  '',
  `flood throughput loss vs bare: logs on ${pct(r.floodThroughputLossVsBare)}, logs off ${pct(r.floodThroughputLossLogsOffVsBare)} ` +
    `(sending alone ${pct(r.floodThroughputLossSendingVsLogsOff)} of the logs-off throughput). ` +
    `Paced, on the main thread: sending ${fmt(r.pacedMainThreadUsSending, 2)} µs per record, trace-id correlation ` +
    `${fmt(r.pacedMainThreadUsCorrelation, 2)} µs, tracing ${fmt(r.pacedMainThreadUsTracing, 2)} µs; ` +
    `the export worker ${fmt(r.pacedWorkerUsPerLog, 2)} µs per record on its own thread. ` +
    `Added CPU per record over bare, paced: kit ${fmt(r.pacedAddedMainThreadUs.kit, 2)} µs on the main thread / ${fmt(r.pacedAddedAllThreadsUs.kit, 2)} µs all threads, ` +
    `stock (instrumentation-pino + the official OTLP log exporter) ${fmt(r.pacedAddedMainThreadUs.stock, 2)} / ${fmt(r.pacedAddedAllThreadsUs.stock, 2)} µs ` +
    `(stock's records dropped by its batch processor are not counted: the loop cannot see them).`,
  ...(med.paced.previous_logs_on
    ? [
        '',
        `previous_logs_on = ${process.env.PREVIOUS_LABEL ?? process.env.PREVIOUS_PRELOAD}, measured in the same run: ` +
          `its sending costs ${fmt(paced.previous_logs_on.mainThreadCpuUsPerLog - paced.kit_logs_off.mainThreadCpuUsPerLog, 2)} µs per record on the main thread ` +
          `(this build: ${fmt(r.pacedMainThreadUsSending, 2)} µs), flood throughput loss vs bare ${pct(1 - flood.previous_logs_on.logsPerSecond / flood.bare.logsPerSecond)}.`,
      ]
    : []),
  '',
  `Machine load average at start and end: ${[...results.machine.loadavg, ...results.machine.loadavgAtEnd].map((l) => fmt(l, 1)).join(', ')}.`,
  '',
  ...Object.entries(results.targets).map(([t, met]) => `- ${met ? 'met' : '**not met**'}: ${t}`),
];
const report = `${lines.join('\n')}\n`;
console.log(`\n${report}`);
updateReadmeBlock('pino', report);
