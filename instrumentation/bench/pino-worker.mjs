#!/usr/bin/env node
// The export worker's log path on its own: what it costs to take pino lines, turn them into OTLP log
// records and send them, per record, without the app or pino in the measurement. One child process per
// run starts a build's dist/export-worker.cjs as the kit does (same workerData and channel messages) and
// hands it the lines the kit's pino hook would (pino's own serialization of bench/pino-loop.mjs's record,
// trace ids added), in batches of 1,024 as worker-client.ts posts them, paced (RATE records/s) or as fast
// as the worker takes them (RATE=0, never more than the queue bound in flight). Exports go over
// http/protobuf to the local sink. Prints worker CPU µs per record: the process's CPU minus its main
// thread's (the main thread only posts).
//
//   node bench/pino-worker.mjs                     this build, paced and flood, 3 rounds
//   PREVIOUS_WORKER=/old/dist/export-worker.cjs    adds an older build, interleaved, same run
//   PROFILE=/tmp/dir                               writes a CPU profile of each worker thread there
//   ROUNDS=n LOGS=n RATE=n                         rounds, records per run, paced rate
//   POST_BATCH=n EXPORT_BATCH=n MAX_QUEUE=n        lines per message, records per export, queue bound
// Writes bench/results/pino-worker.json (a diagnostic: not part of `npm run bench`).
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { fmt, machine, median, runToExit, startNode, stop } from './lib.mjs';
import { cpuAround } from './cpu-around.mjs';

const here = import.meta.dirname;

if (process.argv[2] === 'child') await child();
else await main();

async function main() {
  const ROUNDS = Number(process.env.ROUNDS ?? 3);
  const builds = { this: join(here, '..', 'dist', 'export-worker.cjs') };
  if (process.env.PREVIOUS_WORKER) builds.previous = process.env.PREVIOUS_WORKER;
  const workloads = { paced: Number(process.env.RATE ?? 20_000), flood: 0 };
  const sink = await startNode([join(here, 'sink.mjs')], {}, here);
  const start = { ...machine(), loadavg: loadavg() };
  const runs = {};
  const names = Object.keys(builds);
  for (let round = 0; round < ROUNDS; round++)
    for (const [workload, rate] of Object.entries(workloads))
      for (const name of names.map((_, i) => names[(i + round) % names.length])) {
        const [r] = await runToExit(
          [join(here, 'pino-worker.mjs'), 'child'],
          { WORKER: builds[name], RATE: String(rate), SINK: `http://127.0.0.1:${sink.port}` },
          here,
        );
        (runs[`${workload} ${name}`] ??= []).push(r);
        console.error(
          `round ${round + 1}/${ROUNDS} ${workload} ${name}: worker ${fmt(r.workerCpuUsPerLog, 2)} µs/record, ` +
            `main ${fmt(r.mainCpuUsPerLog, 2)}, ${fmt(r.logsPerSecond, 0)} records/s, dropped ${r.dropped}`,
        );
      }
  await stop(sink.child);
  const medians = Object.fromEntries(
    Object.entries(runs).map(([key, list]) => [
      key,
      {
        workerCpuUsPerLog: median(list.map((r) => r.workerCpuUsPerLog)),
        logsPerSecond: median(list.map((r) => r.logsPerSecond)),
        dropped: median(list.map((r) => r.dropped)),
      },
    ]),
  );
  const results = {
    machine: { ...start, loadavgAtEnd: loadavg() },
    rounds: ROUNDS,
    builds,
    runs,
    medians,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'pino-worker.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(
    `pino lines through the export worker — ${start.node}, commit ${start.commit}, ${ROUNDS} rounds, medians; ` +
      `load ${[...start.loadavg, ...results.machine.loadavgAtEnd].map((l) => fmt(l, 1)).join(', ')}`,
  );
  for (const [key, list] of Object.entries(runs))
    console.log(
      `${key.padEnd(16)} worker CPU ${fmt(medians[key].workerCpuUsPerLog, 2)} µs/record ` +
        `(rounds: ${list.map((r) => fmt(r.workerCpuUsPerLog, 2)).join(', ')}), ` +
        `${fmt(medians[key].logsPerSecond, 0)} records/s, dropped ${medians[key].dropped}`,
    );
}

/** CPU ms per thread name (/proc/self/task): the worker thread against V8's and libuv's helper threads. */
function threadCpuMs() {
  const out = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const name = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[`${name}#${tid}`] = (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** pino's lines for the benchmark's record, as the kit's hook hands them over (trace ids appended). */
function pinoLines(count) {
  const pino = createRequire(import.meta.url)('pino');
  const lines = [];
  const logger = pino({}, { write: (line) => lines.push(line) });
  const ids =
    ',"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_flags":"01"';
  for (let i = 0; i < count; i++)
    logger.info({ orderId: i, user: { id: 7 }, route: '/api/orders/:id' }, 'order placed');
  return lines.map((line) => `${line.slice(0, line.lastIndexOf('}'))}${ids}}\n`);
}

async function child() {
  const N = Number(process.env.LOGS ?? 100_000);
  const RATE = Number(process.env.RATE ?? 0);
  const BATCH = Number(process.env.POST_BATCH ?? 1024);
  const MAX_QUEUE = Number(process.env.MAX_QUEUE ?? 2048);
  const profile = process.env.PROFILE;
  const worker = new Worker(process.env.WORKER, {
    workerData: { resourceAttributes: { 'service.name': 'bench' }, expedite: false, nice: 0 },
    execArgv: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
  });
  let inFlight = 0;
  let dropped = 0;
  let wake;
  const flushed = new Map();
  worker.on('message', (m) => {
    if (m.channel !== 'logs') return;
    if (m.t === 'ack') inFlight -= m.count;
    else if (m.t === 'dropped') dropped += m.count;
    else if (m.t === 'flushed') flushed.get(m.id)?.();
    else if (m.t === 'lost' || m.t === 'error') console.error('worker:', m);
    wake?.();
  });
  worker.postMessage({
    channel: 'logs',
    t: 'init',
    config: {
      exporters: ['otlp'],
      protocol: 'http/protobuf',
      endpointOverride: `${process.env.SINK}/v1/logs`,
      exportTimeoutMs: 10_000,
      batch: {
        scheduledDelayMillis: 1000,
        maxQueueSize: MAX_QUEUE,
        maxExportBatchSize: Number(process.env.EXPORT_BATCH ?? 512),
        exportTimeoutMillis: 30_000,
      },
      redactKeys: ['password', 'token'],
      redactQueryParams: ['token'],
    },
  });
  const lines = pinoLines(20_000);
  let nextFlush = 1;
  const flush = () => {
    const id = nextFlush++;
    const done = new Promise((resolve) => flushed.set(id, resolve));
    worker.postMessage({ channel: 'logs', t: 'flush', id });
    return done;
  };
  let first = true;
  const post = (from, count) => {
    const batch = lines.slice(from % lines.length, (from % lines.length) + count);
    worker.postMessage({
      channel: 'logs',
      t: 'batch',
      loggers: first
        ? [[1, { messageKey: 'msg', errorKey: 'err', labels: { 30: 'info' }, time: 'epoch' }]]
        : [],
      lines: batch,
      meta: batch.flatMap(() => [1, 30]),
      api: [],
    });
    first = false;
    inFlight += batch.length;
    return batch.length;
  };
  const run = async (count, rate) => {
    const t0 = performance.now();
    for (let i = 0; i < count;) {
      if (inFlight + BATCH > MAX_QUEUE) {
        // The client would drop what does not fit; here the pacing waits (flood) or counts them (paced).
        if (rate > 0) {
          dropped += BATCH;
          i += BATCH;
        } else await new Promise((r) => (wake = r));
      } else i += post(i, BATCH);
      if (rate > 0) {
        const due = t0 + (i / rate) * 1000;
        await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      }
    }
    await flush();
  };
  await run(20_000, 0); // warm-up: JIT, the exporter's code and first connection
  dropped = 0;
  const threads0 = threadCpuMs();
  const { elapsedMs, cpu, main } = await cpuAround(() => run(N, RATE));
  const threads = Object.entries(threadCpuMs())
    .map(([k, ms]) => [k.split('#')[0], ms - (threads0[k] ?? 0)])
    .reduce((acc, [k, ms]) => ({ ...acc, [k]: (acc[k] ?? 0) + ms }), {});
  const exited = once(worker, 'exit');
  await worker.terminate();
  await exited.catch(() => {});
  console.log(
    JSON.stringify({
      logs: N,
      rate: RATE,
      logsPerSecond: (N / elapsedMs) * 1000,
      workerCpuUsPerLog: (cpu.user + cpu.system - main.user - main.system) / N,
      mainCpuUsPerLog: (main.user + main.system) / N,
      dropped,
      threadsCpuUsPerLog: Object.fromEntries(Object.entries(threads).map(([k, ms]) => [k, (ms * 1000) / N])),
    }),
  );
}
