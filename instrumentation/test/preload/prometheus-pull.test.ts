// The optional pull endpoint, scraped by a real Prometheus (Debian's binary) that the test starts on a
// free loopback port with its own temporary data directory; PromQL results come from its HTTP API.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hit, kitLines, startApp, type RunningApp } from '../support/spawn-app.ts';

const PROMETHEUS = '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(base: string, promql: string): Promise<Sample[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data?: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data!.result;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const skip = existsSync(PROMETHEUS) ? false : `${PROMETHEUS} is not installed (Debian package "prometheus")`;
if (skip) console.log(`# skipping the Prometheus scrape test: ${skip}`);

describe('Prometheus scrapes the pull endpoint', { skip }, () => {
  let app: RunningApp;
  let prometheus: ChildProcess | undefined;
  let promLog = '';
  let dir = '';
  let base = '';
  let metricsPort = 0;

  before(async () => {
    metricsPort = await freePort();
    app = await startApp('signals-app.mjs', {
      env: {
        OTEL_SERVICE_NAME: 'pulled',
        // Pull only: nothing is pushed, so no receiver is needed.
        OTEL_METRICS_EXPORTER: 'prometheus',
        LGTM_APM_PROMETHEUS_PORT: String(metricsPort),
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
        LGTM_APM_COMPILE_CACHE: 'false',
      },
    });
    await hit(app.url('/ok'), 3);
    dir = mkdtempSync(join(tmpdir(), 'lgtm-apm-prom-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: signals',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${metricsPort}']`,
        '',
      ].join('\n'),
    );
    const webPort = await freePort();
    base = `http://127.0.0.1:${webPort}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${webPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout!.on('data', (d: Buffer) => (promLog += d.toString()));
    prometheus.stderr!.on('data', (d: Buffer) => (promLog += d.toString()));
    await until('Prometheus ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined));
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((r) => prometheus!.once('exit', r));
      prometheus.kill('SIGTERM');
      await exited;
    }
    if (app) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the target is up and PromQL sees runtime, app and active-request series with prom-client names', async () => {
    try {
      await until('target up', async () =>
        (await query(base, 'up{job="signals"} == 1')).length === 1 ? true : undefined,
      );
      const orders = await until('app_orders_total', async () => {
        const r = await query(base, 'app_orders_total');
        return r.length === 2 ? r : undefined;
      });
      assert.deepEqual(Object.fromEntries(orders.map((s) => [s.metric.status, s.value[1]])), {
        ok: '3',
        failed: '1',
      });
      const heap = await query(base, 'nodejs_heap_size_used_bytes');
      assert.equal(heap.length, 1);
      assert.ok(Number(heap[0]!.value[1]) > 0);
      const buckets = await query(base, 'app_job_duration_seconds_bucket{kind="email"}');
      assert.deepEqual(buckets.map((s) => s.metric.le).sort(), ['+Inf', '0.1', '0.5', '1']);
      const ages = await query(base, 'lgtm_apm_active_requests');
      assert.deepEqual(ages.map((s) => s.metric.age).sort(), ['1s', '3s', '5s', 'slow']);
      const rate = await until('rate over CPU counter', async () => {
        const r = await query(base, 'rate(process_cpu_seconds_total[10s])');
        return r.length === 1 ? r : undefined;
      });
      assert.ok(Number(rate[0]!.value[1]) >= 0);
      const info = await query(base, 'target_info');
      assert.equal(info[0]?.metric.service_name, 'pulled');
      assert.deepEqual(kitLines(app.stderr()), []);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- prometheus ---\n${promLog.slice(-3000)}`, {
        cause: error,
      });
    }
  });

  test('a second process on the same port gets one warning and runs normally', async () => {
    const second = await startApp('signals-app.mjs', {
      env: {
        OTEL_SERVICE_NAME: 'second',
        LGTM_APM_PROMETHEUS_PORT: String(metricsPort),
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:1/otlp/v1/metrics',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
        LGTM_APM_COMPILE_CACHE: 'false',
      },
    });
    try {
      assert.deepEqual(await hit(second.url('/ok'), 2), [200, 200]);
      await until(
        'the warning',
        async () =>
          kitLines(second.stderr()).some((l) => l.includes('could not listen')) ? true : undefined,
        10_000,
      );
      const lines = kitLines(second.stderr()).filter((l) => l.includes('Prometheus endpoint'));
      assert.equal(lines.length, 1, second.stderr());
      assert.match(lines[0]!, /EADDRINUSE/);
      // The first process still owns the endpoint.
      assert.match(
        await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
        /service_name="pulled"/,
      );
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });
});
