// compose's tempo.yaml / loki.yaml / mimir.yaml and provisioning/ rendered for the native stack: every
// host, port and path is rewritten for one host, and nothing else differs from compose's files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  loadComposeSource,
  configFileOf,
  dataPathsOf,
  environmentOf,
  interpolate,
  repoRoot,
} from '../../stack/compose-source.ts';
import {
  endpoints,
  renderBackendConfig,
  renderPrometheusPlan,
  renderProvisioningFile,
  renderGrafanaEnv,
  renderOtelEnv,
  rewriteServiceUrl,
  type RenderContext,
} from '../../stack/render.ts';
import { portMap } from '../../stack/ports.ts';

const compose = loadComposeSource();
const DATA = '/srv/lgtm-data';
const mimirCtx: RenderContext = { ports: portMap(0), metricsStore: 'mimir' };
const promCtx: RenderContext = { ports: portMap(0), metricsStore: 'prometheus' };
const offsetCtx: RenderContext = { ports: portMap(10000), metricsStore: 'prometheus' };
const readYaml = (path: string) => parse(readFileSync(path, 'utf8'), { merge: true }) as unknown;

type Leaf = [path: string, value: unknown];
function leaves(node: unknown, prefix = ''): Leaf[] {
  if (Array.isArray(node)) return node.flatMap((v, i) => leaves(v, `${prefix}[${i}]`));
  if (node && typeof node === 'object')
    return Object.entries(node).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k));
  return [[prefix, node]];
}
/** [path, before, after] for every leaf that differs (undefined = absent on that side). */
function diff(a: unknown, b: unknown): Array<[string, unknown, unknown]> {
  const before = new Map(leaves(a));
  const after = new Map(leaves(b));
  const out: Array<[string, unknown, unknown]> = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    if (JSON.stringify(before.get(key)) !== JSON.stringify(after.get(key)))
      out.push([key, before.get(key), after.get(key)]);
  }
  return out.sort((x, y) => x[0].localeCompare(y[0]));
}

/** Strings that only make sense inside compose's containers. */
const CONTAINER_ONLY =
  /0\.0\.0\.0|\b(?:tempo|loki|mimir|grafana):\d|^\/(?:var\/tempo|loki|data|etc\/lgtm-apm|var\/lib\/grafana)\b/;

test('tempo.yaml: listen addresses, receivers, remote write (Prometheus paths) and data paths, nothing else', () => {
  const source = readYaml(configFileOf(compose, 'tempo'));
  const rendered = renderBackendConfig('tempo', source, promCtx, dataPathsOf(compose, 'tempo', DATA));
  assert.deepEqual(diff(source, rendered), [
    ['distributor.receivers.otlp.protocols.grpc.endpoint', '0.0.0.0:4317', '127.0.0.1:4317'],
    ['distributor.receivers.otlp.protocols.http.endpoint', '0.0.0.0:4318', '127.0.0.1:4318'],
    ['memberlist.bind_addr[0]', undefined, '127.0.0.1'],
    ['memberlist.bind_port', undefined, 7946],
    ['metrics_generator.storage.path', '/var/tempo/generator/wal', `${DATA}/tempo-data/generator/wal`],
    [
      'metrics_generator.storage.remote_write[0].url',
      'http://mimir:9009/api/v1/push',
      'http://127.0.0.1:9009/prometheus/api/v1/write',
    ],
    ['server.grpc_listen_address', undefined, '127.0.0.1'],
    ['server.http_listen_address', undefined, '127.0.0.1'],
    ['storage.trace.local.path', '/var/tempo/blocks', `${DATA}/tempo-data/blocks`],
    ['storage.trace.wal.path', '/var/tempo/wal', `${DATA}/tempo-data/wal`],
  ]);
  assert.deepEqual(
    leaves(rendered).filter(([, v]) => typeof v === 'string' && CONTAINER_ONLY.test(v)),
    [],
  );
  const withMimir = renderBackendConfig('tempo', source, mimirCtx, []) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(withMimir.metrics_generator.storage.remote_write[0].url, 'http://127.0.0.1:9009/api/v1/push');
});

test('loki.yaml: listen addresses and data paths only', () => {
  const source = readYaml(configFileOf(compose, 'loki'));
  const rendered = renderBackendConfig('loki', source, promCtx, dataPathsOf(compose, 'loki', DATA));
  const d = diff(source, rendered);
  assert.deepEqual(
    d.filter(([k]) => k.startsWith('server.')),
    [
      ['server.grpc_listen_address', undefined, '127.0.0.1'],
      ['server.http_listen_address', undefined, '127.0.0.1'],
    ],
  );
  const pathChanges = d.filter(([k]) => !k.startsWith('server.'));
  assert.ok(pathChanges.length >= 4, 'path_prefix, chunks, rules, compactor');
  for (const [key, before, after] of pathChanges) {
    assert.match(String(before), /^\/loki(\/|$)/, key);
    assert.equal(after, String(before).replace(/^\/loki/, `${DATA}/loki-data`), key);
  }
  assert.deepEqual(
    leaves(rendered).filter(([, v]) => typeof v === 'string' && CONTAINER_ONLY.test(v)),
    [],
  );
});

test('mimir.yaml: gRPC and memberlist moved off Tempo’s ports, data paths, nothing else', () => {
  const source = readYaml(configFileOf(compose, 'mimir'));
  const rendered = renderBackendConfig('mimir', source, mimirCtx, dataPathsOf(compose, 'mimir', DATA));
  const d = diff(source, rendered);
  assert.deepEqual(
    d.filter(([k]) => k.startsWith('server.') || k.startsWith('memberlist.')),
    [
      ['memberlist.bind_addr[0]', undefined, '127.0.0.1'],
      ['memberlist.bind_port', undefined, 7947],
      ['server.grpc_listen_address', undefined, '127.0.0.1'],
      ['server.grpc_listen_port', undefined, 9097],
      ['server.http_listen_address', undefined, '127.0.0.1'],
    ],
  );
  for (const [key, before, after] of d.filter(([k]) => !/^(server|memberlist)\./.test(k))) {
    assert.match(String(before), /^\/data\//, key);
    assert.equal(after, String(before).replace(/^\/data/, `${DATA}/mimir-data`), key);
  }
});

test('a port offset moves every port, including the ones compose keeps inside containers', () => {
  const tempo = renderBackendConfig('tempo', readYaml(configFileOf(compose, 'tempo')), offsetCtx, []) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(tempo.server.http_listen_port, 13200);
  assert.equal(tempo.server.grpc_listen_port, 19095);
  assert.equal(tempo.memberlist.bind_port, 17946);
  assert.equal(tempo.distributor.receivers.otlp.protocols.grpc.endpoint, '127.0.0.1:14317');
  assert.equal(
    tempo.metrics_generator.storage.remote_write[0].url,
    'http://127.0.0.1:19009/prometheus/api/v1/write',
  );
  const loki = renderBackendConfig('loki', readYaml(configFileOf(compose, 'loki')), offsetCtx, []) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.deepEqual([loki.server.http_listen_port, loki.server.grpc_listen_port], [13100, 19096]);
});

test('a port the plan does not know is an error, not a silent clash', () => {
  assert.throws(
    () => renderBackendConfig('tempo', { server: { http_listen_port: 3333 } }, mimirCtx, []),
    /no host port planned for tempo:3333/,
  );
  assert.throws(() => renderBackendConfig('loki', ['not', 'a', 'map'], mimirCtx, []), /YAML mapping/);
});

test('Mimir URLs map to Prometheus 3 paths under --web.route-prefix=/prometheus', () => {
  assert.equal(
    rewriteServiceUrl('http://mimir:9009/prometheus', promCtx),
    'http://127.0.0.1:9009/prometheus',
  );
  assert.equal(
    rewriteServiceUrl('http://mimir:9009/otlp/v1/metrics', promCtx),
    'http://127.0.0.1:9009/prometheus/api/v1/otlp/v1/metrics',
  );
  assert.equal(
    rewriteServiceUrl('http://mimir:9009/otlp/v1/metrics', mimirCtx),
    'http://127.0.0.1:9009/otlp/v1/metrics',
  );
  assert.equal(rewriteServiceUrl('http://tempo:4317', offsetCtx), 'http://127.0.0.1:14317');
  assert.equal(rewriteServiceUrl('https://example.com:9009/x', promCtx), 'https://example.com:9009/x');
  assert.throws(
    () => rewriteServiceUrl('http://mimir:9009/api/v1/rules', promCtx),
    /no Prometheus equivalent/,
  );
  const e = endpoints(promCtx);
  assert.equal(e.metricsReady, 'http://127.0.0.1:9009/prometheus/-/ready');
  assert.equal(endpoints(mimirCtx).metricsReady, 'http://127.0.0.1:9009/ready');
});

test('Prometheus plan: OTLP and storage settings come from mimir.yaml limits', () => {
  const mimir = readYaml(configFileOf(compose, 'mimir')) as { limits: Record<string, unknown> };
  const plan = renderPrometheusPlan(mimir, promCtx, { configFile: '/c/p.yaml', dataDir: '/d/prom' });
  assert.deepEqual(plan.config, {
    otlp: {
      promote_resource_attributes: String(mimir.limits.promote_otel_resource_attributes).split(','),
      keep_identifying_resource_attributes: true,
      translation_strategy: 'UnderscoreEscapingWithSuffixes',
    },
    storage: {
      tsdb: { out_of_order_time_window: mimir.limits.out_of_order_time_window },
      exemplars: { max_exemplars: mimir.limits.max_global_exemplars_per_user },
    },
  });
  assert.deepEqual(plan.args, [
    '--config.file=/c/p.yaml',
    '--storage.tsdb.path=/d/prom',
    '--web.listen-address=127.0.0.1:9009',
    '--web.route-prefix=/prometheus',
    '--web.external-url=http://127.0.0.1:9009/prometheus',
    '--web.enable-otlp-receiver',
    '--web.enable-remote-write-receiver',
    '--log.level=warn',
    '--enable-feature=exemplar-storage',
    `--storage.tsdb.retention.time=${String(mimir.limits.compactor_blocks_retention_period)}`,
  ]);
  const noSuffix = renderPrometheusPlan({ limits: { otel_metric_suffixes_enabled: false } }, promCtx, {
    configFile: 'c',
    dataDir: 'd',
  });
  assert.equal(
    (noSuffix.config.otlp as { translation_strategy: string }).translation_strategy,
    'UnderscoreEscapingWithoutSuffixes',
  );
});

test('provisioning: data source URLs and the dashboards path rewritten; with Prometheus, prometheusType too', () => {
  const dir = join(repoRoot, 'provisioning');
  const mounts: Array<[string, string]> = [['/etc/lgtm-apm/dashboards', '/repo/dashboards/generated']];
  const ds = readYaml(join(dir, 'datasources', 'lgtm-apm.yaml'));
  const rendered = renderProvisioningFile(ds, promCtx, mounts);
  assert.deepEqual(diff(ds, rendered), [
    ['datasources[0].jsonData.prometheusType', 'Mimir', 'Prometheus'],
    ['datasources[0].url', 'http://mimir:9009/prometheus', 'http://127.0.0.1:9009/prometheus'],
    ['datasources[1].url', 'http://tempo:3200', 'http://127.0.0.1:3200'],
    ['datasources[2].url', 'http://loki:3100', 'http://127.0.0.1:3100'],
  ]);
  assert.equal(
    diff(ds, renderProvisioningFile(ds, mimirCtx, mounts)).length,
    3,
    'Mimir keeps prometheusType',
  );
  const provider = readYaml(join(dir, 'dashboards', 'lgtm-apm.yaml'));
  assert.deepEqual(diff(provider, renderProvisioningFile(provider, promCtx, mounts)), [
    ['providers[0].options.path', '/etc/lgtm-apm/dashboards', '/repo/dashboards/generated'],
  ]);
  // Alerting and plugin files hold no hosts or container paths: rendered unchanged.
  for (const sub of ['alerting', 'plugins']) {
    for (const f of readdirSync(join(dir, sub))) {
      const src = readYaml(join(dir, sub, f));
      assert.deepEqual(renderProvisioningFile(src, promCtx, mounts), src, `${sub}/${f}`);
    }
  }
});

test('Grafana environment: compose’s, interpolated, paths mapped, listening on 127.0.0.1', () => {
  const env = environmentOf(compose, 'grafana', { GRAFANA_ADMIN_PASSWORD: 's3cret', GRAFANA_SECRET_KEY: 'k3y' });
  const rendered = renderGrafanaEnv(env, offsetCtx, [['/etc/lgtm-apm/dashboards', '/repo/dash']], {
    data: '/d/grafana-data',
    provisioning: '/d/prov',
    plugins: '/d/plugins',
    logs: '/d/logs',
  });
  assert.equal(rendered.GF_SECURITY_ADMIN_PASSWORD, 's3cret');
  assert.equal(rendered.GF_SECURITY_ADMIN_USER, 'admin');
  assert.equal(rendered.GF_SECURITY_SECRET_KEY, 'k3y');
  assert.equal(rendered.GF_AUTH_ANONYMOUS_ENABLED, 'false');
  assert.equal(rendered.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS, 'lgtmapm-apm-panel');
  assert.equal(rendered.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH, '/repo/dash/lgtm-apm-overview.json');
  assert.equal(rendered.GF_SERVER_HTTP_ADDR, '127.0.0.1');
  assert.equal(rendered.GF_SERVER_HTTP_PORT, '13000');
  assert.equal(rendered.GF_PATHS_PROVISIONING, '/d/prov');
  assert.throws(
    () => environmentOf(compose, 'grafana', { GRAFANA_SECRET_KEY: 'k3y' }),
    /GRAFANA_ADMIN_PASSWORD: set GRAFANA_ADMIN_PASSWORD in compose\/\.env/,
  );
  assert.throws(
    () => environmentOf(compose, 'grafana', { GRAFANA_ADMIN_PASSWORD: 's3cret' }),
    /GRAFANA_SECRET_KEY: set GRAFANA_SECRET_KEY in compose\/\.env/,
  );
});

test('compose interpolation: defaults, required, $$', () => {
  assert.equal(interpolate('${A:-x}/${B-y}/${C}/$$D/$E', { A: '', B: '', C: 'c', E: 'e' }), 'x//c/$D/e');
  assert.throws(() => interpolate('${P:?set P}', { P: '' }), /P: set P/);
  assert.equal(interpolate('${P:?set P}', { P: 'v' }), 'v');
});

test('OTEL_* lines come from the demo’s compose settings, rewritten per metrics store', () => {
  const demo = environmentOf(compose, 'gateway', {});
  assert.deepEqual(renderOtelEnv(demo, promCtx), {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4317',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:9009/prometheus/api/v1/otlp/v1/metrics',
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://127.0.0.1:3100/otlp/v1/logs',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
  });
  assert.equal(
    renderOtelEnv(demo, mimirCtx).OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
    'http://127.0.0.1:9009/otlp/v1/metrics',
  );
});
