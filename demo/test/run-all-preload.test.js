// `npm run demo` as a user runs it, with the real preload, pointed at an OTLP/HTTP JSON endpoint started
// here: run-all must pass the user's OTEL_* through, name each service, tag the demo namespace, keep
// the third-party stub uninstrumented, and still stop with exit code 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DATABASE_URL, DEMO_ROOT, REDIS_URL } from './helpers.js';
import { freeBase } from './ports.js';

function preloadMissing() {
  try {
    const resolved = fileURLToPath(import.meta.resolve('@lgtm-apm/instrumentation'));
    return existsSync(resolved)
      ? undefined
      : `${resolved} is not built (run npm run build -w instrumentation)`;
  } catch (err) {
    return `@lgtm-apm/instrumentation cannot be resolved (${err.code || err.message})`;
  }
}

/** OTLP/HTTP JSON trace receiver: keeps each span with its resource attributes. */
async function startReceiver() {
  const spans = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      try {
        for (const rs of JSON.parse(body).resourceSpans ?? []) {
          const resource = Object.fromEntries(
            rs.resource.attributes.map((a) => [a.key, Object.values(a.value)[0]]),
          );
          for (const ss of rs.scopeSpans ?? [])
            for (const span of ss.spans ?? []) spans.push({ resource, span });
        }
      } catch {
        // not JSON: ignored, the assertions below will say what is missing
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { spans, url: `http://127.0.0.1:${server.address().port}/v1/traces`, close: () => server.close() };
}

const missing = preloadMissing();

test(
  'run-all with the preload exports every instrumented service to the OTLP endpoint from env',
  { skip: missing },
  async () => {
    const receiver = await startReceiver();
    try {
      const base = await freeBase();
      const child = spawn(process.execPath, ['src/run-all.js'], {
        cwd: DEMO_ROOT,
        env: {
          ...process.env,
          DEMO_PORT_BASE: String(base),
          LOAD_RPS: '10',
          LOAD_DURATION_S: '2',
          LOAD_SLOW_MAX_MS: '300',
          DATABASE_URL,
          REDIS_URL,
          NO_COLOR: '1',
          OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          OTEL_RESOURCE_ATTRIBUTES: 'team=shop',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
      child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
      const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c)));
      assert.equal(code, 0, output);
      assert.match(output, /^demo +\| starting the demo with --import @lgtm-apm\/instrumentation/m);

      const services = new Set(receiver.spans.map((s) => s.resource['service.name']));
      assert.deepEqual(
        [...services].sort(),
        ['gateway', 'orders', 'payments'],
        `spans from exactly the instrumented services (external stays uninstrumented); output:\n${output.slice(-4000)}`,
      );
      for (const { resource } of receiver.spans) {
        assert.equal(resource['service.namespace'], 'demo');
        assert.equal(resource['deployment.environment.name'], 'demo');
        assert.equal(resource.team, 'shop', "the user's OTEL_RESOURCE_ATTRIBUTES are kept");
      }
      // Logs carry the trace context the preload injects into pino.
      assert.match(output, /^gateway +\| \{.*"trace_id":"[0-9a-f]{32}"/m, output.slice(-4000));
    } finally {
      receiver.close();
    }
  },
);

if (missing) console.log(`# skipped the preload run-all test: ${missing}`);
