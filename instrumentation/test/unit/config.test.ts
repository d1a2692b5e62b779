import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readConfig, NOISY_INSTRUMENTATIONS } from '../../src/config/config.ts';

test('defaults: gRPC to Tempo, short batch delay, noisy instrumentations off, no problems', () => {
  const c = readConfig({});
  assert.equal(c.traceProtocol, 'grpc');
  assert.equal(c.tracesEndpoint, undefined);
  assert.equal(c.batch.scheduledDelayMillis, 1000);
  assert.equal(c.batch.maxQueueSize, 2048);
  assert.deepEqual(c.tracesExporters, ['otlp']);
  for (const noisy of NOISY_INSTRUMENTATIONS) assert.ok(!c.enabledInstrumentations.includes(noisy));
  assert.ok(c.enabledInstrumentations.includes('http'));
  assert.ok(c.enabledInstrumentations.includes('pg'));
  assert.deepEqual(c.problems, []);
  assert.ok(!c.resourceDetectors.some((d) => ['aws', 'gcp', 'azure'].includes(d)));
});

test('the signal-specific protocol wins over the generic one', () => {
  const c = readConfig({
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
  });
  assert.equal(c.traceProtocol, 'http/protobuf');
  assert.equal(readConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).traceProtocol, 'http/json');
});

test('enabled/disabled instrumentation lists are honoured; fs can be opted in', () => {
  const c = readConfig({
    OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg,fs',
    OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg',
  });
  assert.deepEqual(c.enabledInstrumentations, ['http', 'fs']);
});

test('invalid values name the variable, the value and the default used', () => {
  const c = readConfig({
    OTEL_BSP_MAX_QUEUE_SIZE: '-5',
    OTEL_TRACES_SAMPLER_ARG: '2',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url',
    OTEL_SDK_DISABLED: 'perhaps',
    LGTM_APM_DB_STATEMENT: 'verbatim',
  });
  assert.equal(c.batch.maxQueueSize, 2048);
  assert.equal(c.samplerRatio, 1);
  assert.equal(c.tracesEndpoint, undefined);
  assert.equal(c.tracesEndpointInvalid, true);
  assert.equal(c.disabled, false);
  assert.equal(c.dbStatement, 'sanitized');
  const text = c.problems.join('\n');
  assert.match(text, /OTEL_BSP_MAX_QUEUE_SIZE="-5".*using 2048/);
  assert.match(text, /OTEL_TRACES_SAMPLER_ARG="2".*using 1/);
  assert.match(text, /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="not a url" is not an http\(s\) URL/);
  assert.match(text, /OTEL_SDK_DISABLED="perhaps".*using false/);
  assert.match(text, /LGTM_APM_DB_STATEMENT="verbatim"/);
  assert.equal(c.problems.length, 5);
});

test('credentials in a bad endpoint are not echoed in the warning', () => {
  const c = readConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter2@example' });
  assert.ok(!c.problems.join('').includes('hunter2'));
});

test('cloud resource detectors are opt-in only, with a reason', () => {
  const c = readConfig({ OTEL_NODE_RESOURCE_DETECTORS: 'env,host,aws,gcp' });
  assert.deepEqual(c.resourceDetectors, ['env', 'host']);
  assert.match(c.problems.join(''), /cloud detectors \(aws, gcp\) are opt-in/);
  assert.deepEqual(readConfig({ OTEL_NODE_RESOURCE_DETECTORS: 'none' }).resourceDetectors, []);
});

test('OTEL_TRACES_EXPORTER=none turns tracing off; extra redacted params are added', () => {
  assert.deepEqual(readConfig({ OTEL_TRACES_EXPORTER: 'none' }).tracesExporters, []);
  assert.ok(readConfig({ LGTM_APM_REDACT_QUERY_PARAMS: 'OTP,pin' }).redactQueryParams.includes('otp'));
});

test('a list of nothing but unknown values keeps the default and says so', () => {
  const jaegerExporter = readConfig({ OTEL_TRACES_EXPORTER: 'jaeger' });
  assert.deepEqual(jaegerExporter.tracesExporters, ['otlp']);
  assert.match(
    jaegerExporter.problems.join('\n'),
    /OTEL_TRACES_EXPORTER: ignoring unknown value "jaeger".*; using otlp/,
  );
  const typo = readConfig({ OTEL_PROPAGATORS: 'tracecontxt' });
  assert.deepEqual(typo.propagators, ['tracecontext', 'baggage']);
  assert.match(typo.problems.join('\n'), /using tracecontext,baggage/);
  const enabled = readConfig({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'telepathy' });
  assert.ok(
    enabled.enabledInstrumentations.includes('http') && !enabled.enabledInstrumentations.includes('fs'),
  );
  // A partly known list keeps the known part, as before.
  assert.deepEqual(readConfig({ OTEL_PROPAGATORS: 'b3,zipkin' }).propagators, ['b3']);
});

test('b3 and b3multi propagators are known; jaeger is explained, not silently dropped', () => {
  assert.deepEqual(readConfig({ OTEL_PROPAGATORS: 'b3' }).propagators, ['b3']);
  assert.deepEqual(readConfig({ OTEL_PROPAGATORS: 'tracecontext,b3multi' }).propagators, [
    'tracecontext',
    'b3multi',
  ]);
  assert.deepEqual(readConfig({ OTEL_PROPAGATORS: 'none' }).propagators, ['none']);
  const jaeger = readConfig({ OTEL_PROPAGATORS: 'jaeger' });
  assert.deepEqual(jaeger.propagators, ['tracecontext', 'baggage']);
  assert.match(
    jaeger.problems.join('\n'),
    /"jaeger" \(not supported: @opentelemetry\/propagator-jaeger has no release/,
  );
});

test('garbage in OTEL_RESOURCE_ATTRIBUTES is reported, and the good entries are kept', () => {
  const config = readConfig({
    OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=shop,oops,=x,a=b=c,team=pay%2Cments,bad=%E0%A4%A',
  });
  assert.deepEqual(config.resourceAttributes, { 'service.namespace': 'shop', team: 'pay,ments' });
  assert.equal(config.problems.length, 1, config.problems.join('\n'));
  assert.match(
    config.problems[0]!,
    /OTEL_RESOURCE_ATTRIBUTES: ignoring "oops", "=x", "a=b=c", "bad=%E0%A4%A"/,
  );
  assert.deepEqual(readConfig({ OTEL_RESOURCE_ATTRIBUTES: 'a=1' }).problems, []);
});

test('LGTM_APM_HTTP_HOOKS: own by default, upstream on request, a bad value keeps own with one line', () => {
  assert.equal(readConfig({}).httpHooks, 'own');
  assert.equal(readConfig({ LGTM_APM_HTTP_HOOKS: 'upstream' }).httpHooks, 'upstream');
  const bad = readConfig({ LGTM_APM_HTTP_HOOKS: 'otel' });
  assert.equal(bad.httpHooks, 'own');
  assert.equal(bad.problems.length, 1);
  assert.match(bad.problems[0]!, /LGTM_APM_HTTP_HOOKS="otel" is not valid .*using own/);
});

test('LGTM_APM_EXPRESS_LAYERS: handlers by default, all and none on request (any case), a bad value keeps handlers with one line', () => {
  assert.equal(readConfig({}).expressLayers, 'handlers');
  assert.equal(readConfig({ LGTM_APM_EXPRESS_LAYERS: 'all' }).expressLayers, 'all');
  assert.equal(readConfig({ LGTM_APM_EXPRESS_LAYERS: ' None ' }).expressLayers, 'none');
  const bad = readConfig({ LGTM_APM_EXPRESS_LAYERS: 'middleware' });
  assert.equal(bad.expressLayers, 'handlers');
  assert.deepEqual(bad.problems, [
    'LGTM_APM_EXPRESS_LAYERS="middleware" is not valid (expected one of all, handlers, none); using handlers',
  ]);
});

test('a batch larger than its queue is one problem per signal, and capped to the queue', () => {
  const c = readConfig({
    OTEL_BSP_MAX_QUEUE_SIZE: '100',
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '400',
    OTEL_BLRP_MAX_QUEUE_SIZE: '50',
    OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '60',
  });
  assert.equal(c.batch.maxExportBatchSize, 100);
  assert.equal(c.logs.batch.maxExportBatchSize, 50);
  assert.deepEqual(
    c.problems.filter((p) => /BATCH_SIZE/.test(p)),
    [
      'OTEL_BSP_MAX_EXPORT_BATCH_SIZE=400 is larger than OTEL_BSP_MAX_QUEUE_SIZE=100; using 100',
      'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE=60 is larger than OTEL_BLRP_MAX_QUEUE_SIZE=50; using 50',
    ],
  );
});

test('LGTM_APM_EXPORT_WORKER_NICE: the app priority by default, 0–19 accepted, anything else named', () => {
  assert.equal(readConfig({}).exportWorkerNice, 0);
  assert.equal(readConfig({ LGTM_APM_EXPORT_WORKER_NICE: '19' }).exportWorkerNice, 19);
  const bad = readConfig({ LGTM_APM_EXPORT_WORKER_NICE: '25' });
  assert.equal(bad.exportWorkerNice, 0);
  assert.match(bad.problems.join('\n'), /LGTM_APM_EXPORT_WORKER_NICE="25".*using 0/);
});
