// The README's "see what the kit sends without a backend": OTEL_{TRACES,METRICS,LOGS}_EXPORTER=console
// prints spans, metrics and log records to stdout, and nothing tries to reach an OTLP endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp } from '../support/spawn-app.ts';

test('console exporters print spans, metrics and log records with no backend at all', async () => {
  const app = await startApp('console-app.mjs', {
    waitForPort: false,
    env: {
      OTEL_SERVICE_NAME: 'console-app',
      OTEL_TRACES_EXPORTER: 'console',
      OTEL_METRICS_EXPORTER: 'console',
      OTEL_LOGS_EXPORTER: 'console',
      // Were anything still exporting over OTLP, it would fail here and say so on stderr.
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
      LGTM_APM_COMPILE_CACHE: 'false',
    },
  });
  const exit = await Promise.race([
    app.exited,
    new Promise<'timeout'>((resolve) => setTimeout(resolve, 60_000, 'timeout').unref()),
  ]);
  if (exit === 'timeout') app.child.kill('SIGKILL');
  assert.deepEqual(exit, { code: 0, signal: null }, app.stderr());
  const out = app.stdout();
  assert.match(out, /'service\.name': 'console-app'/, 'the resource');
  assert.match(out, /'url\.path': '\/hello'/, 'the HTTP server span for /hello');
  assert.match(out, /name: 'http\.server\.request\.duration'/, 'the HTTP server duration metric');
  assert.match(out, /body: 'console exporter check'/, 'the pino log record');
  assert.doesNotMatch(app.stderr(), /export failed|ECONNREFUSED/, 'no OTLP export was attempted');
});
