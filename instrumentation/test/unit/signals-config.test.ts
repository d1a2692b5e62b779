import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig } from '../../src/config/config.ts';
import { DEFAULT_LOGS_ENDPOINT, DEFAULT_METRICS_ENDPOINT } from '../../src/config/signals-config.ts';

test('defaults: OTLP metrics to Mimir every 15 s, logs to Loki, pull endpoint off, 1s/3s/5s ages', () => {
  const c = readConfig({});
  assert.deepEqual(c.metrics.exporters, ['otlp']);
  assert.equal(c.metrics.endpointOverride, DEFAULT_METRICS_ENDPOINT);
  assert.equal(c.metrics.exportIntervalMs, 15_000);
  assert.equal(c.metrics.prometheusPort, undefined);
  assert.equal(c.metrics.prometheusHost, '127.0.0.1');
  assert.deepEqual(c.logs.exporters, ['otlp']);
  assert.equal(c.logs.endpointOverride, DEFAULT_LOGS_ENDPOINT);
  assert.deepEqual(c.activeRequests.thresholdsMs, [1000, 3000, 5000]);
  assert.equal(c.activeRequests.stuckRequestMs, 10_000);
  assert.ok(c.logs.redactKeys.includes('authorization'));
  assert.deepEqual(c.problems, []);
});

test('standard endpoint variables are left to the exporters (spec precedence), the kit default only fills the gap', () => {
  assert.equal(
    readConfig({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://mimir:9009/otlp/v1/metrics' }).metrics
      .endpointOverride,
    undefined,
  );
  assert.equal(
    readConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).logs.endpointOverride,
    undefined,
  );
  const bad = readConfig({ OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'loki:3100' });
  assert.equal(bad.logs.endpointOverride, DEFAULT_LOGS_ENDPOINT);
  assert.match(
    bad.problems.join('\n'),
    /OTEL_EXPORTER_OTLP_LOGS_ENDPOINT="loki:3100" is not an http\(s\) URL/,
  );
});

test('none turns a signal off; prometheus (or LGTM_APM_PROMETHEUS_PORT) adds the pull endpoint', () => {
  assert.deepEqual(
    readConfig({ OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' }).metrics.exporters,
    [],
  );
  assert.deepEqual(readConfig({ OTEL_LOGS_EXPORTER: 'none' }).logs.exporters, []);
  const pull = readConfig({ OTEL_METRICS_EXPORTER: 'prometheus' });
  assert.deepEqual(pull.metrics.exporters, ['prometheus']);
  assert.equal(pull.metrics.prometheusPort, 9464);
  const both = readConfig({ LGTM_APM_PROMETHEUS_PORT: '9400', LGTM_APM_PROMETHEUS_HOST: '0.0.0.0' });
  assert.deepEqual(both.metrics.exporters, ['otlp', 'prometheus']);
  assert.equal(both.metrics.prometheusPort, 9400);
  assert.equal(both.metrics.prometheusHost, '0.0.0.0');
});

test('bad values: one problem each naming variable, value and the default used', () => {
  const c = readConfig({
    OTEL_METRIC_EXPORT_INTERVAL: 'soon',
    OTEL_METRICS_EXPORTER: 'otlp,statsd',
    OTEL_LOGS_EXPORTER: 'kafka',
    LGTM_APM_PROMETHEUS_PORT: 'http',
    LGTM_APM_ACTIVE_REQUEST_THRESHOLDS_MS: '5000,3000,1000',
    LGTM_APM_STUCK_REQUEST_MS: '-1',
    OTEL_BLRP_MAX_QUEUE_SIZE: '0',
    OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'udp',
  });
  assert.equal(c.metrics.exportIntervalMs, 15_000);
  assert.deepEqual(c.metrics.exporters, ['otlp']);
  // A list of nothing but unknown values keeps the default (it used to switch logs off).
  assert.deepEqual(c.logs.exporters, ['otlp']);
  assert.equal(c.metrics.prometheusPort, undefined);
  assert.deepEqual(c.activeRequests.thresholdsMs, [1000, 3000, 5000]);
  assert.equal(c.activeRequests.stuckRequestMs, 10_000);
  assert.equal(c.logs.batch.maxQueueSize, 2048);
  const text = c.problems.join('\n');
  assert.match(text, /OTEL_METRIC_EXPORT_INTERVAL="soon".*using 15000/);
  assert.match(text, /OTEL_METRICS_EXPORTER: ignoring unknown value "statsd"/);
  assert.match(text, /OTEL_LOGS_EXPORTER: ignoring unknown value "kafka".*; using otlp/);
  assert.match(text, /LGTM_APM_PROMETHEUS_PORT="http"/);
  assert.match(text, /LGTM_APM_ACTIVE_REQUEST_THRESHOLDS_MS="5000,3000,1000".*using 1000,3000,5000/);
  assert.match(text, /LGTM_APM_STUCK_REQUEST_MS="-1".*using 10000/);
  assert.match(text, /OTEL_BLRP_MAX_QUEUE_SIZE="0".*using 2048/);
  assert.match(text, /OTEL_EXPORTER_OTLP_METRICS_PROTOCOL="udp".*using http\/protobuf/);
  assert.equal(c.problems.length, 8);
});

test('a timeout longer than the interval is clamped, with a warning only when the user chose it', () => {
  const quiet = readConfig({ OTEL_METRIC_EXPORT_INTERVAL: '1000' });
  assert.equal(quiet.metrics.exportTimeoutMs, 1000);
  assert.deepEqual(quiet.problems, []);
  const loud = readConfig({ OTEL_METRIC_EXPORT_INTERVAL: '1000', OTEL_METRIC_EXPORT_TIMEOUT: '5000' });
  assert.equal(loud.metrics.exportTimeoutMs, 1000);
  assert.equal(loud.problems.length, 1);
});

test('every OTLP protocol for metrics and logs; one collector endpoint for all signals follows the gRPC default', () => {
  const nothing = readConfig({});
  assert.equal(nothing.metrics.protocol, 'http/protobuf');
  assert.equal(nothing.logs.protocol, 'http/protobuf');
  // Only the generic endpoint (a collector, Alloy, otel-lgtm on :4317): every signal over gRPC, to it.
  const collector = readConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' });
  assert.deepEqual(
    [collector.traceProtocol, collector.metrics.protocol, collector.logs.protocol],
    ['grpc', 'grpc', 'grpc'],
  );
  assert.equal(
    collector.metrics.endpointOverride,
    undefined,
    'the exporter reads the generic endpoint itself',
  );
  assert.deepEqual(collector.problems, []);
  // The generic protocol applies to every signal; the signal's own wins.
  const json = readConfig({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc',
  });
  assert.deepEqual(
    [json.traceProtocol, json.metrics.protocol, json.logs.protocol],
    ['http/json', 'http/json', 'grpc'],
  );
  // gRPC with no endpoint at all: the exporter's default (localhost:4317), not Mimir's HTTP path.
  assert.equal(json.logs.endpointOverride, undefined);
  assert.equal(json.metrics.endpointOverride, DEFAULT_METRICS_ENDPOINT);
  // A bad generic protocol is reported once (by the trace settings), not once per signal.
  const bad = readConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' });
  assert.equal(bad.problems.length, 1, bad.problems.join('\n'));
  assert.equal(bad.metrics.protocol, 'http/protobuf');
  const badLogs = readConfig({ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'smtp' });
  assert.match(badLogs.problems.join('\n'), /OTEL_EXPORTER_OTLP_LOGS_PROTOCOL="smtp"/);
});
