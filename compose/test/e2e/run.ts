#!/usr/bin/env node
// End-to-end check of the whole stack on a host with a Docker engine (`npm run test:e2e`):
// up --build, wait for health, let the demo produce traffic, then ask the real APIs whether traces,
// service-graph and runtime metrics, logs with trace ids, data sources, the panel plugin, dashboards and
// alert rules are there; print each container's memory beside its limit; tear everything down.
// Without a Docker engine it prints why and exits 0.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeFile, repoRoot } from '../helpers/files.ts';
import { loadCompose, oneShotServices, parseBytes, dependencyClosure } from '../helpers/compose-model.ts';
import {
  DEMO_SERVICES,
  REQUIRED_EDGES,
  ENTRY_SERVICE,
  EXPECTED_ENTRY_CLIENT,
  TRACEQL_GATEWAY_TRACES,
  PROMQL_SERVICE_GRAPH_EDGES,
  PROMQL_RUNTIME_SERIES,
  LOGQL_DEMO_LOGS_WITH_TRACE,
  PROMQL_EXEMPLAR_SERIES,
} from './queries.ts';

const PROJECT = process.env.LGTM_E2E_PROJECT ?? 'lgtm-apm-e2e';
const HEALTH_TIMEOUT_S = Number(process.env.LGTM_E2E_HEALTH_TIMEOUT_S ?? 900);
const DATA_TIMEOUT_S = Number(process.env.LGTM_E2E_DATA_TIMEOUT_S ?? 420);
const KEEP = process.env.LGTM_E2E_KEEP === '1';
const PASSWORD = process.env.GRAFANA_ADMIN_PASSWORD || randomBytes(18).toString('base64url');
const SECRET_KEY = process.env.GRAFANA_SECRET_KEY || randomBytes(32).toString('hex');
const env = {
  ...process.env,
  GRAFANA_ADMIN_PASSWORD: PASSWORD,
  GRAFANA_SECRET_KEY: SECRET_KEY,
  COMPOSE_PROJECT_NAME: PROJECT,
};

const TEMPO = 'http://127.0.0.1:3200';
const MIMIR = 'http://127.0.0.1:9009/prometheus';
const LOKI = 'http://127.0.0.1:3100';
const GRAFANA = 'http://127.0.0.1:3000';
const GRAFANA_AUTH = `Basic ${Buffer.from(`${process.env.GRAFANA_ADMIN_USER ?? 'admin'}:${PASSWORD}`).toString('base64')}`;

function run(cmd: string, args: string[], opts: { quiet?: boolean } = {}) {
  const res = spawnSync(cmd, args, { cwd: repoRoot, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (!opts.quiet && res.status !== 0) process.stderr.write(res.stderr ?? '');
  return res;
}

const dc = (...args: string[]) => run('docker', ['compose', '-f', composeFile, '-p', PROJECT, ...args]);

function skip(reason: string): never {
  console.log(`e2e skipped: ${reason}`);
  console.log('ℹ tests 0\nℹ pass 0\nℹ fail 0\nℹ skipped 1');
  process.exit(0);
}

// ---------------------------------------------------------------- preconditions
const info = run('docker', ['info', '--format', '{{.ServerVersion}}'], { quiet: true });
if (info.error) skip(`no docker CLI on PATH (${info.error.message})`);
if (info.status !== 0)
  skip(`no Docker engine reachable (docker info: ${(info.stderr || '').trim().split('\n')[0]})`);
const v2 = run('docker', ['compose', 'version', '--short'], { quiet: true });
if (v2.status !== 0) skip('Docker Compose v2 plugin (`docker compose`) not installed');
console.log(`e2e: Docker engine ${info.stdout.trim()}, compose ${v2.stdout.trim()}, project ${PROJECT}`);

// ---------------------------------------------------------------- checks
interface Result {
  name: string;
  ok: boolean;
  detail: string;
}
const results: Result[] = [];

// API responses are checked field by field below; their full shapes are not worth typing here.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function getJson(url: string, headers: Record<string, string> = {}): Promise<Json> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${url}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const grafana = (path: string) => getJson(`${GRAFANA}${path}`, { Authorization: GRAFANA_AUTH });
const promQuery = (q: string) => getJson(`${MIMIR}/api/v1/query?query=${encodeURIComponent(q)}`);

/** Retries `check` until it returns a detail string or the deadline passes (data arrives over minutes). */
async function eventually(name: string, deadline: number, check: () => Promise<string>) {
  let last: string;
  while (true) {
    try {
      const detail = await check();
      results.push({ name, ok: true, detail });
      console.log(`  ✔ ${name}: ${detail}`);
      return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      results.push({ name, ok: false, detail: last });
      console.log(`  ✖ ${name}: ${last}`);
      return;
    }
    await sleep(10_000);
  }
}

async function waitForHealth(): Promise<void> {
  const compose = loadCompose();
  const oneShots = oneShotServices(compose);
  const deadline = Date.now() + HEALTH_TIMEOUT_S * 1000;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    const ps = dc('ps', '--all', '--format', 'json');
    const rows = ps.stdout
      .trim()
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

function memoryReport() {
  const compose = loadCompose();
  const stats = run('docker', ['stats', '--no-stream', '--format', '{{json .}}']);
  const lgtm = dependencyClosure(compose, ['grafana']);
  const rows: Array<[string, string, string, string]> = [];
  let lgtmUsed = 0;
  for (const line of stats.stdout.trim().split('\n').filter(Boolean)) {
    const s = JSON.parse(line) as { Name: string; MemUsage: string; MemPerc: string };
    const service = Object.keys(compose.services).find((n) => s.Name === `${PROJECT}-${n}-1`);
    if (!service) continue;
    const used = s.MemUsage.split('/')[0]!.trim();
    const bytes = parseBytes(used.replace(/iB$/, '').replace(/B$/, '').toLowerCase());
    if (lgtm.has(service)) lgtmUsed += bytes;
    rows.push([service, used, String(compose.services[service]!.mem_limit), s.MemPerc]);
  }
  console.log('\nmemory (docker stats) vs mem_limit:');
  console.log(`  ${'service'.padEnd(12)} ${'used'.padStart(10)} ${'limit'.padStart(8)} ${'%'.padStart(7)}`);
  for (const [n, u, l, p] of rows)
    console.log(`  ${n.padEnd(12)} ${u.padStart(10)} ${l.padStart(8)} ${p.padStart(7)}`);
  const budget = [...lgtm].reduce((a, n) => a + parseBytes(compose.services[n]!.mem_limit!), 0);
  console.log(
    `  LGTM total used ${(lgtmUsed / 1024 ** 2).toFixed(0)} MiB of ${(budget / 1024 ** 2).toFixed(0)} MiB limits`,
  );
  results.push({
    name: 'LGTM memory within limits',
    ok: lgtmUsed > 0 && lgtmUsed <= budget,
    detail: `${(lgtmUsed / 1024 ** 2).toFixed(0)} MiB used`,
  });
}

async function checks() {
  const deadline = Date.now() + DATA_TIMEOUT_S * 1000;
  const nowS = () => Math.floor(Date.now() / 1000);

  await eventually('Tempo search finds demo traces and returns a full trace', deadline, async () => {
    const q = encodeURIComponent(TRACEQL_GATEWAY_TRACES);
    const r = await getJson(`${TEMPO}/api/search?q=${q}&limit=20&start=${nowS() - 900}&end=${nowS()}`);
    const traces = r.traces ?? [];
    if (traces.length === 0) throw new Error('no traces yet');
    const trace = await getJson(`${TEMPO}/api/v2/traces/${traces[0].traceID}`);
    const spans = JSON.stringify(trace).match(/"spanId"/g)?.length ?? 0;
    if (spans < 2) throw new Error(`trace ${traces[0].traceID} has ${spans} spans`);
    return `${traces.length} traces, first has ${spans} spans`;
  });

  await eventually('Mimir has traces_service_graph_request_total for the demo edges', deadline, async () => {
    const r = await promQuery(PROMQL_SERVICE_GRAPH_EDGES);
    const series = r.data.result as Json[];
    const edges = new Set<string>(series.map((s) => `${s.metric.client}->${s.metric.server}`));
    const missing = REQUIRED_EDGES.map(([c, s]) => `${c}->${s}`).filter((e) => !edges.has(e));
    if (missing.length)
      throw new Error(`missing edges ${missing.join(', ')} (have ${[...edges].join(', ') || 'none'})`);
    const entry = series.find((s) => s.metric.server === ENTRY_SERVICE && s.metric.virtual_node === 'client');
    if (!entry) throw new Error(`no virtual client edge into ${ENTRY_SERVICE} yet`);
    if (entry.metric.client !== EXPECTED_ENTRY_CLIENT) {
      console.log(
        `  note: the entry edge's client is "${entry.metric.client}", not "${EXPECTED_ENTRY_CLIENT}" ` +
          '(a peer_attributes match on the root server span; see compose/README.md, Troubleshooting)',
      );
    }
    return [...edges].sort().join(', ');
  });

  await eventually('Mimir has the prom-client runtime series for every demo service', deadline, async () => {
    const seen: string[] = [];
    for (const q of PROMQL_RUNTIME_SERIES) {
      const r = await promQuery(q);
      const services = new Set(r.data.result.map((s: Json) => s.metric.service_name));
      const missing = DEMO_SERVICES.filter((s) => !services.has(s));
      if (missing.length) throw new Error(`${q}: no series for ${missing.join(', ')}`);
      seen.push(q.match(/\((\w+)\{/)![1]!);
    }
    return seen.join(', ');
  });

  await eventually('Mimir keeps exemplars that carry Tempo trace ids', deadline, async () => {
    const q = encodeURIComponent(PROMQL_EXEMPLAR_SERIES);
    const r = await getJson(`${MIMIR}/api/v1/query_exemplars?query=${q}&start=${nowS() - 900}&end=${nowS()}`);
    const ids = (r.data as Json[]).flatMap((s) =>
      (s.exemplars as Json[]).map((e) => e.labels.traceID ?? e.labels.trace_id),
    );
    if (!ids.some((id) => /^[0-9a-f]{16,32}$/.test(String(id))))
      throw new Error('no exemplars with a trace id yet');
    return `${ids.length} exemplars`;
  });

  await eventually('Loki returns demo logs carrying trace_id', deadline, async () => {
    const q = encodeURIComponent(LOGQL_DEMO_LOGS_WITH_TRACE);
    const r = await getJson(
      `${LOKI}/loki/api/v1/query_range?query=${q}&limit=50&start=${(nowS() - 900) * 1e9}&end=${nowS() * 1e9}`,
      {
        'X-Loki-Response-Encoding-Flags': 'categorize-labels',
      },
    );
    const streams = r.data.result as Array<{ stream: Record<string, string>; values: unknown[][] }>;
    const withTrace = streams.flatMap((s) =>
      s.values.filter((v) => {
        const meta = (v[2] as { structuredMetadata?: Record<string, string> } | undefined)
          ?.structuredMetadata;
        return /^[0-9a-f]{32}$/.test(meta?.trace_id ?? s.stream.trace_id ?? '');
      }),
    );
    if (withTrace.length === 0) throw new Error(`${streams.length} streams, none with a trace_id`);
    return `${withTrace.length} lines with trace_id from ${new Set(streams.map((s) => s.stream.service_name)).size} services`;
  });

  await eventually('Grafana lists the three data sources and each is healthy', deadline, async () => {
    const list = (await grafana('/api/datasources')) as Array<{ uid: string }>;
    const uids = list.map((d) => d.uid).sort();
    for (const uid of ['loki', 'mimir', 'tempo']) {
      if (!uids.includes(uid)) throw new Error(`data source ${uid} missing (have ${uids.join(', ')})`);
      const h = await grafana(`/api/datasources/uid/${uid}/health`);
      if (h.status !== 'OK') throw new Error(`${uid} health: ${JSON.stringify(h)}`);
    }
    return 'mimir, tempo, loki OK';
  });

  await eventually('Grafana loaded the lgtmapm-apm-panel plugin', deadline, async () => {
    const p = await grafana('/api/plugins/lgtmapm-apm-panel/settings');
    if (p.id !== 'lgtmapm-apm-panel' || p.type !== 'panel') throw new Error(JSON.stringify(p).slice(0, 200));
    return `version ${p.info?.version ?? '?'}, signature ${p.signature ?? '?'}`;
  });

  await eventually('Grafana serves the provisioned dashboards', deadline, async () => {
    const found = (await grafana('/api/search?type=dash-db&limit=500')) as Array<{ uid: string }>;
    const uids = found.map((d) => d.uid);
    const want = ['lgtm-apm-overview', 'lgtm-apm-service', 'lgtm-apm-nodejs', 'lgtm-apm-logs'];
    const missing = want.filter((u) => !uids.includes(u));
    if (missing.length) throw new Error(`missing dashboards ${missing.join(', ')}`);
    const home = await grafana('/api/dashboards/home');
    if (home.dashboard?.uid !== 'lgtm-apm-overview')
      throw new Error(`home dashboard is ${home.dashboard?.uid}`);
    return `${want.join(', ')}; home = lgtm-apm-overview`;
  });

  await eventually('Grafana provisioned the alert rules', deadline, async () => {
    const rules = (await grafana('/api/v1/provisioning/alert-rules')) as Array<{ uid: string }>;
    const ours = rules.map((r) => r.uid).filter((u) => u.startsWith('lgtm-apm-'));
    if (ours.length < 6) throw new Error(`only ${ours.join(', ')}`);
    return `${ours.length} rules`;
  });
}

// ---------------------------------------------------------------- main
let exitCode = 0;
try {
  console.log('e2e: docker compose up -d --build (first run pulls images and builds the demo and plugin)');
  const up = dc('up', '-d', '--build');
  if (up.status !== 0) throw new Error('docker compose up failed');
  await waitForHealth();
  console.log('e2e: every service healthy; checking the APIs while the demo load runs');
  await checks();
  memoryReport();
} catch (err) {
  results.push({ name: 'stack', ok: false, detail: err instanceof Error ? err.message : String(err) });
  console.error(`e2e: ${err instanceof Error ? err.message : err}`);
  const logs = dc('logs', '--tail', '40');
  console.error(logs.stdout);
} finally {
  if (KEEP)
    console.log(`e2e: LGTM_E2E_KEEP=1, leaving project ${PROJECT} running (Grafana admin password: see env)`);
  else dc('down', '-v', '--remove-orphans');
}
const failed = results.filter((r) => !r.ok);
console.log(`\nℹ tests ${results.length}\nℹ pass ${results.length - failed.length}\nℹ fail ${failed.length}`);
if (failed.length) exitCode = 1;
process.exit(exitCode);
