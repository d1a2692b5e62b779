#!/usr/bin/env node
// What the express app's requests leave to the old generation, by allocation site (issue 14: RSS after 10k
// requests). memory-split.mjs says how many bytes per request V8 promotes; this says which allocations they
// are. Each variant runs bench/app-express.cjs with bench/probe-retained.cjs (the inspector's sampling heap
// profiler, told to forget what scavenges free) and --trace-gc-nvp: after 1,000 warm-up requests sampling
// starts, REQUESTS more are served, and the samples left — objects promoted (and maybe freed since by a full
// GC) or still alive — are grouped by their allocation's two innermost frames. The variants: bare, the kit
// recording nothing (always_off) with and without the express handler's span, the kit recording, with
// and without it, and the official preload recording nothing with the HTTP instrumentation alone and with
// the express one. Writes bench/results/promoted-by-site.json and the README block `bench:promoted-by-site`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fireRequests, fmt, machine, startLoadBackends, startNode, stop, updateReadmeBlock } from './lib.mjs';

const here = import.meta.dirname;
const REQUESTS = Number(process.env.REQUESTS ?? 5000);
const TOP = Number(process.env.TOP ?? 6);
const KIT = ['--import', '@lgtm-apm/instrumentation'];
const STOCK = ['--import', '@opentelemetry/auto-instrumentations-node/register'];
const OFF = { OTEL_TRACES_SAMPLER: 'always_off' };
const NONE = { LGTM_APM_EXPRESS_LAYERS: 'none' };
const VARIANTS = {
  bare: { args: [], env: {} },
  kit_recording_nothing: { args: KIT, env: OFF },
  kit_recording_nothing_express_none: { args: KIT, env: { ...OFF, ...NONE } },
  kit: { args: KIT, env: {} },
  kit_express_none: { args: KIT, env: NONE },
  // Without the kit: the official preload recording nothing, with only the HTTP instrumentation, then with
  // the express one too — whether the express handler's cost needs the kit at all.
  stock_recording_nothing_http: { args: STOCK, env: { ...OFF, OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http' } },
  stock_recording_nothing_http_express: {
    args: STOCK,
    env: { ...OFF, OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express' },
  },
};
const names = process.env.VARIANTS ? process.env.VARIANTS.split(',') : Object.keys(VARIANTS);

async function waitFor(app, text, timeoutMs = 60_000) {
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    if (app.stdout().includes(text)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "${text}" from the app within ${timeoutMs} ms\n${app.stderr()}`);
}

/** Bytes promoted by the main isolate's scavenges in a stretch of --trace-gc-nvp output. */
function promotedBytes(text, isolate) {
  let total = 0;
  for (const line of text.split('\n'))
    if (line.includes(' gc=s ') && line.includes(isolate))
      total += Number(/promoted=(\d+)/.exec(line)?.[1] ?? 0);
  return total;
}

async function measure(name, backends) {
  const v = VARIANTS[name];
  const out = join(tmpdir(), `promoted-by-site-${process.pid}-${name}.json`);
  const app = await startNode(
    [
      '--trace-gc-nvp',
      '--require',
      join(here, 'probe-retained.cjs'),
      ...v.args,
      join(here, 'app-express.cjs'),
    ],
    {
      ...backends.env,
      ...v.env,
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_LOGS_EXPORTER: 'none',
      OTEL_SERVICE_NAME: `promoted-${name}`,
      PROBE_RETAINED_OUT: out,
    },
    here,
  );
  try {
    const url = `http://127.0.0.1:${app.port}/`;
    await fireRequests(url, 1000);
    app.child.kill('SIGUSR2');
    await waitFor(app, '"sampling"');
    const from = app.stdout().length;
    const failed = await fireRequests(url, REQUESTS);
    app.child.kill('SIGUSR2');
    await waitFor(app, '"retained"');
    const isolate = /\[\d+:(0x[0-9a-f]+)/.exec(app.stdout())?.[1] ?? '';
    const groups = JSON.parse(readFileSync(out, 'utf8'));
    const sites = new Map();
    for (const g of groups) {
      // Start-up work (module loading, the SDK's set-up) is not per request.
      if (
        /node:internal\/modules|bootstrap\/realm|probe-retained|__commonJS|node:internal\/main/.test(g.stack)
      )
        continue;
      const key = g.stack.split('\n  <- ').slice(0, 2).join(' ← ');
      sites.set(key, (sites.get(key) ?? 0) + g.bytes);
    }
    const sampledKb = [...sites.values()].reduce((a, b) => a + b, 0) / 1024 / REQUESTS;
    const result = {
      failed,
      promotedKbPerRequest: promotedBytes(app.stdout().slice(from), isolate) / 1024 / REQUESTS,
      sampledSurvivingKbPerRequest: sampledKb,
      topSites: [...sites]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 20)
        .map(([site, bytes]) => ({ site, kbPerRequest: bytes / 1024 / REQUESTS })),
    };
    console.error(
      `${name}: promoted ${fmt(result.promotedKbPerRequest, 2)} KB/request, sampled survivors ${fmt(sampledKb, 2)} KB/request`,
    );
    return result;
  } finally {
    await stop(app.child);
    rmSync(out, { force: true });
  }
}

const load0 = loadavg();
const backends = await startLoadBackends();
const results = {};
try {
  for (const name of names) results[name] = await measure(name, backends);
} finally {
  await backends.stop();
}
const json = {
  machine: { ...machine(), loadavgAtStart: load0, loadavgAtEnd: loadavg() },
  requests: REQUESTS,
  variants: VARIANTS,
  results,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'promoted-by-site.json'), JSON.stringify(json, null, 2) + '\n');

const la = (x) => x.map((v) => v.toFixed(1)).join(' / ');
const rows = names.map((n) => {
  const r = results[n];
  const sites = r.topSites
    .slice(0, TOP)
    .map((s) => `${fmt(s.kbPerRequest, 2)} \`${s.site.replaceAll('|', '\\|')}\``)
    .join('<br>');
  return `| ${n} | ${fmt(r.promotedKbPerRequest, 2)} | ${fmt(r.sampledSurvivingKbPerRequest, 2)} | ${sites} |`;
});
const report =
  `Promoted by allocation site, express app — ${json.machine.node}, ${json.machine.cores} × ${json.machine.cpu}, ` +
  `one run × ${REQUESTS} requests per variant, in turn (${json.machine.date.slice(0, 10)}, commit ${json.machine.commit}; ` +
  `load average ${la(load0)} at start, ${la(json.machine.loadavgAtEnd)} at end)\n\n` +
  '| variant | promoted per request, GC trace (KB) | sampled survivors per request (KB) | top allocation sites of the survivors (KB per request, innermost frame ← its caller) |\n' +
  '| --- | --- | --- | --- |\n' +
  `${rows.join('\n')}\n`;
console.log(`\n${report}`);
updateReadmeBlock('promoted-by-site', report);
