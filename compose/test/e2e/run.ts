#!/usr/bin/env node
// End-to-end check of the whole stack (`npm run test:e2e`), whichever way it can be started here:
// - Docker compose when a Docker engine answers (LGTM_E2E_LAUNCHER=docker forces it);
// - the native stack (`npm run stack`'s supervisor) when Tempo, Loki and Mimir or Prometheus >= 3 are
//   found in LGTM_APM_BIN_DIR or on PATH (LGTM_E2E_LAUNCHER=native forces it);
// - otherwise it prints why and exits 0.
// Both launchers run the same checks (checks.ts, queries.ts) against the real APIs while the demo's
// load runs, then tear everything down (LGTM_E2E_KEEP=1 keeps it).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { composeFile, repoRoot } from '../helpers/files.ts';
import { loadCompose, oneShotServices, parseBytes, dependencyClosure } from '../helpers/compose-model.ts';
import { runChecks, getJson, type PanelQueryBuilders, type Result } from './checks.ts';
import {
  startNativeStack,
  resolveStackBinaries,
  MissingBinariesError,
  assertPortFree,
  parsePortOffset,
} from '../../stack/index.ts';

const PROJECT = process.env.LGTM_E2E_PROJECT ?? 'lgtm-apm-e2e';
const HEALTH_TIMEOUT_S = Number(process.env.LGTM_E2E_HEALTH_TIMEOUT_S ?? 900);
const DATA_TIMEOUT_S = Number(process.env.LGTM_E2E_DATA_TIMEOUT_S ?? 600);
/** Native launcher: how long the demo's load generator runs (the checks poll meanwhile). */
const LOAD_S = Number(process.env.LGTM_E2E_LOAD_S ?? 900);
const KEEP = process.env.LGTM_E2E_KEEP === '1';
const PASSWORD = process.env.GRAFANA_ADMIN_PASSWORD || randomBytes(18).toString('base64url');
const SECRET_KEY = process.env.GRAFANA_SECRET_KEY || randomBytes(32).toString('hex');
const env = {
  ...process.env,
  GRAFANA_ADMIN_PASSWORD: PASSWORD,
  GRAFANA_SECRET_KEY: SECRET_KEY,
  COMPOSE_PROJECT_NAME: PROJECT,
};
const GRAFANA_AUTH = `Basic ${Buffer.from(`${process.env.GRAFANA_ADMIN_USER ?? 'admin'}:${PASSWORD}`).toString('base64')}`;

function run(cmd: string, args: string[], opts: { quiet?: boolean } = {}) {
  const res = spawnSync(cmd, args, { cwd: repoRoot, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!opts.quiet && res.status !== 0) process.stderr.write(res.stderr ?? '');
  return res;
}

function skip(reason: string): never {
  console.log(`e2e skipped: ${reason}`);
  console.log('ℹ tests 0\nℹ pass 0\nℹ fail 0\nℹ skipped 1');
  process.exit(0);
}

/** The panel's pure query builders, bundled from grafana-plugin/src/traceql (extension-less imports). */
async function loadPanelBuilders(): Promise<PanelQueryBuilders> {
  const out = await build({
    entryPoints: [join(repoRoot, 'grafana-plugin', 'src', 'traceql', 'index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0]!.text;
  return (await import(
    `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
  )) as PanelQueryBuilders;
}

// ---------------------------------------------------------------- Grafana (both launchers, when present)
async function grafanaChecks(base: string, deadline: number, results: Result[]) {
  const grafana = (path: string) => getJson(`${base}${path}`, { Authorization: GRAFANA_AUTH });
  const checks: Array<[string, () => Promise<string>]> = [
    [
      'Grafana lists the three data sources and each is healthy',
      async () => {
        const list = (await grafana('/api/datasources')) as Array<{ uid: string }>;
        const uids = list.map((d) => d.uid).sort();
        for (const uid of ['loki', 'mimir', 'tempo']) {
          if (!uids.includes(uid)) throw new Error(`data source ${uid} missing (have ${uids.join(', ')})`);
          const h = await grafana(`/api/datasources/uid/${uid}/health`);
          if (h.status !== 'OK') throw new Error(`${uid} health: ${JSON.stringify(h)}`);
        }
        return 'mimir, tempo, loki OK';
      },
    ],
    [
      'Grafana loaded the lgtmapm-apm-panel plugin',
      async () => {
        const p = await grafana('/api/plugins/lgtmapm-apm-panel/settings');
        if (p.id !== 'lgtmapm-apm-panel' || p.type !== 'panel')
          throw new Error(JSON.stringify(p).slice(0, 200));
        return `version ${p.info?.version ?? '?'}, signature ${p.signature ?? '?'}`;
      },
    ],
    [
      'Grafana serves the provisioned dashboards',
      async () => {
        const found = (await grafana('/api/search?type=dash-db&limit=500')) as Array<{ uid: string }>;
        const want = ['lgtm-apm-overview', 'lgtm-apm-service', 'lgtm-apm-nodejs', 'lgtm-apm-logs'];
        const missing = want.filter((u) => !found.some((d) => d.uid === u));
        if (missing.length) throw new Error(`missing dashboards ${missing.join(', ')}`);
        const home = await grafana('/api/dashboards/home');
        if (home.dashboard?.uid !== 'lgtm-apm-overview')
          throw new Error(`home dashboard is ${home.dashboard?.uid}`);
        return `${want.join(', ')}; home = lgtm-apm-overview`;
      },
    ],
    [
      'Grafana provisioned the alert rules',
      async () => {
        const rules = (await grafana('/api/v1/provisioning/alert-rules')) as Array<{ uid: string }>;
        const ours = rules.map((r) => r.uid).filter((u) => u.startsWith('lgtm-apm-'));
        if (ours.length < 6) throw new Error(`only ${ours.join(', ')}`);
        return `${ours.length} rules`;
      },
    ],
  ];
  for (const [name, check] of checks) {
    let last: string;
    for (;;) {
      try {
        const detail = await check();
        results.push({ name, ok: true, detail });
        console.log(`  ✔ ${name}: ${detail}`);
        break;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() > deadline) {
        results.push({ name, ok: false, detail: last });
        console.log(`  ✖ ${name}: ${last}`);
        break;
      }
      await sleep(10_000);
    }
  }
}

// ---------------------------------------------------------------- Docker compose launcher
function dockerStatus(): { ok: true; detail: string } | { ok: false; reason: string } {
  const info = run('docker', ['info', '--format', '{{.ServerVersion}}'], { quiet: true });
  if (info.error) return { ok: false, reason: `no docker CLI on PATH (${info.error.message})` };
  if (info.status !== 0)
    return {
      ok: false,
      reason: `no Docker engine reachable (docker info: ${(info.stderr || '').trim().split('\n')[0]})`,
    };
  const v2 = run('docker', ['compose', 'version', '--short'], { quiet: true });
  if (v2.status !== 0)
    return { ok: false, reason: 'Docker Compose v2 plugin (`docker compose`) not installed' };
  return { ok: true, detail: `Docker engine ${info.stdout.trim()}, compose ${v2.stdout.trim()}` };
}

const dc = (...args: string[]) => run('docker', ['compose', '-f', composeFile, '-p', PROJECT, ...args]);

async function waitForHealth(): Promise<void> {
  const compose = loadCompose();
  const oneShots = oneShotServices(compose);
  const deadline = Date.now() + HEALTH_TIMEOUT_S * 1000;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    const rows = dc('ps', '--all', '--format', 'json')
      .stdout.trim()
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        const v = JSON.parse(line);
        return Array.isArray(v) ? v : [v];
      }) as Array<{ Service: string; State: string; Health: string; ExitCode: number }>;
    const byService = new Map(rows.map((r) => [r.Service, r]));
    pending = [];
    for (const name of Object.keys(compose.services)) {
      const r = byService.get(name);
      if (oneShots.has(name)) {
        if (r?.State === 'exited' && r.ExitCode !== 0) throw new Error(`${name} exited with ${r.ExitCode}`);
        if (r?.State !== 'exited') pending.push(`${name}(${r?.State ?? 'missing'})`);
      } else if (r?.Health !== 'healthy') {
        pending.push(`${name}(${r?.State ?? 'missing'}/${r?.Health || 'no health'})`);
      }
    }
    if (pending.length === 0) return;
    await sleep(5_000);
  }
  throw new Error(`not healthy after ${HEALTH_TIMEOUT_S}s: ${pending.join(', ')}`);
}

function dockerMemoryReport(results: Result[]) {
  const compose = loadCompose();
  const stats = run('docker', ['stats', '--no-stream', '--format', '{{json .}}']);
  const lgtm = dependencyClosure(compose, ['grafana']);
  let lgtmUsed = 0;
  console.log('\nmemory (docker stats) vs mem_limit:');
  for (const line of stats.stdout.trim().split('\n').filter(Boolean)) {
    const s = JSON.parse(line) as { Name: string; MemUsage: string; MemPerc: string };
    const service = Object.keys(compose.services).find((n) => s.Name === `${PROJECT}-${n}-1`);
    if (!service) continue;
    const used = s.MemUsage.split('/')[0]!.trim();
    const bytes = parseBytes(used.replace(/iB$/, '').replace(/B$/, '').toLowerCase());
    if (lgtm.has(service)) lgtmUsed += bytes;
    console.log(
      `  ${service.padEnd(12)} ${used.padStart(10)} ${String(compose.services[service]!.mem_limit).padStart(8)} ${s.MemPerc.padStart(7)}`,
    );
  }
  const budget = [...lgtm].reduce((a, n) => a + parseBytes(compose.services[n]!.mem_limit!), 0);
  results.push({
    name: 'LGTM memory within limits',
    ok: lgtmUsed > 0 && lgtmUsed <= budget,
    detail: `${(lgtmUsed / 1024 ** 2).toFixed(0)} MiB used of ${(budget / 1024 ** 2).toFixed(0)} MiB`,
  });
}

async function runDocker(detail: string): Promise<Result[]> {
  console.log(`e2e: ${detail}, project ${PROJECT}`);
  const results: Result[] = [];
  try {
    console.log('e2e: docker compose up -d --build (first run pulls images and builds the demo and plugin)');
    if (dc('up', '-d', '--build').status !== 0) throw new Error('docker compose up failed');
    await waitForHealth();
    console.log('e2e: every service healthy; checking the APIs while the demo load runs');
    const deadline = Date.now() + DATA_TIMEOUT_S * 1000;
    results.push(
      ...(await runChecks({
        urls: {
          tempo: 'http://127.0.0.1:3200',
          metrics: 'http://127.0.0.1:9009/prometheus',
          loki: 'http://127.0.0.1:3100',
        },
        externalPeer: 'external',
        deadline,
        panel: await loadPanelBuilders(),
      })),
    );
    await grafanaChecks('http://127.0.0.1:3000', deadline, results);
    dockerMemoryReport(results);
  } catch (err) {
    results.push({ name: 'stack', ok: false, detail: err instanceof Error ? err.message : String(err) });
    console.error(`e2e: ${err instanceof Error ? err.message : err}`);
    console.error(dc('logs', '--tail', '40').stdout);
  } finally {
    if (KEEP) console.log(`e2e: LGTM_E2E_KEEP=1, leaving project ${PROJECT} running`);
    else dc('down', '-v', '--remove-orphans');
  }
  return results;
}

// ---------------------------------------------------------------- native launcher
async function runNative(): Promise<Result[]> {
  const results: Result[] = [];
  const dataDir = process.env.LGTM_E2E_DATA || mkdtempSync(join(tmpdir(), 'lgtm-apm-e2e-'));
  const demoPortBase = Number(process.env.LGTM_E2E_DEMO_PORT_BASE ?? 8080);
  for (let i = 0; i < 4; i++)
    await assertPortFree(demoPortBase + i, `the demo (DEMO_PORT_BASE ${demoPortBase} + ${i})`);
  console.log(`e2e: native stack, data in ${dataDir}`);
  const stack = await startNativeStack({
    dataDir,
    portOffset: parsePortOffset(process.env.LGTM_APM_STACK_PORT_OFFSET),
    log: (line) => console.log(`e2e: ${line}`),
    vars: { ...process.env, GRAFANA_ADMIN_PASSWORD: PASSWORD },
  });
  console.log(
    `e2e: ${Object.entries(stack.versions)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ')}`,
  );
  // The demo exactly as a user runs it (`npm run demo`), exporting to the native stack.
  const demo = spawn(process.execPath, [join(repoRoot, 'demo', 'src', 'run-all.js')], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...stack.otelEnv,
      DEMO_PORT_BASE: String(demoPortBase),
      LOAD_DURATION_S: String(LOAD_S),
      OTEL_METRIC_EXPORT_INTERVAL: '15000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const demoLog: string[] = [];
  const keep = (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line) demoLog.push(line);
    if (demoLog.length > 400) demoLog.splice(0, demoLog.length - 400);
  };
  demo.stdout.on('data', keep);
  demo.stderr.on('data', keep);
  const killDemo = () => {
    try {
      process.kill(-demo.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
  };
  process.on('exit', killDemo);
  const demoExited = new Promise<number | null>((resolve) => demo.once('exit', resolve));
  try {
    const started = Date.now();
    const deadline = started + DATA_TIMEOUT_S * 1000;
    console.log(
      `e2e: demo running (gateway on 127.0.0.1:${demoPortBase}, load for ${LOAD_S} s); checking the APIs`,
    );
    results.push(
      ...(await runChecks({
        urls: stack.urls,
        // payments calls the stub at EXTERNAL_URL=http://127.0.0.1:<port>; Tempo names it by server.address.
        externalPeer: '127.0.0.1',
        deadline,
        panel: await loadPanelBuilders(),
      })),
    );
    if (stack.binaries.grafana) await grafanaChecks(stack.urls.grafana, deadline, results);
    else
      console.log('  - Grafana checks skipped: no grafana binary (Grafana stays unverified on this machine)');
    console.log(`e2e: checks took ${Math.round((Date.now() - started) / 1000)} s`);
    if (demo.exitCode !== null)
      throw new Error(`the demo exited early (${demo.exitCode}):\n${demoLog.slice(-30).join('\n')}`);
  } catch (err) {
    results.push({
      name: 'native stack',
      ok: false,
      detail: err instanceof Error ? err.message : String(err),
    });
    console.error(`e2e: ${err instanceof Error ? err.message : err}`);
    for (const p of stack.processes) console.error(`--- ${p.name}\n${p.tail(20)}`);
    console.error(`--- demo\n${demoLog.slice(-30).join('\n')}`);
  } finally {
    killDemo();
    await demoExited;
    if (KEEP) {
      console.log(`e2e: LGTM_E2E_KEEP=1: the stack stays up until you press Ctrl-C (data in ${dataDir})`);
      await new Promise<void>(() => {}); // Ctrl-C exits; the exit handlers stop the demo and the stack
    }
    await stack.stop();
    if (!process.env.LGTM_E2E_DATA && !KEEP) rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

// ---------------------------------------------------------------- main
// Ctrl-C / SIGTERM: exit through process.exit so the exit handlers stop the demo and the backends.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
const forced = process.env.LGTM_E2E_LAUNCHER;
if (forced && forced !== 'docker' && forced !== 'native')
  skip(`LGTM_E2E_LAUNCHER must be docker or native, got "${forced}"`);
let results: Result[];
const docker =
  forced === 'native' ? { ok: false as const, reason: 'LGTM_E2E_LAUNCHER=native' } : dockerStatus();
if (docker.ok) {
  results = await runDocker(docker.detail);
} else {
  let nativeReason = '';
  try {
    resolveStackBinaries();
  } catch (err) {
    if (!(err instanceof MissingBinariesError)) throw err;
    nativeReason = err.message;
  }
  if (nativeReason) {
    if (forced === 'native') {
      console.error(nativeReason);
      process.exit(1);
    }
    skip(`${docker.reason}; and no native stack:\n${nativeReason}`);
  }
  if (forced === 'docker') skip(docker.reason);
  results = await runNative();
}
const failed = results.filter((r) => !r.ok);
console.log(`\nℹ tests ${results.length}\nℹ pass ${results.length - failed.length}\nℹ fail ${failed.length}`);
process.exit(failed.length ? 1 : 0);
