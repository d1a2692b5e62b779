// provisioning/: Grafana's documented file structure, fixed uids and cross-links, `$$` escaping, and the
// alerting files (rules, contact point from env, policy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { loadYaml, readText, provisioningDir, yamlFilesUnder, rel } from './helpers/files.ts';
import { loadCompose, envOf } from './helpers/compose-model.ts';
import {
  loadDatasources,
  datasource,
  dashboardsProviderFile,
  rulesFile,
  contactPointsFile,
  policiesFile,
  pluginsFile,
} from './helpers/provisioning-model.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

test('provisioning has the folders Grafana scans, each file with apiVersion 1', () => {
  assert.deepEqual(
    readdirSync(provisioningDir)
      .filter((n) => !n.includes('.'))
      .sort(),
    ['alerting', 'dashboards', 'datasources', 'plugins'],
  );
  for (const file of yamlFilesUnder(provisioningDir)) {
    assert.equal(loadYaml<Obj>(file).apiVersion, 1, rel(file));
  }
});

/** `$X`/`${X}` in provisioning is replaced from Grafana's environment; `$$` is a literal `$`. */
function envReferences(text: string): string[] {
  const refs: string[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    if (text[i + 1] === '$') {
      i++;
      continue;
    }
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    if (m) refs.push(m[1]!);
  }
  return refs;
}

test('envReferences tells escaped from interpolated (control)', () => {
  assert.deepEqual(envReferences('a $$labels.x ${FOO} $BAR $${__value.raw}'), ['FOO', 'BAR']);
});

test('only intended environment variables are interpolated; Grafana gets them from compose', () => {
  // Grafana expands variables in the parsed values (comments are not values), so walk the strings.
  const strings = (v: unknown): string[] =>
    typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
  const refs = new Set<string>();
  for (const file of yamlFilesUnder(provisioningDir)) {
    for (const s of strings(loadYaml(file))) for (const r of envReferences(s)) refs.add(`${rel(file)}:${r}`);
  }
  assert.deepEqual([...refs], ['provisioning/alerting/contact-points.yaml:ALERT_WEBHOOK_URL']);
  const grafanaEnv = envOf(loadCompose().services.grafana!);
  assert.match(
    grafanaEnv.ALERT_WEBHOOK_URL ?? '',
    /^\$\{ALERT_WEBHOOK_URL:-http:\/\/.+\}$/,
    'needs a default: an empty URL fails provisioning',
  );
});

test('data sources: fixed uids, types and in-network URLs', () => {
  const byUid = Object.fromEntries(loadDatasources().map((d) => [d.uid, d]));
  assert.deepEqual(Object.keys(byUid).sort(), ['loki', 'mimir', 'tempo']);
  assert.equal(byUid.mimir!.type, 'prometheus');
  assert.equal(byUid.mimir!.url, 'http://mimir:9009/prometheus');
  assert.equal(byUid.tempo!.type, 'tempo');
  assert.equal(byUid.tempo!.url, 'http://tempo:3200');
  assert.equal(byUid.loki!.type, 'loki');
  assert.equal(byUid.loki!.url, 'http://loki:3100');
  for (const d of Object.values(byUid) as Obj[]) {
    assert.ok(d.name && d.access === 'proxy' && d.editable === false, d.uid);
  }
  assert.equal(loadDatasources().filter((d) => d.isDefault).length, 1);
});

test('Mimir exemplars link to Tempo under both trace-id label names', () => {
  const dest = datasource('mimir').jsonData.exemplarTraceIdDestinations as Obj[];
  assert.deepEqual(dest.map((d) => d.name).sort(), ['traceID', 'trace_id']);
  for (const d of dest) assert.equal(d.datasourceUid, 'tempo');
  assert.equal(datasource('mimir').jsonData.prometheusType, 'Mimir');
});

test('Tempo links: service map -> Mimir, traces -> Loki by trace id, traces -> span metrics', () => {
  const j = datasource('tempo').jsonData;
  assert.equal(j.serviceMap.datasourceUid, 'mimir');
  assert.equal(j.nodeGraph.enabled, true);
  assert.equal(j.tracesToLogsV2.datasourceUid, 'loki');
  assert.equal(j.tracesToLogsV2.filterByTraceID, true);
  assert.match(j.tracesToLogsV2.query, /trace_id="\$\$\{__trace\.traceId\}"/);
  assert.deepEqual(j.tracesToLogsV2.tags, [{ key: 'service.name', value: 'service_name' }]);
  assert.equal(j.tracesToMetrics.datasourceUid, 'mimir');
  assert.deepEqual(j.tracesToMetrics.tags, [{ key: 'service.name', value: 'service' }]);
  for (const q of j.tracesToMetrics.queries as Obj[]) assert.match(q.query, /traces_spanmetrics_/);
  assert.deepEqual(j.streamingEnabled, { search: true, metrics: true });
});

test('Loki derived field turns the trace_id structured-metadata label into a Tempo link', () => {
  const fields = datasource('loki').jsonData.derivedFields as Obj[];
  const f = fields.find((x) => x.name === 'trace_id');
  assert.ok(f);
  assert.equal(f.matcherType, 'label');
  assert.equal(f.matcherRegex, 'trace_id');
  assert.equal(f.datasourceUid, 'tempo');
  assert.equal(f.url, '$${__value.raw}');
});

test('dashboards provider loads the mounted generated JSON; home dashboard path is inside it', () => {
  const providers = loadYaml<Obj>(dashboardsProviderFile).providers as Obj[];
  assert.equal(providers.length, 1);
  const p = providers[0]!;
  assert.equal(p.type, 'file');
  assert.equal(p.options.path, '/etc/lgtm-apm/dashboards');
  const compose = loadCompose();
  const grafana = compose.services.grafana!;
  assert.ok((grafana.volumes ?? []).includes(`../dashboards/generated:${p.options.path}:ro`));
  const home = envOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
  assert.ok(home.startsWith(`${p.options.path}/`), home);
});

test('plugins file provisions no apps (the panel needs none)', () => {
  assert.deepEqual(loadYaml<Obj>(pluginsFile).apps, []);
});

test('alert rules follow the file-provisioning structure', () => {
  const file = loadYaml<Obj>(rulesFile);
  const uids = new Set<string>();
  const dashboardFolder = (loadYaml<Obj>(dashboardsProviderFile).providers as Obj[])[0]!.folder;
  for (const group of file.groups as Obj[]) {
    assert.notEqual(
      group.folder,
      dashboardFolder,
      'alert and dashboard folders are created by different provisioners',
    );
    assert.ok(group.name && group.folder && /^\d+[smh]$/.test(group.interval), 'group name/folder/interval');
    assert.equal(group.orgId, 1);
    for (const rule of group.rules as Obj[]) {
      assert.ok(rule.uid && rule.uid.length <= 40 && !uids.has(rule.uid), `uid ${rule.uid}`);
      uids.add(rule.uid);
      assert.ok(rule.title, rule.uid);
      assert.match(rule.for, /^\d+[smh]$/, rule.uid);
      assert.ok(['OK', 'NoData', 'Alerting'].includes(rule.noDataState), rule.uid);
      assert.ok(['OK', 'Error', 'Alerting'].includes(rule.execErrState), rule.uid);
      const refs = (rule.data as Obj[]).map((d) => d.refId);
      assert.ok(refs.includes(rule.condition), `${rule.uid}: condition ${rule.condition} not among ${refs}`);
      for (const d of rule.data as Obj[]) {
        assert.equal(d.model.refId, d.refId, rule.uid);
        assert.equal(d.model.datasource?.uid, d.datasourceUid, `${rule.uid}/${d.refId}: model.datasource`);
        if (d.datasourceUid === '__expr__') {
          assert.ok(['reduce', 'threshold', 'math'].includes(d.model.type), rule.uid);
          assert.ok(refs.includes(d.model.expression), `${rule.uid}: ${d.refId} reads ${d.model.expression}`);
        } else {
          assert.equal(d.datasourceUid, 'mimir', rule.uid);
          assert.ok(d.relativeTimeRange.from > 0, rule.uid);
          assert.equal(typeof d.model.expr, 'string', rule.uid);
        }
      }
      assert.ok(rule.annotations?.summary, rule.uid);
    }
  }
  for (const kind of [
    'service-error-rate',
    'edge-error-rate',
    'service-slow-rate',
    'edge-slow-rate',
    'heap-usage',
    'event-loop-lag',
  ]) {
    assert.ok(uids.has(`lgtm-apm-${kind}`), kind);
  }
});

test('slow-rate rules read the le="3" bucket that Tempo actually produces', () => {
  const tempo = loadYaml<Obj>(join(provisioningDir, '..', 'compose', 'tempo.yaml'));
  assert.ok(tempo.metrics_generator.processor.service_graphs.histogram_buckets.includes(3));
  const text = readText(rulesFile);
  assert.equal((text.match(/_seconds_bucket\{le="3"\}/g) ?? []).length, 2);
});

test('contact point is a webhook fed from ALERT_WEBHOOK_URL; the root policy routes to it', () => {
  const cps = loadYaml<Obj>(contactPointsFile).contactPoints as Obj[];
  assert.equal(cps.length, 1);
  const receiver = cps[0]!.receivers[0];
  assert.equal(receiver.type, 'webhook');
  assert.equal(receiver.settings.url, '${ALERT_WEBHOOK_URL}');
  const policies = loadYaml<Obj>(policiesFile).policies as Obj[];
  assert.equal(policies[0]!.receiver, cps[0]!.name);
});
