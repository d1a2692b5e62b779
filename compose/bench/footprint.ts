#!/usr/bin/env node
// Memory footprint of the native stack under the demo's load (`npm run bench:footprint -w compose`):
// starts `npm run stack`'s supervisor on a fresh data folder, runs the demo (`npm run demo`'s run-all)
// for FOOTPRINT_S seconds (default 600), samples each backend's RSS every FOOTPRINT_STEP_S (default 10),
// and writes compose/bench/results/footprint.json with the raw samples, the machine and its load.
// Without the binaries it prints why and exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  startNativeStack,
  resolveStackBinaries,
  MissingBinariesError,
  assertPortFree,
  parsePortOffset,
} from '../stack/index.ts';
import { repoRoot, loadComposeSource } from '../stack/compose-source.ts';

const DURATION_S = Number(process.env.FOOTPRINT_S ?? 600);
const STEP_S = Number(process.env.FOOTPRINT_STEP_S ?? 10);
const LOAD_RPS = process.env.LOAD_RPS ?? '5';
const DEMO_PORT_BASE = Number(process.env.LGTM_E2E_DEMO_PORT_BASE ?? 8080);
const OUT = process.env.FOOTPRINT_OUT ?? join(import.meta.dirname, 'results', 'footprint.json');

try {
  resolveStackBinaries();
} catch (err) {
  if (!(err instanceof MissingBinariesError)) throw err;
  console.log(`footprint skipped: ${err.message}`);
  process.exit(0);
}

/** Resident set size and its peak (VmHWM) of one process, bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) =>
      Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mib = (b: number) => Math.round((b / 1024 ** 2) * 10) / 10;

for (let i = 0; i < 4; i++)
  await assertPortFree(DEMO_PORT_BASE + i, `the demo (port base ${DEMO_PORT_BASE} + ${i})`);
const dataDir = mkdtempSync(join(tmpdir(), 'lgtm-apm-footprint-'));
const stack = await startNativeStack({
  dataDir,
  withoutGrafana: true,
  portOffset: parsePortOffset(process.env.LGTM_APM_STACK_PORT_OFFSET),
  log: (l) => console.log(`footprint: ${l}`),
});
const demo = spawn(process.execPath, [join(repoRoot, 'demo', 'src', 'run-all.js')], {
  cwd: repoRoot,
  env: {
    ...process.env,
    ...stack.otelEnv,
    DEMO_PORT_BASE: String(DEMO_PORT_BASE),
    LOAD_RPS,
    LOAD_DURATION_S: String(DURATION_S + 30),
    LOAD_SUMMARY_S: '60',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
demo.stdout.on('data', (d: Buffer) => {
  for (const line of d.toString().split('\n')) if (line.includes('load:')) console.log(`demo | ${line}`);
});
const stopDemo = () => {
  try {
    process.kill(-demo.pid!, 'SIGTERM');
  } catch {
    /* gone */
  }
};
process.on('exit', stopDemo);
// Ctrl-C / SIGTERM: exit through process.exit so the exit handlers stop the demo and the backends.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const startCommit = spawnSync('git', ['rev-parse', 'HEAD'], {
  cwd: repoRoot,
  encoding: 'utf8',
}).stdout.trim();
const startDirty =
  spawnSync('git', ['status', '--porcelain'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim() !== '';
const names = stack.processes.map((p) => p.name);
const samples: Array<{ t: number; load1: number; rss: Record<string, number> }> = [];
const started = Date.now();
console.log(
  `footprint: sampling ${names.join(', ')} every ${STEP_S} s for ${DURATION_S} s at ${LOAD_RPS} req/s`,
);
try {
  while (Date.now() - started < DURATION_S * 1000) {
    await sleep(STEP_S * 1000);
    if (demo.exitCode !== null) throw new Error(`the demo exited early (${demo.exitCode})`);
    const rss: Record<string, number> = {};
    for (const p of stack.processes) {
      const m = memoryOf(p.pid()!);
      if (!m) throw new Error(`${p.name} is gone:\n${p.tail()}`);
      rss[p.name] = m.rss;
    }
    samples.push({ t: Math.round((Date.now() - started) / 1000), load1: loadavg()[0]!, rss });
    const total = Object.values(rss).reduce((a, b) => a + b, 0);
    console.log(
      `footprint: t=${samples.at(-1)!.t}s ${names.map((n) => `${n} ${mib(rss[n]!)} MiB`).join(', ')}, total ${mib(total)} MiB, load ${loadavg()[0]!.toFixed(1)}`,
    );
  }
  const peaks = Object.fromEntries(stack.processes.map((p) => [p.name, memoryOf(p.pid()!)!.hwm]));
  const compose = loadComposeSource();
  const limitOf = (name: string) => {
    const svc = compose.services[name === 'prometheus' ? 'mimir' : name] as {
      mem_limit?: string;
      environment?: Record<string, unknown>;
    };
    return {
      mem_limit: svc.mem_limit ?? null,
      GOMEMLIMIT: String(svc.environment?.GOMEMLIMIT ?? '') || null,
    };
  };
  const perBackend = Object.fromEntries(
    names.map((n) => {
      const xs = samples.map((s) => s.rss[n]!);
      return [
        n,
        {
          maxMiB: mib(Math.max(...xs)),
          medianMiB: mib(median(xs)),
          peakVmHWMMiB: mib(peaks[n]!),
          compose: limitOf(n),
        },
      ];
    }),
  );
  const totals = samples.map((s) => Object.values(s.rss).reduce((a, b) => a + b, 0));
  const result = {
    what: 'RSS of the native stack backends under the demo load (compose/bench/footprint.ts)',
    commit: startDirty ? `${startCommit}+uncommitted` : startCommit,
    date: new Date().toISOString(),
    // node / cpu / date: the provenance fields every results file carries (scripts/test/bench-results.test.mjs).
    machine: {
      node: process.version,
      cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
      date: new Date().toISOString(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      totalMemMiB: mib(totalmem()),
      os: `${osType()} ${release()}`,
    },
    loadAverage1m: {
      min: Math.min(...samples.map((s) => s.load1)),
      median: median(samples.map((s) => s.load1)),
      max: Math.max(...samples.map((s) => s.load1)),
    },
    note: 'a shared 2-core machine with other builds and tests running: not a quiet machine',
    durationS: DURATION_S,
    stepS: STEP_S,
    loadRps: Number(LOAD_RPS),
    metricsStore: stack.metricsStore,
    versions: stack.versions,
    goMemLimit: Object.fromEntries(names.map((n) => [n, limitOf(n).GOMEMLIMIT])),
    perBackend,
    total: { maxMiB: mib(Math.max(...totals)), medianMiB: mib(median(totals)) },
    samples: samples.map((s) => ({
      t: s.t,
      load1: Math.round(s.load1 * 100) / 100,
      rssMiB: Object.fromEntries(Object.entries(s.rss).map(([k, v]) => [k, mib(v)])),
    })),
  };
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log('\nbackend      max MiB  median MiB  peak(VmHWM)  compose mem_limit / GOMEMLIMIT');
  for (const [n, r] of Object.entries(perBackend))
    console.log(
      `${n.padEnd(12)} ${String(r.maxMiB).padStart(7)}  ${String(r.medianMiB).padStart(10)}  ${String(r.peakVmHWMMiB).padStart(11)}  ${r.compose.mem_limit} / ${r.compose.GOMEMLIMIT}`,
    );
  console.log(
    `total        ${String(result.total.maxMiB).padStart(7)}  ${String(result.total.medianMiB).padStart(10)}`,
  );
  console.log(`footprint: wrote ${OUT}`);
} finally {
  stopDemo();
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
