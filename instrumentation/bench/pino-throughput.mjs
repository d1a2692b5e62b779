#!/usr/bin/env node
// pino throughput (issue 4 §5): the same logging loop (bench/pino-loop.mjs: request-sized bursts inside
// an active span, records to /dev/null) run bare, under the kit with logs off (trace-id correlation
// only) and under the kit sending every record to a local OTLP sink. Interleaved rounds, medians, ratios
// against bare from the same run. Writes bench/results/pino-throughput.json and prints a Markdown table.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmt, machine, median, startNode, stop, updateReadmeBlock } from './lib.mjs';

const here = import.meta.dirname;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const LOGS = Number(process.env.LOGS ?? 100_000);

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
  kit_logs_off: { args: preload, env: { OTEL_LOGS_EXPORTER: 'none' } },
  kit_logs_on: { args: preload, env: {} },
};
const names = Object.keys(VARIANTS);

function run(name) {
  const v = VARIANTS[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...v.args, join(here, 'pino-loop.mjs')], {
      cwd: here,
      env: { ...process.env, ...common, ...v.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.once('exit', (code) => {
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) reject(new Error(`${name} exited ${code}\n${out}\n${err}`));
      else resolve(JSON.parse(line));
    });
  });
}

const results = {
  machine: { ...machine(), loadavg: (await import('node:os')).loadavg() },
  rounds: ROUNDS,
  logsPerRun: LOGS,
  runs: Object.fromEntries(names.map((n) => [n, []])),
};
for (let round = 0; round < ROUNDS; round++) {
  const order = names.map((_, i) => names[(i + round) % names.length]);
  for (const name of order) {
    const r = await run(name);
    results.runs[name].push(r);
    console.error(
      `round ${round + 1}/${ROUNDS} ${name}: ${fmt(r.logsPerSecond, 0)} logs/s, ${fmt(r.cpuUsPerLog, 2)} CPU µs/log`,
    );
  }
}
await stop(sink.child);

const med = {};
for (const name of names) {
  const runs = results.runs[name];
  med[name] = {
    logsPerSecond: median(runs.map((r) => r.logsPerSecond)),
    cpuUsPerLog: median(runs.map((r) => r.cpuUsPerLog)),
    dropped: median(runs.map((r) => r.dropped ?? 0)),
  };
}
results.medians = med;
results.ratios = {
  kitLogsOnThroughputLossVsBare: 1 - med.kit_logs_on.logsPerSecond / med.bare.logsPerSecond,
  kitLogsOffThroughputLossVsBare: 1 - med.kit_logs_off.logsPerSecond / med.bare.logsPerSecond,
  sendingLossVsLogsOff: 1 - med.kit_logs_on.logsPerSecond / med.kit_logs_off.logsPerSecond,
  sendingCpuUsPerLog: med.kit_logs_on.cpuUsPerLog - med.kit_logs_off.cpuUsPerLog,
};
results.targets = {
  'pino throughput loss <= 15% vs bare (all signals on)':
    results.ratios.kitLogsOnThroughputLossVsBare <= 0.15,
};

results.machine.loadavgAtEnd = (await import('node:os')).loadavg();
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'pino-throughput.json'), JSON.stringify(results, null, 2) + '\n');

const r = results.ratios;
const lines = [
  `pino throughput — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${ROUNDS} rounds × ${LOGS} records, medians (${results.machine.date.slice(0, 10)})`,
  '',
  `| metric | ${names.join(' | ')} |`,
  `|${' --- |'.repeat(names.length + 1)}`,
  `| logs/s | ${names.map((n) => fmt(med[n].logsPerSecond, 0)).join(' | ')} |`,
  `| CPU µs per record (all threads) | ${names.map((n) => fmt(med[n].cpuUsPerLog, 2)).join(' | ')} |`,
  `| records dropped by the kit | ${names.map((n) => (n === 'bare' ? '–' : fmt(med[n].dropped, 0))).join(' | ')} |`,
  '',
  `throughput loss vs bare: logs on ${fmt(r.kitLogsOnThroughputLossVsBare * 100)}%, logs off ${fmt(r.kitLogsOffThroughputLossVsBare * 100)}%; ` +
    `sending alone costs ${fmt(r.sendingCpuUsPerLog, 2)} CPU µs per record (${fmt(r.sendingLossVsLogsOff * 100)}% of the logs-off throughput)`,
  '',
  `Machine load average at start and end: ${[...results.machine.loadavg, ...results.machine.loadavgAtEnd].map((l) => fmt(l, 1)).join(', ')}.`,
  '',
  ...Object.entries(results.targets).map(([t, met]) => `- ${met ? 'met' : '**not met**'}: ${t}`),
];
const report = `${lines.join('\n')}\n`;
console.log(`\n${report}`);
updateReadmeBlock('pino', report);
