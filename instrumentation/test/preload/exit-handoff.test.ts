// process.exit() and natural exits through the export worker (src/export/exit-handoff.ts): what an app had
// queued when it called process.exit() — spans, log records, metrics — reaches a real OTLP receiver, and an
// export stuck on a backend that never answers does not hold a finished app for the export timeout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hangingBackend, type HangingBackend } from '../support/backends.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { logsOf, metricsOf, signalsEnv } from '../support/signals.ts';
import { hit, kitLines, startApp, type RunningApp } from '../support/spawn-app.ts';

/** Far past every deadline the kit sets in these tests: only a safety net for a hung process. */
async function exitOrKill(app: RunningApp, ms = 60_000) {
  const exit = await Promise.race([
    app.exited,
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms).unref()),
  ]);
  if (exit === 'hung') app.child.kill('SIGKILL');
  return exit;
}

describe('process.exit() hands everything queued to the export worker', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('an app calling process.exit() right after logging and counting delivers its spans, log records and metrics', async () => {
    const app = await startApp('exit-after-work.mjs', {
      waitForPort: false,
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'exit-job',
        // Nothing is exported on a schedule before the exit: only the hand-off can deliver.
        OTEL_BSP_SCHEDULE_DELAY: '30000',
        OTEL_BLRP_SCHEDULE_DELAY: '30000',
        OTEL_METRIC_EXPORT_INTERVAL: '600000',
        EXIT_CODE: '3',
      }),
    });
    const exit = await exitOrKill(app);
    assert.deepEqual(exit, { code: 3, signal: null }, app.stderr());
    assert.deepEqual(kitLines(app.stderr()), [], app.stderr());
    // The receiver has everything once the app has exited (the app waited for the worker); the wait is
    // only for the receiver's own request handling.
    await receiver.waitFor(
      () =>
        receiver
          .spans()
          .filter((s) => s.attributes['url.path'] === '/exit-after-work')
          .map((s) => s.kindName)
          .sort()
          .join() === 'CLIENT,SERVER',
      10_000,
      'the server and client spans',
    );
    const record = await receiver.waitFor(
      () => logsOf(receiver).find((r) => r.service === 'exit-job' && r.body === 'exit job done'),
      10_000,
      'the pino record',
    );
    assert.equal(record.attributes.items, 7);
    const valueOf = (name: string) =>
      metricsOf(receiver)
        .filter((m) => m.name === name && m.resource['service.name'] === 'exit-job')
        .flatMap((m) => m.points)
        .find((p) => p.attributes.kind === 'exit')?.value;
    await receiver.waitFor(
      () => valueOf('exit_job_items_total') !== undefined,
      10_000,
      'the prom-client count',
    );
    assert.equal(valueOf('exit_job_items_total'), 7);
    await receiver.waitFor(() => valueOf('exit_job_otel_items') !== undefined, 10_000, 'the OTel API count');
    assert.equal(valueOf('exit_job_otel_items'), 3);
  });

  test('LGTM_APM_EXIT_FLUSH=false: nothing is handed over, the exit code is unchanged', async () => {
    const app = await startApp('exit-after-work.mjs', {
      waitForPort: false,
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'exit-job-off',
        OTEL_BSP_SCHEDULE_DELAY: '30000',
        OTEL_BLRP_SCHEDULE_DELAY: '30000',
        OTEL_METRIC_EXPORT_INTERVAL: '600000',
        LGTM_APM_EXIT_FLUSH: 'false',
        EXIT_CODE: '5',
      }),
    });
    assert.deepEqual(await exitOrKill(app), { code: 5, signal: null }, app.stderr());
    // The app has exited: whatever it sent has been received by now, or was never sent.
    assert.equal(receiver.spans().filter((s) => s.service === 'exit-job-off').length, 0);
    assert.equal(logsOf(receiver).filter((r) => r.service === 'exit-job-off').length, 0);
  });
});

describe('a natural exit with a trace export in flight to a hanging backend', () => {
  let backend: HangingBackend;
  before(async () => (backend = await hangingBackend()));
  after(() => backend.close());

  test('exits within the shutdown deadline, not the export timeout', async () => {
    const app = await startApp('inflight-exit.mjs', {
      stdin: 'pipe',
      env: {
        OTEL_SERVICE_NAME: 'inflight-exit',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${backend.url}/v1/traces`,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        // An export that never ends by itself within the test: only the kit's deadline can end it.
        OTEL_EXPORTER_OTLP_TIMEOUT: '120000',
        OTEL_BSP_EXPORT_TIMEOUT: '120000',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
        LGTM_APM_COMPILE_CACHE: 'false',
        LGTM_APM_SHUTDOWN_TIMEOUT_MS: '2000',
      },
    });
    await hit(app.url('/ok'), 2);
    await backend.received('POST /v1/traces');
    const closedAt = Date.now();
    app.child.stdin!.end();
    const exit = await exitOrKill(app, 150_000);
    const tookMs = Date.now() - closedAt;
    assert.deepEqual(exit, { code: 0, signal: null }, app.stderr());
    // The deadline is 2 s and the export timeout 120 s: 20 s leaves a busy machine room and still tells
    // the two apart.
    assert.ok(tookMs < 20_000, `took ${tookMs} ms to exit\n${app.stderr()}`);
    assert.ok(kitLines(app.stderr()).length <= 1, app.stderr());
  });
});
