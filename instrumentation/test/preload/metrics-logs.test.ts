// Metrics (→ Mimir), active-request ages and pino logs (→ Loki) from the preload, checked against a
// real OTLP receiver decoding the official protobufs: names, types, bucket bounds, resource, trace ids.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { hit, kitLines, startApp, waitForKitLine, type RunningApp } from '../support/spawn-app.ts';
import { latestMetrics, logsOf, metricsOf, signalsEnv, type FlatMetric } from '../support/signals.ts';

/** Runtime series the Inspector dashboard uses (contracts.md, "Metric names in Mimir"). */
const RUNTIME: Array<[string, FlatMetric['type']]> = [
  ['process_cpu_seconds_total', 'sum'],
  ['process_cpu_user_seconds_total', 'sum'],
  ['process_cpu_system_seconds_total', 'sum'],
  ['process_resident_memory_bytes', 'gauge'],
  ['process_open_fds', 'gauge'],
  ['nodejs_heap_size_used_bytes', 'gauge'],
  ['nodejs_heap_size_total_bytes', 'gauge'],
  ['nodejs_heap_space_size_used_bytes', 'gauge'],
  ['nodejs_external_memory_bytes', 'gauge'],
  ['nodejs_eventloop_lag_p50_seconds', 'gauge'],
  ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
  ['nodejs_eventloop_lag_mean_seconds', 'gauge'],
  ['nodejs_gc_duration_seconds', 'histogram'],
  ['nodejs_active_handles_total', 'gauge'],
  ['nodejs_active_requests_total', 'gauge'],
  ['nodejs_version_info', 'gauge'],
];

const CUMULATIVE = 2;

function ages(receiver: OtlpReceiver, fromRequest = 0): Array<Record<string, number>> {
  return metricsOf(receiver)
    .filter((m) => m.name === 'lgtm_apm_active_requests' && m.request >= fromRequest)
    .map((m) => Object.fromEntries(m.points.map((p) => [String(p.attributes.age), p.value ?? NaN])));
}

async function stop(app: RunningApp | undefined): Promise<void> {
  if (!app || app.child.exitCode !== null || app.child.signalCode !== null) return;
  app.child.kill('SIGKILL');
  await app.exited;
}

describe('metrics, active requests and logs from one app', () => {
  const receiver = new OtlpReceiver();
  let app: RunningApp;

  before(async () => {
    await receiver.start();
    app = await startApp('signals-app.mjs', {
      env: signalsEnv(receiver, { OTEL_SERVICE_NAME: 'signals', LGTM_APM_STUCK_REQUEST_MS: '1500' }),
    });
    await hit(app.url('/garbage'), 3);
    await hit(app.url('/ok'), 2);
  });

  after(async () => {
    await stop(app);
    await receiver.stop();
  });

  test('runtime metrics arrive under the exact prom-client names, cumulative, with the app’s resource', async () => {
    const latest = await receiver.waitFor(
      () => {
        const l = latestMetrics(receiver, 'signals');
        return RUNTIME.every(([name]) => l.get(name)?.points.length) ? l : undefined;
      },
      20_000,
      'all runtime metrics',
    );
    for (const [name, type] of RUNTIME) {
      const m = latest.get(name)!;
      assert.equal(m.type, type, `${name} type`);
      assert.equal(m.unit, '', `${name} has no unit, so Mimir adds no suffix`);
      if (type === 'sum') assert.equal(m.monotonic, true, `${name} is a counter`);
      if (type !== 'gauge') assert.equal(m.temporality, CUMULATIVE, `${name} temporality`);
    }
    const gc = latest.get('nodejs_gc_duration_seconds')!;
    assert.deepEqual(gc.points[0]!.explicitBounds, [0.001, 0.01, 0.1, 1, 2, 5]);
    assert.ok(
      gc.points.some((p) => p.attributes.kind === 'minor'),
      'GC by kind',
    );
    assert.ok(
      latest.get('nodejs_heap_space_size_used_bytes')!.points.some((p) => p.attributes.space === 'new'),
    );
    assert.equal(latest.get('nodejs_version_info')!.points[0]!.attributes.version, process.version);

    const span = await receiver.waitFor(
      () => receiver.spans().find((s) => s.service === 'signals'),
      10_000,
      'a span',
    );
    const resource = latest.get('process_cpu_seconds_total')!.resource;
    for (const key of ['service.name', 'service.instance.id', 'host.name', 'process.pid']) {
      assert.equal(resource[key], span.resource[key], `metrics and traces share ${key}`);
    }
  });

  test('the app’s own prom-client metrics (default register) keep type, labels, values and bucket bounds', async () => {
    const latest = await receiver.waitFor(
      () => {
        const l = latestMetrics(receiver, 'signals');
        return l.has('app_orders_total') && l.has('app_latency_summary_seconds_count') ? l : undefined;
      },
      15_000,
      'app metrics',
    );
    const orders = latest.get('app_orders_total')!;
    assert.equal(orders.type, 'sum');
    assert.equal(orders.monotonic, true);
    assert.deepEqual(Object.fromEntries(orders.points.map((p) => [p.attributes.status, p.value])), {
      ok: 3,
      failed: 1,
    });
    assert.equal(latest.get('app_queue_depth')!.points[0]!.value, 7);
    const jobs = latest.get('app_job_duration_seconds')!;
    assert.equal(jobs.type, 'histogram');
    const email = jobs.points.find((p) => p.attributes.kind === 'email')!;
    assert.deepEqual(email.explicitBounds, [0.1, 0.5, 1]);
    assert.deepEqual(email.bucketCounts, [1, 0, 1, 1]);
    assert.equal(email.count, 3);
    assert.ok(Math.abs(email.sum! - 3.75) < 1e-9);
    const summary = latest.get('app_latency_summary_seconds')!;
    assert.equal(summary.type, 'gauge');
    assert.deepEqual(summary.points.map((p) => p.attributes.quantile).sort(), ['0.5', '0.9']);
    assert.equal(latest.get('app_latency_summary_seconds_count')!.points[0]!.value, 1);
  });

  test('HTTP server duration histogram from the OTel instrumentation (seconds → Mimir http_server_request_duration_seconds)', async () => {
    const isOk = (p: { attributes: Record<string, unknown> }) =>
      p.attributes['http.response.status_code'] === 200 && p.attributes['http.request.method'] === 'GET';
    // before() made five GET requests; cumulative temporality means a later export counts all of them.
    const m = await receiver.waitFor(
      () => {
        const d = latestMetrics(receiver, 'signals').get('http.server.request.duration');
        return d?.points.some((p) => isOk(p) && (p.count ?? 0) >= 5) ? d : undefined;
      },
      15_000,
      'http duration with the five before() requests',
    );
    assert.equal(m.type, 'histogram');
    assert.equal(m.unit, 's');
    assert.equal(m.temporality, CUMULATIVE);
    const ok = m.points.find(isOk)!;
    assert.equal(
      ok.bucketCounts!.reduce((a, b) => a + b, 0),
      ok.count,
    );
    assert.deepEqual(
      ok.explicitBounds,
      [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    );
  });

  test('active-request gauge: held requests move through the age buckets; stuck ones are reported once each', async () => {
    const holdA = hit(app.url('/hold?ms=60000&which=a'));
    // A is between 1 s and 3 s old...
    await receiver.waitFor(() => ages(receiver).some((a) => a['3s'] === 1), 15_000, 'A in the 1–3 s bucket');
    const holdB = hit(app.url('/hold?ms=60000&which=b'));
    const mark = receiver.requests.length;
    // ...while B, just started, is younger than 1 s. A may have moved on by then (a busy machine can take
    // seconds between two exports), so A only has to be in one of the older buckets.
    await receiver.waitFor(
      () =>
        ages(receiver, mark).some(
          (a) => a['1s'] === 1 && (a['3s'] ?? 0) + (a['5s'] ?? 0) + (a.slow ?? 0) === 1,
        ),
      15_000,
      'B in 1s and A in an older bucket',
    );
    await receiver.waitFor(
      () => ages(receiver).some((a) => (a['5s'] ?? 0) >= 1),
      15_000,
      'A in the 3–5 s bucket',
    );
    await receiver.waitFor(() => ages(receiver).some((a) => a.slow === 1), 15_000, 'A slow (≥ 5 s)');
    await hit(app.url('/release'));
    await Promise.all([holdA, holdB]);
    const released = receiver.requests.length;
    await receiver.waitFor(
      () =>
        ages(receiver, released).some((a) => a['1s'] === 0 && a['3s'] === 0 && a['5s'] === 0 && a.slow === 0),
      15_000,
      'all buckets back to 0',
    );

    const holdSpans = await receiver.waitFor(
      () => {
        const s = receiver
          .spans()
          .filter((sp) => sp.kindName === 'SERVER' && sp.attributes['url.path'] === '/hold');
        return s.length === 2 ? s : undefined;
      },
      10_000,
      'the two /hold spans',
    );
    const stuckLogs = await receiver.waitFor(
      () => {
        const l = logsOf(receiver).filter((r) => r.attributes['lgtm_apm.event'] === 'stuck_request');
        return l.length >= 2 ? l : undefined;
      },
      10_000,
      'stuck-request log records',
    );
    assert.equal(stuckLogs.length, 2, 'one stuck record per request, not one per check');
    assert.deepEqual(stuckLogs.map((l) => l.traceId).sort(), holdSpans.map((s) => s.traceId).sort());
    for (const l of stuckLogs) {
      assert.equal(l.severityText, 'WARN');
      assert.equal(l.attributes['http.request.method'], 'GET');
      assert.ok(Number(l.attributes['lgtm_apm.elapsed_ms']) >= 1500);
    }
    // stderr gets one line per minute for all stuck requests together (the rest go to Loki only).
    const stderrStuck = kitLines(app.stderr()).filter((l) => l.includes('request still running'));
    assert.equal(stderrStuck.length, 1, app.stderr());
    assert.ok(holdSpans.some((s) => stderrStuck[0]!.includes(s.traceId)));
  });

  test('pino records carry the request’s trace id, severity, message, fields and resource; secrets redacted', async () => {
    await hit(app.url('/log?marker=L1'));
    const records = await receiver.waitFor(
      () => {
        const l = logsOf(receiver).filter((r) => r.attributes.marker === 'L1');
        return l.length === 3 ? l : undefined;
      },
      15_000,
      'three L1 log records',
    );
    const span = await receiver.waitFor(
      () =>
        receiver.spans().find((s) => s.kindName === 'SERVER' && s.attributes['url.query'] === 'marker=L1'),
      10_000,
      'the /log server span',
    );
    for (const r of records) {
      assert.equal(r.traceId, span.traceId);
      assert.equal(r.spanId, span.spanId);
      assert.equal(r.service, 'signals');
      assert.equal(r.resource['service.instance.id'], span.resource['service.instance.id']);
      assert.equal(r.scope, '@opentelemetry/instrumentation-pino');
    }
    const [info, warn, error] = records;
    assert.deepEqual([info!.severityNumber, info!.severityText, info!.body], [9, 'info', 'order placed']);
    assert.deepEqual([warn!.severityNumber, warn!.severityText], [13, 'warn']);
    assert.deepEqual([error!.severityNumber, error!.severityText], [17, 'error']);
    assert.equal(error!.attributes['exception.message'], 'card declined');
    assert.deepEqual(info!.attributes.user, { id: 42, password: '[Redacted]' });
    assert.deepEqual(info!.attributes.req, { headers: { authorization: '[Redacted]', accept: 'json' } });
    assert.equal(info!.attributes.token, '[Redacted]');
    assert.equal(info!.attributes.trace_id, undefined, 'trace ids travel as record fields, not attributes');

    // stdout is exactly what the app wrote before: same fields (the app set no pino redact) plus trace ids.
    const line = app
      .stdout()
      .split('\n')
      .find((l) => l.includes('"marker":"L1"') && l.includes('order placed'));
    assert.ok(line, app.stdout());
    const parsed = JSON.parse(line) as Record<string, unknown>;
    assert.equal(parsed.trace_id, span.traceId);
    assert.deepEqual(parsed.user, { id: 42, password: 'hunter2' });
  });
});

describe('no double counting', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('an app that calls collectDefaultMetrics itself exports each runtime series once', async () => {
    const app = await startApp('signals-app.mjs', {
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'double',
        APP_DEFAULT_METRICS: '1',
        OTEL_LOGS_EXPORTER: 'none',
      }),
    });
    try {
      // Wait for two exports after the kit's own runtime registry exists.
      await receiver.waitFor(
        () => metricsOf(receiver).filter((m) => m.name === 'process_cpu_seconds_total').length >= 3,
        15_000,
        'three exports',
      );
      const byRequest = new Map<number, string[]>();
      for (const m of metricsOf(receiver))
        byRequest.set(m.request, [...(byRequest.get(m.request) ?? []), m.name]);
      for (const names of byRequest.values()) {
        assert.equal(
          names.filter((n) => n === 'process_cpu_seconds_total').length <= 1,
          true,
          names.join(','),
        );
        assert.equal(new Set(names).size, names.length, `duplicates in one export: ${names.join(',')}`);
      }
    } finally {
      await stop(app);
    }
  });
});

describe('metrics and logs backends down', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('the app answers, the log queue is bounded and drops are reported once, metrics failures once', async () => {
    // Traces still go to the receiver; metrics and logs go to a port where nothing listens.
    await receiver.stop();
    const deadPort = receiver.httpPort;
    await receiver.start();
    const app = await startApp('signals-app.mjs', {
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'down',
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${deadPort + 1 === receiver.httpPort ? deadPort + 2 : deadPort + 1}/otlp/v1/metrics`,
        OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `http://127.0.0.1:1/otlp/v1/logs`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
        OTEL_BLRP_MAX_QUEUE_SIZE: '50',
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '10',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
      }),
    });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 5 }, () => hit(app.url('/log?marker=down'), 40)),
      );
      assert.ok(
        statuses.flat().every((s) => s === 200),
        'every request answered',
      );
      // Both failures are reported as they happen: wait for the two lines, then check nothing repeats.
      // (Records in refused batches are counted in the logs line; a queue overflow, if the worker fell
      // behind, adds at most one "dropped log records" line.)
      await waitForKitLine(app, /logs export failed \(.*log records dropped so far/);
      await waitForKitLine(app, /metrics export failed/);
      assert.equal((await hit(app.url('/ok')))[0], 200);
      const lines = kitLines(app.stderr());
      assert.equal(lines.filter((l) => l.includes('logs export failed')).length, 1, lines.join('\n'));
      assert.ok(lines.filter((l) => l.includes('dropped log records')).length <= 1, lines.join('\n'));
      assert.equal(lines.filter((l) => l.includes('metrics export failed')).length, 1, lines.join('\n'));
      // At most one line per signal, plus the queue overflow (traces go to a live receiver, but with a
      // 300 ms timeout on a busy machine one of their exports can time out too).
      assert.ok(lines.length <= 4, `the kit stays quiet:\n${lines.join('\n')}`);
      // 600 records were logged; stdout has every one of them regardless of the backend. pino writes
      // them asynchronously: on a busy machine the last lines can still be in the pipe when the
      // responses are in, so wait for them (the deadline is only a safety net).
      const loggedLines = (): number =>
        app
          .stdout()
          .split('\n')
          .filter((l) => l.includes('"marker":"down"')).length;
      for (const deadline = Date.now() + 20_000; loggedLines() < 600 && Date.now() < deadline; )
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(loggedLines(), 600);
      // Traces are unaffected by the other two backends.
      await receiver.waitFor(() => receiver.spans().some((s) => s.service === 'down'), 10_000, 'spans');
    } finally {
      await stop(app);
    }
  });
});

describe('bad metrics/logs configuration', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('each invalid value is reported once with its default and the signals still flow', async () => {
    const app = await startApp('signals-app.mjs', {
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'badenv',
        LGTM_APM_PROMETHEUS_PORT: 'http',
        LGTM_APM_ACTIVE_REQUEST_THRESHOLDS_MS: '5,3,1',
        LGTM_APM_STUCK_REQUEST_MS: 'soon',
        OTEL_LOGS_EXPORTER: 'kafka,otlp',
        OTEL_METRIC_EXPORT_TIMEOUT: '-3',
      }),
    });
    try {
      assert.equal((await hit(app.url('/log?marker=bad')))[0], 200);
      await receiver.waitFor(
        () => logsOf(receiver).some((l) => l.attributes.marker === 'bad'),
        15_000,
        'logs',
      );
      const latest = await receiver.waitFor(
        () => {
          const l = latestMetrics(receiver, 'badenv');
          return l.has('lgtm_apm_active_requests') ? l : undefined;
        },
        15_000,
        'metrics',
      );
      assert.deepEqual(
        latest
          .get('lgtm_apm_active_requests')!
          .points.map((p) => p.attributes.age)
          .sort(),
        ['1s', '3s', '5s', 'slow'],
      );
      const lines = kitLines(app.stderr());
      for (const name of [
        'LGTM_APM_PROMETHEUS_PORT',
        'LGTM_APM_ACTIVE_REQUEST_THRESHOLDS_MS',
        'LGTM_APM_STUCK_REQUEST_MS',
        'OTEL_LOGS_EXPORTER',
        'OTEL_METRIC_EXPORT_TIMEOUT',
      ]) {
        assert.equal(lines.filter((l) => l.includes(name)).length, 1, `${name}:\n${lines.join('\n')}`);
      }
    } finally {
      await stop(app);
    }
  });
});

describe('exit with the backends refusing', () => {
  test('a job that ends by itself tries its last export once per signal, without retries, and exits 0', async () => {
    // Mimir/Loki answering 503 (retryable): the OTLP transport would retry for the whole timeout.
    const hits: string[] = [];
    const backend = createServer((req, res) => {
      hits.push(req.url ?? '');
      req.resume();
      req.on('end', () => {
        res.writeHead(503);
        res.end();
      });
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    const port = (backend.address() as { port: number }).port;
    try {
      const app = await startApp('exit-after-log.mjs', {
        waitForPort: false,
        env: {
          OTEL_SERVICE_NAME: 'job',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `http://127.0.0.1:${port}/otlp/v1/metrics`,
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `http://127.0.0.1:${port}/otlp/v1/logs`,
          // Only the exit flush can export within this test.
          OTEL_METRIC_EXPORT_INTERVAL: '600000',
          OTEL_BLRP_SCHEDULE_DELAY: '60000',
          OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
          LGTM_APM_COMPILE_CACHE: 'false',
        },
      });
      const exit = await Promise.race([
        app.exited,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000).unref()),
      ]);
      if (exit === 'hung') app.child.kill('SIGKILL');
      assert.deepEqual(exit, { code: 0, signal: null }, app.stderr());
      assert.match(app.stdout(), /job done/);
      assert.deepEqual(hits.sort(), ['/otlp/v1/logs', '/otlp/v1/metrics'], 'one attempt each, no retry');
      // One line for the whole shutdown, naming both signals (not a line per signal, some twice).
      const lines = kitLines(app.stderr());
      assert.equal(lines.length, 1, lines.join('\n'));
      // One line names both signals, in the order their failures came in (which one is first is a race).
      assert.match(lines[0]!, /shutdown: could not deliver the last /);
      assert.match(lines[0]!, /metrics \([^)]*retryable/);
      assert.match(lines[0]!, /logs \(/);
    } finally {
      backend.closeAllConnections();
      backend.close();
    }
  });
});

describe('CommonJS app with --require', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('the app’s prom-client register and its pino logs are found through require() as well', async () => {
    const app = await startApp('signals-app.cjs', {
      preloadFlag: '--require',
      env: signalsEnv(receiver, { OTEL_SERVICE_NAME: 'cjs' }),
    });
    try {
      await hit(app.url('/log?marker=C1'));
      const jobs = await receiver.waitFor(
        () => latestMetrics(receiver, 'cjs').get('cjs_jobs_total'),
        15_000,
        'cjs_jobs_total',
      );
      assert.deepEqual(
        jobs.points.map((p) => [p.attributes.kind, p.value]),
        [['import', 2]],
      );
      const log = await receiver.waitFor(
        () => logsOf(receiver).find((l) => l.attributes.marker === 'C1'),
        15_000,
        'the C1 record',
      );
      const span = await receiver.waitFor(
        () =>
          receiver.spans().find((s) => s.kindName === 'SERVER' && s.attributes['url.query'] === 'marker=C1'),
        10_000,
        'the C1 span',
      );
      assert.equal(log.traceId, span.traceId);
      assert.equal(log.severityText, 'warn');
      assert.equal(log.attributes.password, '[Redacted]');
    } finally {
      await stop(app);
    }
  });
});
