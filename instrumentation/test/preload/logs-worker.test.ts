// pino records leave the app's main thread as serialized lines and are exported by a worker thread
// (src/logs/worker-client.ts, worker-main.ts). These tests check what that must not change: every record
// written before a natural exit or a SIGTERM still arrives, the worker never keeps a process alive, pino's
// own options (message key, custom levels, timestamp format, level formatter, child bindings) are read
// right, and nothing but pino's lines is sent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { hit, kitLines, startApp } from '../support/spawn-app.ts';
import { logsOf, signalsEnv } from '../support/signals.ts';

type Plain = Record<string, unknown>;

/** timeUnixNano per record body, straight from the decoded requests (FlatLog has no timestamps). */
function timestampsByBody(receiver: OtlpReceiver): Map<string, string> {
  const out = new Map<string, string>();
  for (const request of receiver.requests) {
    if (request.signal !== 'logs') continue;
    for (const rl of (request.body.resourceLogs as Plain[] | undefined) ?? [])
      for (const sl of (rl.scopeLogs as Plain[] | undefined) ?? [])
        for (const r of (sl.logRecords as Plain[] | undefined) ?? []) {
          const body = (r.body as Plain | undefined)?.stringValue;
          if (typeof body === 'string') out.set(body, String(r.timeUnixNano));
        }
  }
  return out;
}

async function exitOrKill(app: Awaited<ReturnType<typeof startApp>>, ms: number) {
  const exit = await Promise.race([
    app.exited,
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms).unref()),
  ]);
  if (exit === 'hung') app.child.kill('SIGKILL');
  return exit;
}

describe('logs through the export worker', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('a job that logs and ends by itself delivers every record and exits 0 (the worker holds nothing open)', async () => {
    const app = await startApp('pino-worker-app.mjs', {
      waitForPort: false,
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'worker-job',
        MODE: 'job',
        JOB_RECORDS: '500',
        // Only the exit flush can export within this test.
        OTEL_BLRP_SCHEDULE_DELAY: '60000',
        OTEL_METRICS_EXPORTER: 'none',
      }),
    });
    const exit = await exitOrKill(app, 30_000);
    assert.deepEqual(exit, { code: 0, signal: null }, app.stderr());
    const records = logsOf(receiver).filter((r) => r.service === 'worker-job');
    assert.equal(records.length, 500, 'every record written before the exit arrives, once');
    assert.deepEqual(
      records.map((r) => r.attributes.i),
      Array.from({ length: 500 }, (_, i) => i),
      'in the order they were written',
    );
    const first = records[0]!;
    // messageKey 'message' → body; the custom level (35, between info and warn) → INFO3 with its label.
    assert.deepEqual([first.body, first.severityNumber, first.severityText], ['record 0', 11, 'notice']);
    assert.equal(first.attributes.component, 'billing', 'child logger bindings are attributes');
    assert.equal(first.attributes.password, '[Redacted]');
    assert.equal(first.attributes.level, undefined, 'the level travels as severity, not as an attribute');
    assert.equal(first.scope, '@opentelemetry/instrumentation-pino');
    assert.equal(first.resource['service.name'], 'worker-job');
    // The ISO timestamp pino wrote is the record's time (not the moment the worker parsed it).
    const line = app
      .stdout()
      .split('\n')
      .find((l) => l.includes('"message":"record 0"'));
    assert.ok(line, app.stdout());
    const iso = (JSON.parse(line) as { time: string }).time;
    assert.equal(timestampsByBody(receiver).get('record 0'), `${Date.parse(iso)}000000`);
    // console.log wrote to stdout too; only pino's lines are log records.
    assert.match(app.stdout(), /console line/);
    assert.ok(
      !logsOf(receiver).some((r) => r.body === 'console line' || r.attributes.message === 'console line'),
    );
    assert.deepEqual(kitLines(app.stderr()), []);
  });

  test('SIGTERM right after logging: the records are flushed, then the process ends by the signal', async () => {
    const app = await startApp('pino-worker-app.mjs', {
      env: signalsEnv(receiver, { OTEL_SERVICE_NAME: 'worker-sigterm', OTEL_BLRP_SCHEDULE_DELAY: '60000' }),
    });
    assert.deepEqual(await hit(app.url('/log?n=50&marker=term')), [200]);
    app.child.kill('SIGTERM');
    const exit = await exitOrKill(app, 30_000);
    assert.deepEqual(exit, { code: null, signal: 'SIGTERM' }, app.stderr());
    const records = logsOf(receiver).filter(
      (r) => r.service === 'worker-sigterm' && r.attributes.marker === 'term',
    );
    assert.equal(records.length, 50, app.stderr());
    const span = receiver
      .spans()
      .find(
        (s) =>
          s.service === 'worker-sigterm' &&
          s.kindName === 'SERVER' &&
          s.attributes['url.query'] === 'n=50&marker=term',
      );
    assert.ok(span, 'the request span was flushed too');
    for (const r of records) {
      assert.equal(r.traceId, span.traceId, 'trace ids come from the line the request wrote');
      assert.equal(r.spanId, span.spanId);
      assert.equal(r.severityText, 'warn');
    }
  });

  test('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pino sends no pino records and leaves stdout as it was', async () => {
    const app = await startApp('pino-worker-app.mjs', {
      waitForPort: false,
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'worker-disabled',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pino',
        MODE: 'job',
        JOB_RECORDS: '20',
      }),
    });
    const exit = await exitOrKill(app, 30_000);
    assert.deepEqual(exit, { code: 0, signal: null }, app.stderr());
    assert.equal(
      app
        .stdout()
        .split('\n')
        .filter((l) => l.includes('"marker":"job"')).length,
      21,
    );
    assert.equal(logsOf(receiver).filter((r) => r.service === 'worker-disabled').length, 0);
  });
});
