// The checks both e2e launchers (Docker compose, native stack) run against the real backends while the
// demo produces traffic. Each check polls until it passes or the deadline passes (data arrives over
// minutes), then records its result; nothing here depends on how the stack was started.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  collectPanelQueries,
  collectVariableQueries,
  interpolate,
  type DashboardJson,
} from '../../../dashboards/src/index.ts';
import { contextsFor } from '../../../dashboards/test/helpers/contexts.ts';
import { loadAlertRules, datasource } from '../helpers/provisioning-model.ts';
import { toPrometheusRuleGroup } from '../helpers/promtool-rules.ts';
import { repoRoot } from '../helpers/files.ts';
import {
  DEMO_SERVICES,
  DEMO_EDGES,
  PINPOINT_BUCKETS,
  TRACEQL_GATEWAY_TRACES,
  PROMQL_SERVICE_GRAPH_EDGES,
  PROMQL_SERVICE_GRAPH_BUCKETS,
  PROMQL_RUNTIME_SERIES,
  LOGQL_DEMO_LOGS_WITH_TRACE,
  PROMQL_EXEMPLAR_SERIES,
  LOKI_STREAM_LABELS,
  ALERT_ALLOWED_TARGETS,
} from './queries.ts';

// API responses are checked field by field below; their full shapes are not worth typing here.
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StackUrls {
  tempo: string;
  /** Prometheus API base (…/prometheus on Mimir and on Prometheus with the route prefix). */
  metrics: string;
  loki: string;
}

/** The plugin's pure query builders (grafana-plugin/src/traceql), loaded by the launcher. */
export interface PanelQueryBuilders {
  dotsRequest(filter: { service: string; minMs?: number; maxMs?: number; status?: 'error' | 'ok' }): Json;
  bandRequest(filter: { service: string; minMs?: number; maxMs?: number; status?: 'error' | 'ok' }): Json;
  histogramRequest(filter: { service: string }, step?: string): Json;
  runtimeRequest(kind: 'eventLoopLag' | 'gcPause', service: string): Json;
  requestCountRequest(service: string): Json;
  traceLogsRequest(traceId: string): Json;
}

export interface Result {
  name: string;
  ok: boolean;
  detail: string;
}

export interface CheckOptions {
  urls: StackUrls;
  /** Name Tempo gives the uninstrumented third party (server.address of payments' EXTERNAL_URL). */
  externalPeer: string;
  deadline: number;
  panel: PanelQueryBuilders;
  log?: (line: string) => void;
  /** Window the range queries look at (seconds back from now). */
  windowS?: number;
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<Json> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${url}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

const nowS = () => Math.floor(Date.now() / 1000);

/** Number of finite samples in a Prometheus result (NaN from 0/0 does not count as data). */
function finiteSamples(data: Json): number {
  if (data.resultType === 'scalar') return Number.isFinite(Number(data.result[1])) ? 1 : 0;
  let n = 0;
  for (const s of data.result as Json[])
    for (const [, v] of s.values ?? (s.value ? [s.value] : [])) if (Number.isFinite(Number(v))) n++;
  return n;
}

export function loadGeneratedDashboards(): DashboardJson[] {
  const dir = join(repoRoot, 'dashboards', 'generated');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as DashboardJson);
}

export async function runChecks(opts: CheckOptions): Promise<Result[]> {
  const { urls, deadline, panel } = opts;
  const log = opts.log ?? ((line: string) => console.log(line));
  const windowS = opts.windowS ?? 1800;
  const results: Result[] = [];
  const record = (name: string, ok: boolean, detail: string) => {
    results.push({ name, ok, detail });
    log(`  ${ok ? '✔' : '✖'} ${name}: ${detail}`);
  };
  /** Retries `check` until it returns a detail string or the deadline passes. */
  async function eventually(name: string, check: () => Promise<string>) {
    let last: string;
    while (true) {
      try {
        record(name, true, await check());
        return;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() > deadline) {
        record(name, false, last);
        return;
      }
      await sleep(10_000);
    }
  }
  const prom = (q: string, time = nowS()) =>
    getJson(`${urls.metrics}/api/v1/query?query=${encodeURIComponent(q)}&time=${time}`).then(
      (r) => r.data as Json,
    );
  const promRange = (q: string) =>
    getJson(
      `${urls.metrics}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${nowS() - windowS}&end=${nowS()}&step=60`,
    ).then((r) => r.data as Json);
  const lokiRange = (q: string, limit = 100) =>
    getJson(
      `${urls.loki}/loki/api/v1/query_range?query=${encodeURIComponent(q)}&limit=${limit}&start=${(nowS() - windowS) * 1e9}&end=${nowS() * 1e9}`,
      { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
    ).then((r) => r.data as Json);
  const tempoSearch = (q: string, limit: number, spss?: number) =>
    getJson(
      `${urls.tempo}/api/search?q=${encodeURIComponent(q)}&limit=${limit}${spss ? `&spss=${spss}` : ''}&start=${nowS() - windowS}&end=${nowS()}`,
    );

  // ---------------------------------------------------------------- traces
  let loggedTraceId = '';
  await eventually('Tempo search finds demo traces and returns a full trace', async () => {
    const r = await tempoSearch(TRACEQL_GATEWAY_TRACES, 20);
    const traces = (r.traces ?? []) as Json[];
    if (traces.length === 0) throw new Error('no traces yet');
    const trace = await getJson(`${urls.tempo}/api/v2/traces/${traces[0]!.traceID}`);
    const spans = JSON.stringify(trace).match(/"spanId"/g)?.length ?? 0;
    if (spans < 2) throw new Error(`trace ${traces[0]!.traceID} has ${spans} spans`);

    return `${traces.length} traces, first has ${spans} spans`;
  });

  // ---------------------------------------------------------------- service graph
  await eventually('service graph: the six demo edges with client, server and connection_type', async () => {
    const series = (await prom(PROMQL_SERVICE_GRAPH_EDGES)).result as Json[];
    const have = series.map((s) => s.metric as Record<string, string>);
    const describe = (m: Record<string, string>) =>
      `${m.client}->${m.server}[${m.connection_type ?? ''}${m.virtual_node ? `,vn=${m.virtual_node}` : ''}]`;
    const missing: string[] = [];
    for (const e of DEMO_EDGES) {
      const server = e.server === '$external' ? opts.externalPeer : e.server;
      const hit = have.find(
        (m) =>
          m.client === e.client &&
          m.server === server &&
          (m.connection_type ?? '') === e.connectionType &&
          (m.virtual_node ?? '') === (e.virtualNode ?? ''),
      );
      if (!hit)
        missing.push(
          `${e.client}->${server}[${e.connectionType}${e.virtualNode ? `,vn=${e.virtualNode}` : ''}]`,
        );
    }
    if (missing.length)
      throw new Error(
        `missing ${missing.join(', ')}; have ${have.map(describe).sort().join(', ') || 'none'}`,
      );
    return have.map(describe).sort().join(', ');
  });

  await eventually('service-graph latency buckets include 1 s, 3 s and 5 s', async () => {
    const series = (await prom(PROMQL_SERVICE_GRAPH_BUCKETS)).result as Json[];
    const les = new Set(series.map((s) => Number(s.metric.le)));
    const missing = PINPOINT_BUCKETS.filter((b) => !les.has(b));
    if (missing.length)
      throw new Error(`no le=${missing.join(', ')} (have ${[...les].sort((a, b) => a - b).join(', ')})`);
    return `le = ${[...les].sort((a, b) => a - b).join(', ')}`;
  });

  await eventually('prom-client runtime series for every demo service', async () => {
    const seen: string[] = [];
    for (const q of PROMQL_RUNTIME_SERIES) {
      const services = new Set(((await prom(q)).result as Json[]).map((s) => s.metric.service_name));
      const missing = DEMO_SERVICES.filter((s) => !services.has(s));
      if (missing.length) throw new Error(`${q}: no series for ${missing.join(', ')}`);
      seen.push(q.match(/\((\w+)\{/)![1]!);
    }
    return seen.join(', ');
  });

  await eventually('exemplars carry Tempo trace ids', async () => {
    const q = encodeURIComponent(PROMQL_EXEMPLAR_SERIES);
    const r = await getJson(
      `${urls.metrics}/api/v1/query_exemplars?query=${q}&start=${nowS() - windowS}&end=${nowS()}`,
    );
    const ids = (r.data as Json[]).flatMap((s) =>
      (s.exemplars as Json[]).map((e) => e.labels.traceID ?? e.labels.trace_id),
    );
    if (!ids.some((id) => /^[0-9a-f]{16,32}$/.test(String(id))))
      throw new Error('no exemplars with a trace id yet');
    return `${ids.length} exemplars`;
  });

  // ---------------------------------------------------------------- logs
  await eventually('Loki: demo logs with trace_id, labelled as the dashboards expect', async () => {
    const streams = (await lokiRange(LOGQL_DEMO_LOGS_WITH_TRACE, 200)).result as Array<{
      stream: Record<string, string>;
      values: unknown[][];
    }>;
    const withTrace = streams.flatMap((s) =>
      s.values.filter((v) => {
        const meta = (v[2] as { structuredMetadata?: Record<string, string> } | undefined)
          ?.structuredMetadata;
        return /^[0-9a-f]{32}$/.test(meta?.trace_id ?? s.stream.trace_id ?? '');
      }),
    );
    if (withTrace.length === 0) throw new Error(`${streams.length} streams, none with a trace_id`);
    // The call tree check follows this trace: it has logs (a /healthz trace, logged at debug, has none).
    const first = withTrace[0]!;
    loggedTraceId =
      (first[2] as { structuredMetadata?: Record<string, string> }).structuredMetadata?.trace_id ?? '';
    const labels = new Set(streams.flatMap((s) => Object.keys(s.stream)));
    const missing = LOKI_STREAM_LABELS.filter((l) => !labels.has(l));
    if (missing.length)
      throw new Error(`stream labels lack ${missing.join(', ')} (have ${[...labels].sort().join(', ')})`);
    const services = new Set(streams.map((s) => s.stream.service_name));
    return `${withTrace.length} lines with trace_id from ${services.size} services; labels ${[...labels].sort().join(', ')}`;
  });

  // ---------------------------------------------------------------- dashboards
  const dashboards = loadGeneratedDashboards();
  const instances: Record<string, string[]> = {};
  await eventually('instances known (target_info)', async () => {
    const r = (
      await prom('group by (service_name, service_instance_id) (target_info{service_namespace="demo"})')
    ).result as Json[];
    for (const s of r) (instances[s.metric.service_name] ??= []).push(s.metric.service_instance_id);
    if (!DEMO_SERVICES.every((s) => instances[s]?.length))
      throw new Error(`target_info for ${Object.keys(instances).join(', ') || 'none'}`);
    return Object.entries(instances)
      .map(([s, ids]) => `${s}×${ids.length}`)
      .join(', ');
  });
  for (const dashboard of dashboards) {
    const contexts = contextsFor(dashboard.uid, instances);
    const queries = collectPanelQueries(dashboard);
    for (const language of ['promql', 'logql', 'traceql'] as const) {
      const mine = queries.filter((q) => q.language === language);
      if (mine.length === 0) continue;
      await eventually(`${dashboard.uid}: every ${language} panel query returns data`, async () => {
        const empty: string[] = [];
        for (const q of mine) {
          // A query passes when at least one of the contexts a user would pick returns data.
          let samples = 0;
          for (const ctx of contexts) {
            const expr = interpolate(q.expr, ctx.values);
            if (language === 'promql')
              samples += finiteSamples(q.instant ? await prom(expr) : await promRange(expr));
            else if (language === 'logql') {
              const data = await lokiRange(expr, 20);
              samples +=
                data.resultType === 'matrix'
                  ? finiteSamples(data)
                  : (data.result as Json[]).reduce((n, s) => n + s.values.length, 0);
            } else samples += ((await tempoSearch(expr, 20)).traces ?? []).length;
            if (samples > 0) break;
          }
          if (samples === 0) empty.push(`"${q.panelTitle}" ${q.refId}: ${q.expr}`);
        }
        if (empty.length) throw new Error(`${empty.length}/${mine.length} empty: ${empty.join(' | ')}`);
        return `${mine.length} queries`;
      });
    }
    const variables = collectVariableQueries(dashboard);
    if (variables.length) {
      await eventually(`${dashboard.uid}: every variable lists values`, async () => {
        const empty: string[] = [];
        for (const v of variables) {
          const selector = v.selector ? interpolate(v.selector, contexts[0]!.values) : undefined;
          let values: string[];
          if (v.language === 'promql') {
            const match = selector ? `&match[]=${encodeURIComponent(selector)}` : '';
            values = (
              await getJson(
                `${urls.metrics}/api/v1/label/${v.label}/values?start=${nowS() - windowS}&end=${nowS()}${match}`,
              )
            ).data;
          } else {
            const query = selector ? `&query=${encodeURIComponent(selector)}` : '';
            values =
              (
                await getJson(
                  `${urls.loki}/loki/api/v1/label/${v.label}/values?start=${(nowS() - windowS) * 1e9}&end=${nowS() * 1e9}${query}`,
                )
              ).data ?? [];
          }
          if (!values.length) empty.push(`${v.name}: ${v.raw}`);
        }
        if (empty.length) throw new Error(`no values for ${empty.join(' | ')}`);
        return variables.map((v) => v.name).join(', ');
      });
    }
  }

  // ---------------------------------------------------------------- the panel's own queries
  await eventually('panel scatter: dots search with spss and limit', async () => {
    const req = panel.dotsRequest({ service: 'gateway' });
    const r = await tempoSearch(req.query, req.limit, req.spss);
    const traces = (r.traces ?? []) as Json[];
    const spans = traces.flatMap((t) =>
      (t.spanSets ?? [t.spanSet]).filter(Boolean).flatMap((s: Json) => s.spans ?? []),
    );
    if (spans.length === 0) throw new Error(`no spans (${traces.length} traces)`);
    const attrs = new Set(spans.flatMap((s: Json) => (s.attributes ?? []).map((a: Json) => a.key)));
    for (const want of ['http.route', 'http.response.status_code'])
      if (!attrs.has(want)) throw new Error(`dots lack ${want} (have ${[...attrs].join(', ')})`);
    return `${traces.length} traces, ${spans.length} spans, attributes ${[...attrs].sort().join(', ')}`;
  });

  await eventually('panel scatter: a drag band (1–8 s) returns only spans inside it', async () => {
    const req = panel.bandRequest({ service: 'gateway', minMs: 1000, maxMs: 8000 });
    const r = await tempoSearch(req.query, req.limit, req.spss);
    const spans = ((r.traces ?? []) as Json[]).flatMap((t) =>
      (t.spanSets ?? [t.spanSet]).filter(Boolean).flatMap((s: Json) => s.spans ?? []),
    );
    if (spans.length === 0) throw new Error('no spans in the band yet');
    const outside = spans.filter(
      (s: Json) => Number(s.durationNanos) < 1e9 || Number(s.durationNanos) > 8.001e9,
    );
    if (outside.length) throw new Error(`${outside.length} spans outside 1–8 s`);
    return `${spans.length} spans between 1 and 8 s`;
  });

  await eventually('panel scatter: error transactions (status = error)', async () => {
    const req = panel.bandRequest({ service: 'gateway', status: 'error' });
    const r = await tempoSearch(req.query, req.limit, req.spss);
    if (!(r.traces ?? []).length) throw new Error('no failed gateway transactions yet');
    return `${r.traces.length} traces`;
  });

  await eventually('panel heatmap: histogram_over_time through Tempo’s metrics API', async () => {
    const req = panel.histogramRequest({ service: 'gateway' }, '60s');
    const r = await getJson(
      `${urls.tempo}/api/metrics/query_range?q=${encodeURIComponent(req.query)}&start=${nowS() - 900}&end=${nowS()}&step=60s`,
    );
    const series = (r.series ?? []) as Json[];
    const buckets = series.map((s) => (s.labels as Json[]).find((l) => l.key === '__bucket')?.value);
    if (!series.length || buckets.some((b) => b === undefined))
      throw new Error(`series ${JSON.stringify(series).slice(0, 300)}`);
    return `${series.length} duration buckets`;
  });

  await eventually('panel call tree: trace by id, and its logs in Loki', async () => {
    if (!loggedTraceId) throw new Error('no logged trace id found yet');
    const trace = await getJson(`${urls.tempo}/api/v2/traces/${loggedTraceId}`);
    if (!JSON.stringify(trace).includes('"spanId"')) throw new Error('trace has no spans');
    const logs = (await lokiRange(panel.traceLogsRequest(loggedTraceId).expr, 50)).result as Json[];
    const lines = logs.reduce((n, s) => n + s.values.length, 0);
    if (lines === 0) throw new Error(`no log lines for trace ${loggedTraceId}`);
    return `trace ${loggedTraceId}: ${lines} log lines`;
  });

  await eventually('panel PromQL: runtime overlays and request count', async () => {
    const out: string[] = [];
    for (const req of [
      panel.runtimeRequest('eventLoopLag', 'orders'),
      panel.runtimeRequest('gcPause', 'orders'),
      panel.requestCountRequest('gateway'),
    ]) {
      const expr = interpolate(req.expr, { __rate_interval: '2m', __range: '15m' });
      const n = finiteSamples(req.instant ? await prom(expr) : await promRange(expr));
      if (n === 0) throw new Error(`${req.refId} empty: ${expr}`);
      out.push(req.refId);
    }
    return out.join(', ');
  });

  await eventually('data-source links: traces→metrics and traces→logs queries return data', async () => {
    const tempoDs = datasource('tempo').jsonData;
    for (const q of tempoDs.tracesToMetrics.queries as Json[]) {
      const expr = String(q.query).replaceAll('$$', '$').replace('$__tags', 'service="gateway"');
      if (finiteSamples(await prom(expr)) === 0) throw new Error(`${q.name} empty: ${expr}`);
    }
    const logsQ = String(tempoDs.tracesToLogsV2.query)
      .replaceAll('$$', '$')
      .replace('${__tags}', 'service_name="gateway"')
      .replace('${__trace.traceId}', loggedTraceId);
    const lines = ((await lokiRange(logsQ, 20)).result as Json[]).reduce((n, s) => n + s.values.length, 0);
    if (!lines) throw new Error(`no logs for ${logsQ}`);
    return `${(tempoDs.tracesToMetrics.queries as Json[]).length} metrics queries, logs query ${lines} lines`;
  });

  // ---------------------------------------------------------------- alerts
  await eventually('alert rules on real data fire only where the demo injects failures', async () => {
    // The same conversion `promtool test rules` uses (helpers/promtool-rules.ts), evaluated now by the
    // store's own PromQL engine. `for:` is not modelled: this is what would be pending or firing.
    const rules = toPrometheusRuleGroup(loadAlertRules()).groups[0]!.rules;
    const firing: string[] = [];
    const wrong: string[] = [];
    for (const rule of rules) {
      const res = (await prom(rule.expr)).result as Json[];
      for (const s of res) {
        const m = s.metric as Record<string, string>;
        const target = m.client
          ? `${m.client}->${m.server}`
          : (m.server ?? m.service_name ?? JSON.stringify(m));
        const label = `${rule.alert}{${target}}`;
        firing.push(label);
        const allowed = ALERT_ALLOWED_TARGETS(opts.externalPeer);
        if (!allowed.some((a) => a.rule.test(rule.alert) && a.target.test(target))) wrong.push(label);
      }
    }
    if (wrong.length) throw new Error(`fired where the demo injects no failure: ${wrong.join(', ')}`);
    if (!firing.some((f) => f.includes('error')))
      throw new Error('no error-rate rule fires yet (the demo fails ~6 % of requests)');
    return `firing: ${firing.join(', ')}`;
  });

  return results;
}
