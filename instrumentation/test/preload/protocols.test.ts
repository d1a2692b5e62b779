// Every OTLP protocol for every signal, against the real receiver (official protos; gRPC, HTTP protobuf
// and HTTP JSON): one endpoint for all three signals, as with a collector, Alloy or grafana/otel-lgtm.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { logsOf, metricsOf } from '../support/signals.ts';
import { hit, startApp } from '../support/spawn-app.ts';

const BASE_ENV = {
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
  OTEL_BSP_SCHEDULE_DELAY: '200',
  OTEL_BLRP_SCHEDULE_DELAY: '200',
  OTEL_METRIC_EXPORT_INTERVAL: '500',
  LGTM_APM_COMPILE_CACHE: 'false',
};

describe('OTLP protocols × signals', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  /** Runs signals-app with `env`, logs once, and waits for all three signals of `service` over `transport`. */
  async function allSignalsOver(
    service: string,
    transport: string,
    env: Record<string, string>,
  ): Promise<void> {
    const app = await startApp('signals-app.mjs', {
      env: { ...BASE_ENV, OTEL_SERVICE_NAME: service, ...env },
    });
    try {
      await hit(app.url(`/log?marker=${service}`));
      const arrived = (signal: string): boolean =>
        receiver.requests.some(
          (r) => r.signal === signal && r.transport === transport && JSON.stringify(r.body).includes(service),
        );
      await receiver
        .waitFor(
          () => arrived('traces') && arrived('metrics') && arrived('logs'),
          30_000,
          `${service}: all signals over ${transport}`,
        )
        .catch((error: Error) => {
          const got = ['traces', 'metrics', 'logs'].map((s) => `${s}: ${arrived(s)}`).join(', ');
          throw new Error(`${error.message}\n${got}\n${app.stderr()}`);
        });
      // What arrived decodes to the app's data, not just to a request.
      assert.ok(receiver.spans().some((s) => s.service === service && s.kindName === 'SERVER'));
      assert.ok(
        metricsOf(receiver).some(
          (m) => m.resource['service.name'] === service && m.name === 'app_orders_total',
        ),
      );
      assert.ok(logsOf(receiver).some((l) => l.service === service && l.attributes.marker === service));
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  }

  test('OTEL_EXPORTER_OTLP_ENDPOINT alone (the kit default protocol, gRPC): traces, metrics and logs over gRPC', () =>
    allSignalsOver('proto-grpc', 'grpc', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.grpcEndpoint }));

  test('OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf: every signal on the spec paths /v1/{traces,metrics,logs}', () =>
    allSignalsOver('proto-protobuf', 'http/protobuf', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    }));

  test('OTEL_EXPORTER_OTLP_PROTOCOL=http/json: every signal as OTLP/JSON', () =>
    allSignalsOver('proto-json', 'http/json', {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpEndpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }));

  test('per-signal protocols and endpoints: each signal over its own', async () => {
    const app = await startApp('signals-app.mjs', {
      env: {
        ...BASE_ENV,
        OTEL_SERVICE_NAME: 'proto-mixed',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpEndpoint}/v1/traces`,
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.grpcEndpoint,
        OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.httpEndpoint}/otlp/v1/logs`,
      },
    });
    try {
      await hit(app.url('/log?marker=proto-mixed'));
      const over = (signal: string, transport: string): boolean =>
        receiver.requests.some(
          (r) =>
            r.signal === signal &&
            r.transport === transport &&
            JSON.stringify(r.body).includes('proto-mixed'),
        );
      await receiver.waitFor(
        () => over('traces', 'http/json') && over('metrics', 'grpc') && over('logs', 'http/protobuf'),
        30_000,
        'traces over http/json, metrics over gRPC, logs over http/protobuf',
      );
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });
});

describe('OTEL_PROPAGATORS through the preload', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('b3multi: an incoming X-B3 trace is continued (it used to switch propagation off)', async () => {
    const app = await startApp('http-app.mjs', {
      env: {
        ...BASE_ENV,
        OTEL_SERVICE_NAME: 'b3-app',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.grpcEndpoint,
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_PROPAGATORS: 'b3multi',
      },
    });
    try {
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await fetch(app.url('/ok?b3=1'), {
        headers: { 'x-b3-traceid': traceId, 'x-b3-spanid': '00f067aa0ba902b7', 'x-b3-sampled': '1' },
      });
      await res.arrayBuffer();
      const span = await receiver.waitFor(
        () => receiver.spans().find((s) => s.service === 'b3-app' && s.kindName === 'SERVER'),
        15_000,
        'the b3-app server span',
      );
      assert.equal(span.traceId, traceId);
      assert.equal(span.parentSpanId, '00f067aa0ba902b7');
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });
});
