// Tempo, Loki and Mimir configs: the settings the kit depends on are present, Tempo-3-removed keys are
// absent, and cross-service targets point at the compose service names and ports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { composeDir, loadYaml, readText } from './helpers/files.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tempo = loadYaml<Obj>(join(composeDir, 'tempo.yaml'));
const loki = loadYaml<Obj>(join(composeDir, 'loki.yaml'));
const mimir = loadYaml<Obj>(join(composeDir, 'mimir.yaml'));

test('each backend config names the configuration reference it was checked against', () => {
  for (const [file, source] of [
    ['tempo.yaml', /grafana\/tempo tag v3\.0\.3: docs\/sources\/tempo\/configuration\/manifest\.md/],
    ['loki.yaml', /grafana\/loki tag v3\.7\.6: docs\/sources\/shared\/configuration\.md/],
    ['mimir.yaml', /grafana\/mimir docs\/sources\/mimir\/configure\/configuration-parameters\/index\.md/],
  ] as const) {
    const head = readText(join(composeDir, file)).split('\n').slice(0, 6).join('\n');
    assert.match(head, source, file);
  }
});

test('tempo: OTLP receivers listen on all interfaces (container networking)', () => {
  const p = tempo.distributor.receivers.otlp.protocols;
  assert.equal(p.grpc.endpoint, '0.0.0.0:4317');
  assert.equal(p.http.endpoint, '0.0.0.0:4318');
  assert.equal(tempo.server.http_listen_port, 3200);
  assert.equal(tempo.stream_over_http_enabled, true);
});

test('tempo: generator processors enabled through overrides.defaults, classic histograms kept', () => {
  const gen = tempo.overrides.defaults.metrics_generator;
  assert.deepEqual([...gen.processors].sort(), ['service-graphs', 'span-metrics']);
  assert.ok(
    ['classic', 'both'].includes(gen.generate_native_histograms),
    'Grafana Service Graph needs classic',
  );
});

test('tempo: service graphs carry Pinpoint buckets, namespace dimension, server.address, no virtual_node label', () => {
  const sg = tempo.metrics_generator.processor.service_graphs;
  for (const edge of [1, 3, 5]) assert.ok(sg.histogram_buckets.includes(edge), `bucket ${edge}s`);
  assert.deepEqual(
    sg.histogram_buckets,
    [...sg.histogram_buckets].sort((a: number, b: number) => a - b),
  );
  assert.deepEqual(sg.dimensions, ['service.namespace']);
  assert.equal(sg.enable_client_server_prefix, true);
  // Tempo v3.0.3 rebuilds the processor every 10 s when this is on (counters reset, expiring edges lost).
  assert.equal(sg.enable_virtual_node_label, undefined, 'enable_virtual_node_label breaks Tempo v3.0.3');
  assert.ok(sg.peer_attributes.includes('server.address'));
  assert.equal(sg.peer_attributes[0], 'peer.service', 'an explicit peer.service must win');
  assert.equal(tempo.metrics_generator.processor.span_metrics.enable_target_info, true);
  // The panel's release compare reads traces_spanmetrics_calls_total by service_version.
  assert.deepEqual(tempo.metrics_generator.processor.span_metrics.dimensions, ['service.version']);
  for (const edge of [1, 3, 5])
    assert.ok(tempo.metrics_generator.processor.span_metrics.histogram_buckets.includes(edge));
});

test('tempo: remote write goes to Mimir with exemplars; retention is set; no 2.x-only keys', () => {
  const rw = tempo.metrics_generator.storage.remote_write;
  assert.equal(rw.length, 1);
  assert.equal(rw[0].url, 'http://mimir:9009/api/v1/push');
  assert.equal(rw[0].send_exemplars, true);
  assert.equal(tempo.storage.trace.backend, 'local');
  assert.equal(tempo.backend_worker.compaction.block_retention, '72h');
  assert.equal(tempo.backend_scheduler.provider.compaction.compaction.block_retention, '72h');
  // Tempo 3 refuses to start with these (legacy flat overrides, removed ingester/compactor blocks).
  for (const removed of ['ingester', 'compactor', 'metrics_generator_client'])
    assert.equal(tempo[removed], undefined, removed);
  assert.equal(tempo.overrides.metrics_generator_processors, undefined);
  assert.equal(tempo.overrides.enable_legacy_overrides, undefined);
  assert.ok(
    !readText(join(composeDir, 'tempo.yaml')).includes('local-blocks'),
    'local-blocks was removed in 3.0',
  );
  assert.ok(tempo.live_store.max_live_traces_bytes < 128e6, 'live traces buffer sized for the container');
});

test('loki: single tenant, OTLP-ready structured metadata, trimmed index labels, retention on', () => {
  assert.equal(loki.auth_enabled, false);
  assert.equal(loki.server.http_listen_port, 3100);
  assert.equal(loki.limits_config.allow_structured_metadata, true);
  const labels = loki.distributor.otlp_config.default_resource_attributes_as_index_labels;
  assert.ok(labels.includes('service.name'));
  for (const noisy of ['service.instance.id', 'k8s.pod.name']) assert.ok(!labels.includes(noisy), noisy);
  assert.ok(labels.length <= 15, 'Loki allows 15 labels per stream');
  assert.equal(loki.compactor.retention_enabled, true);
  assert.equal(loki.compactor.delete_request_store, 'filesystem');
  assert.match(loki.limits_config.retention_period, /^\d+h$/);
  const schema = loki.schema_config.configs.at(-1);
  assert.equal(schema.store, 'tsdb');
  assert.equal(schema.schema, 'v13');
  assert.equal(schema.index.period, '24h', 'retention requires a 24h index period');
});

test('loki: the log-deletion API is off (no auth on 127.0.0.1 means anyone on the host could call it)', () => {
  // Loki 3.7's default is 'filter-and-delete'; 'disabled' makes /loki/api/v1/delete answer 403.
  assert.equal(loki.limits_config.deletion_mode, 'disabled');
  assert.ok(!('allow_deletes' in loki.limits_config), 'deprecated allow_deletes would be a second switch');
  assert.ok(!('runtime_config' in loki), 'per-tenant overrides could turn deletion back on');
});

test('mimir: exemplars on, OTLP suffixes on, resource attributes promoted (as a string), retention', () => {
  assert.equal(mimir.multitenancy_enabled, false);
  assert.equal(mimir.server.http_listen_port, 9009);
  const l = mimir.limits;
  assert.ok(l.max_global_exemplars_per_user > 0);
  assert.equal(l.otel_metric_suffixes_enabled, true);
  assert.equal(typeof l.promote_otel_resource_attributes, 'string', 'Mimir wants a comma-separated string');
  const promoted = l.promote_otel_resource_attributes.split(',').map((s: string) => s.trim());
  for (const attr of [
    'service.name',
    'service.namespace',
    'service.instance.id',
    'deployment.environment.name',
  ]) {
    assert.ok(promoted.includes(attr), attr);
  }
  assert.match(l.compactor_blocks_retention_period, /^\d+[dh]$/);
  assert.equal(mimir.blocks_storage.backend, 'filesystem');
  assert.equal(mimir.ingest_storage, undefined, 'monolithic without Kafka');
});
