#!/usr/bin/env node
// Where the kit's per-request CPU goes (traces): bare vs the kit recording nothing (always_off: the
// instrumentation hooks and context propagation alone) vs the kit without export (a dropping exporter) vs
// the full kit, plus always_off with one instrumentation at a time. All apps run at once and short wrk slices
// rotate among them, so machine noise, which moves whole 8 s rounds by ±30 % here, hits every variant alike.
// Writes bench/results/cost-split.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  CLOCK_TICK_MS,
  cpuSlice,
  fmt,
  machine,
  median,
  rotatingSlices,
  startLoadBackends,
  startNode,
  stop,
  updateReadmeBlock,
  wrk,
} from './lib.mjs';

const here = import.meta.dirname;
const SLICES = Number(process.env.SLICES ?? 12);
const SLICE_S = Number(process.env.SLICE_S ?? 2);

const backends = await startLoadBackends();
const common = { ...backends.env, OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
const KIT = ['--import', '@lgtm-apm/instrumentation'];
const VARIANTS = {
  bare: { args: [], env: {} },
  kit_unsampled: { args: KIT, env: { OTEL_TRACES_SAMPLER: 'always_off' } },
  // The same, one upstream instrumentation at a time: whose hooks the always_off cost is.
  unsampled_http_only: {
    args: KIT,
    env: { OTEL_TRACES_SAMPLER: 'always_off', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http' },
  },
  unsampled_undici_only: {
    args: KIT,
    env: { OTEL_TRACES_SAMPLER: 'always_off', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'undici' },
  },
  unsampled_pg_only: {
    args: KIT,
    env: { OTEL_TRACES_SAMPLER: 'always_off', OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'pg' },
  },
  // The same two hooks with the upstream instrumentations the kit's own hooks replace (issue 14).
  upstream_http_only: {
    args: KIT,
    env: {
      OTEL_TRACES_SAMPLER: 'always_off',
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http',
      LGTM_APM_HTTP_HOOKS: 'upstream',
    },
  },
  upstream_undici_only: {
    args: KIT,
    env: {
      OTEL_TRACES_SAMPLER: 'always_off',
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'undici',
      LGTM_APM_HTTP_HOOKS: 'upstream',
    },
  },
  kit_no_export: { args: ['--require', join(here, 'preload-noop-exporter.cjs')], env: {} },
  kit: { args: KIT, env: {} },
};

const apps = {};
for (const [name, v] of Object.entries(VARIANTS)) {
  const app = await startNode([...v.args, join(here, 'app.cjs')], { ...common, ...v.env }, here);
  apps[name] = { app, url: `http://127.0.0.1:${app.port}/` };
}
for (const a of Object.values(apps)) wrk(a.url, { seconds: 2 }); // JIT, pools, connections
const names = Object.keys(apps);
const runs = await rotatingSlices(names, SLICES, (name, s) => {
  const a = apps[name];
  const slice = cpuSlice(a.app.child.pid, a.url, SLICE_S);
  if (name === names.at(-1)) console.error(`slice ${s + 1}/${SLICES}`);
  return slice;
});
for (const name of names) {
  const a = apps[name];
  a.ticks = runs[name].reduce((sum, r) => sum + r.ticks, 0);
  a.requests = runs[name].reduce((sum, r) => sum + r.requests, 0);
  a.slices = runs[name].map((r) => r.cpuMsPerRequest);
}
for (const a of Object.values(apps)) await stop(a.app.child);
await backends.stop();

const cpu = Object.fromEntries(names.map((n) => [n, (apps[n].ticks * CLOCK_TICK_MS) / apps[n].requests]));
const overhead = cpu.kit - cpu.bare;
const results = {
  machine: { ...machine(), loadavgAtEnd: loadavg() },
  slices: SLICES,
  sliceSeconds: SLICE_S,
  cpuMsPerRequest: cpu,
  medianSliceCpuMsPerRequest: Object.fromEntries(names.map((n) => [n, median(apps[n].slices)])),
  split: {
    hooksAndContextMs: cpu.kit_unsampled - cpu.bare,
    recordingSpansMs: cpu.kit_no_export - cpu.kit_unsampled,
    exportMs: cpu.kit - cpu.kit_no_export,
  },
  hooksByInstrumentationMs: {
    http: cpu.unsampled_http_only - cpu.bare,
    undici: cpu.unsampled_undici_only - cpu.bare,
    pg: cpu.unsampled_pg_only - cpu.bare,
    upstreamHttp: cpu.upstream_http_only - cpu.bare,
    upstreamUndici: cpu.upstream_undici_only - cpu.bare,
  },
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'cost-split.json'), JSON.stringify(results, null, 2) + '\n');

const share = (ms) => `${fmt(ms * 1000, 0)} µs (${fmt((ms / overhead) * 100, 0)} %)`;
const report =
  `Cost split — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${SLICES} rotating slices × ${SLICE_S} s per variant (${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}, load average at end ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' / ')})\n\n` +
  `| variant | CPU ms per request | vs bare |\n| --- | --- | --- |\n` +
  names.map((n) => `| ${n} | ${fmt(cpu[n], 3)} | ${fmt(cpu[n] / cpu.bare, 2)}× |`).join('\n') +
  `\n\nThe kit's ${fmt(overhead * 1000, 0)} µs per request: instrumentation hooks and context propagation ` +
  `${share(results.split.hooksAndContextMs)}, recording three spans ${share(results.split.recordingSpansMs)}, ` +
  `protobuf encoding and sending ${share(results.split.exportMs)}. ` +
  `The hooks alone, one at a time (always_off): the kit's own http (server + client) hooks ` +
  `${fmt(results.hooksByInstrumentationMs.http * 1000, 0)} µs (upstream instrumentation-http ${fmt(results.hooksByInstrumentationMs.upstreamHttp * 1000, 0)} µs), ` +
  `own undici (fetch) ${fmt(results.hooksByInstrumentationMs.undici * 1000, 0)} µs (upstream ${fmt(results.hooksByInstrumentationMs.upstreamUndici * 1000, 0)} µs), ` +
  `pg (upstream) ${fmt(results.hooksByInstrumentationMs.pg * 1000, 0)} µs per request.\n`;
console.log(`\n${report}`);
updateReadmeBlock('cost-split', report);
