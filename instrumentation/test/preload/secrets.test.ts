// "Secrets never leave the process", checked the way a leak would be found: a real app run through the
// preload plants a secret in every place apps put one by accident (test/fixtures/apps/secrets-app.mjs),
// and everything the OTLP receiver got — spans, metrics, logs, resources — is searched for them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { logsOf, metricsOf, signalsEnv } from '../support/signals.ts';
import { hit, startApp } from '../support/spawn-app.ts';

describe('secrets planted everywhere in a real app', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('none of them reaches the backend, while the telemetry around them does', async () => {
    const app = await startApp('secrets-app.mjs', {
      env: signalsEnv(receiver, {
        OTEL_SERVICE_NAME: 'secrets',
        OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
      }),
      appArgs: ['--api-key=SECRET_COMMAND_ARGS'],
    });
    try {
      const [status] = await hit(app.url('/run'));
      assert.equal(status, 200, app.stdout() + app.stderr());
      // Wait for each signal to carry what the secrets were planted in, so a pass is not an empty receiver.
      let seen: Record<string, boolean> = {};
      await receiver
        .waitFor(
          () => {
            const spans = receiver.spans().filter((s) => s.service === 'secrets');
            const pgError = spans.some(
              (s) => s.attributes['db.system.name'] === 'postgresql' && s.statusCode === 2,
            );
            const handler = spans.some((s) => s.name === 'handler');
            const urls = spans.map(
              (s) => `${String(s.attributes['url.full'] ?? '')} ${String(s.attributes['url.query'] ?? '')}`,
            );
            const fetched =
              urls.filter((u) => u.includes('access_token=REDACTED')).length >= 2 &&
              urls.filter((u) => u.includes('password=REDACTED')).length >= 2;
            const logged = logsOf(receiver).some((l) => l.attributes.marker === 'planted');
            const metrics = metricsOf(receiver).some((m) => m.resource['service.name'] === 'secrets');
            seen = { pgError, handler, fetched, logged, metrics };
            return Object.values(seen).every(Boolean);
          },
          30_000,
          'the planted spans, the log record and a metrics export',
        )
        .catch((error: Error) => {
          throw new Error(`${error.message}\nseen: ${JSON.stringify(seen)}\n${app.stderr()}`);
        });
      const everything = JSON.stringify(receiver.requests.map((r) => r.body));
      const leaks = [...new Set(everything.match(/SECRET_[A-Z_]+/g) ?? [])];
      assert.deepEqual(leaks, [], `secrets that reached the receiver: ${leaks.join(', ')}`);
      // The scrubbing keeps what is useful: the DB error and the harmless parts of URLs and records.
      assert.match(everything, /invalid input syntax for type integer: \\"\?\\"/);
      assert.match(everything, /state=ok/);
      const planted = logsOf(receiver).find((l) => l.attributes.marker === 'planted')!;
      assert.equal(planted.attributes.accessToken, '[Redacted]');
      const resource = metricsOf(receiver).find((m) => m.resource['service.name'] === 'secrets')!.resource;
      assert.ok(resource['process.pid'], 'the process detector ran');
      assert.equal(resource['process.command_args'], undefined);
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });

  test('LGTM_APM_RESOURCE_COMMAND_ARGS=true puts the command line back (opt-in)', async () => {
    const app = await startApp('http-app.mjs', {
      env: signalsEnv(receiver, { OTEL_SERVICE_NAME: 'with-args', LGTM_APM_RESOURCE_COMMAND_ARGS: 'true' }),
      appArgs: ['--visible-flag'],
    });
    try {
      await hit(app.url('/ok'));
      const span = await receiver.waitFor(
        () => receiver.spans().find((s) => s.service === 'with-args'),
        15_000,
        'with-args span',
      );
      assert.ok(
        String(span.resource['process.command_args']).includes('--visible-flag'),
        JSON.stringify(span.resource),
      );
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });
});
