#!/usr/bin/env node
// What each option of @opentelemetry/instrumentation-pg costs per query (issue 14: pg's upstream
// instrumentation measured ≈ 60 µs per request while recording nothing). Every variant is its own process
// (bench/pg-options-child.mjs), all started at once; SLICES rotating slices of QUERIES sequential queries
// go to each in turn, so the shared machine's noise hits all variants alike, and the median slice is
// taken; "added" is over the bare variant. The load average is recorded. Writes bench/results/pg-options.json and the README block
// `bench:pg-options`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { fmt, machine, median, rotatingSlices, updateReadmeBlock } from './lib.mjs';

const here = import.meta.dirname;
const SLICES = Math.max(3, Number(process.env.SLICES ?? 12));
const QUERIES = Number(process.env.QUERIES ?? 1500);
// The kit's configuration (src/instrumentations/catalogue.ts); bound values are never recorded either way.
const KIT_CONFIG = { enhancedDatabaseReporting: false, ignoreConnectSpans: true };
const VARIANTS = {
  bare: { pg: 'bare', sampler: 'off' },
  'upstream defaults, recording nothing': { pg: {}, sampler: 'off' },
  'the kit: no connect spans, recording nothing': { pg: KIT_CONFIG, sampler: 'off' },
  'the kit + requireParentSpan, recording nothing': {
    pg: { ...KIT_CONFIG, requireParentSpan: true },
    sampler: 'off',
  },
  'upstream defaults, recording': { pg: {}, sampler: 'on' },
  'the kit: no connect spans, recording': { pg: KIT_CONFIG, sampler: 'on' },
};
const names = Object.keys(VARIANTS);
const load0 = loadavg();
/** Starts a variant's process and resolves once it is warm; `ask(message)` resolves with its answer. */
function startVariant(variant) {
  const child = fork(join(here, 'pg-options-child.mjs'), [], {
    cwd: here,
    env: { ...process.env, VARIANT: JSON.stringify(variant) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`pg-options child exited ${code}`)));
    });
  return next().then(() => ({
    ask: (message) => {
      const answer = next();
      child.send(message);
      return answer;
    },
    stop: () => new Promise((resolve) => (child.once('exit', resolve), child.send({ stop: true }))),
  }));
}

const children = {};
for (const name of names) children[name] = await startVariant(VARIANTS[name]);
const runs = await rotatingSlices(
  names,
  SLICES,
  async (name, slice) => {
    const { cpuUsPerQuery } = await children[name].ask({ queries: QUERIES });
    if (name === names.at(-1)) console.error(`slice ${slice + 1}/${SLICES}`);
    return cpuUsPerQuery;
  },
  { reverse: false },
);
for (const name of names) await children[name].stop();
const medians = Object.fromEntries(names.map((n) => [n, median(runs[n])]));
const added = Object.fromEntries(names.map((n) => [n, medians[n] - medians.bare]));
const results = {
  machine: { ...machine(), loadavgAtStart: load0, loadavgAtEnd: loadavg() },
  slices: SLICES,
  queriesPerSlice: QUERIES,
  variants: VARIANTS,
  cpuUsPerQuery: runs,
  medianCpuUsPerQuery: medians,
  addedCpuUsPerQuery: added,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'pg-options.json'), JSON.stringify(results, null, 2) + '\n');
const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const report =
  `pg options — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${SLICES} rotating slices of ${QUERIES} queries per variant, medians ` +
  `(${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${la(load0)} at start, ${la(results.machine.loadavgAtEnd)} at end: a shared, busy machine)\n\n` +
  `| @opentelemetry/instrumentation-pg variant (each query inside a parent span, no exporter) | CPU µs per query | added over bare |\n| --- | --- | --- |\n` +
  names.map((n) => `| ${n} | ${fmt(medians[n], 1)} | ${n === 'bare' ? '—' : fmt(added[n], 1)} |`).join('\n') +
  '\n';
console.log(`\n${report}`);
updateReadmeBlock('pg-options', report);
