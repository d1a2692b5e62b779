// The host app must never pay for the kit's problems: backend down, backend flapping, signals,
// natural exit, disabled SDK and bad configuration — all against a real OTLP receiver.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { testEnv } from '../support/env.ts';
import { APPS, hit, kitLines, startApp, waitForKitLine } from '../support/spawn-app.ts';
import { serviceGraphEdges } from '../support/service-graph.ts';

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function serverSpansWithQuery(receiver: OtlpReceiver, fragment: string) {
  return receiver
    .spans()
    .filter((s) => s.kindName === 'SERVER' && String(s.attributes['url.query'] ?? '').includes(fragment));
}

describe('backend unreachable for the whole run', () => {
  test('the app answers every request, the queue stays bounded, each problem is reported once', async () => {
    const app = await startApp('http-app.mjs', {
      env: testEnv(await closedPortUrl(), {
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_BSP_MAX_QUEUE_SIZE: '20',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
      }),
    });
    try {
      const statuses = await Promise.all(Array.from({ length: 10 }, () => hit(app.url('/ok'), 30)));
      assert.ok(
        statuses.flat().every((s) => s === 200),
        'all 300 requests answered',
      );
      // The first failure is printed; the 300 requests' batches fail many times more (one per 50 ms).
      await waitForKitLine(app, /export failed/);
      const lines = kitLines(app.stderr());
      const exportLines = lines.filter((l) => l.includes('export failed'));
      assert.equal(exportLines.length, 1, `one export warning per minute, got:\n${lines.join('\n')}`);
      assert.ok(lines.length <= 3, `the kit stays quiet:\n${lines.join('\n')}`);
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });
});

describe('backend stops mid-run and comes back', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('export resumes once the receiver is back, the app never notices', async () => {
    const app = await startApp('http-app.mjs', {
      env: testEnv(receiver.grpcEndpoint, {
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      }),
    });
    try {
      await hit(app.url('/ok?phase=before'), 3);
      await receiver.waitFor(
        () => serverSpansWithQuery(receiver, 'phase=before').length === 3,
        15_000,
        'phase=before spans',
      );

      await receiver.stop();
      const during = await hit(app.url('/ok?phase=during'), 20);
      assert.ok(
        during.every((s) => s === 200),
        'the app kept answering during the outage',
      );
      // The outage has been seen once an export of the "during" spans failed.
      await waitForKitLine(app, /export failed/);

      await receiver.start();
      // Keep traffic flowing while the exporter reconnects, as a real app would.
      const found = await receiver.waitFor(
        () => {
          void hit(app.url('/ok?phase=after')).catch(() => {});
          return serverSpansWithQuery(receiver, 'phase=after').length > 0;
        },
        30_000,
        'spans exported after the receiver came back',
      );
      assert.ok(found);
      assert.ok(kitLines(app.stderr()).filter((l) => l.includes('export failed')).length <= 1);
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });
});

describe('signals and exit', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('SIGTERM with no app handler: queued spans are flushed, then the process dies by SIGTERM as it would bare', async () => {
    const app = await startApp('http-app.mjs', {
      // A 30 s batch delay means only the shutdown flush can deliver these spans.
      env: testEnv(receiver.grpcEndpoint, { OTEL_BSP_SCHEDULE_DELAY: '30000' }),
    });
    await hit(app.url('/ok?flush=sigterm'), 5);
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    assert.equal(exit.signal, 'SIGTERM', `exit ${JSON.stringify(exit)}; stderr: ${app.stderr()}`);
    await receiver.waitFor(
      () => serverSpansWithQuery(receiver, 'flush=sigterm').length === 5,
      10_000,
      'flushed spans',
    );
  });

  test('SIGTERM with the app’s own handler: the app decides, and exits 0 as it would bare', async () => {
    const app = await startApp('http-app.mjs', {
      env: testEnv(receiver.grpcEndpoint, { APP_HANDLES_SIGTERM: '1' }),
    });
    await hit(app.url('/ok'), 2);
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.match(app.stdout(), /app-sigterm/);
  });

  test('an app that runs out of work exits by itself and still delivers its spans', async () => {
    const app = await startApp('oneshot.mjs', {
      env: testEnv(receiver.grpcEndpoint, { OTEL_BSP_SCHEDULE_DELAY: '30000' }),
      waitForPort: false,
    });
    const exit = await Promise.race([
      app.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref()),
    ]);
    if (exit === 'hung') app.child.kill('SIGKILL');
    assert.deepEqual(exit, { code: 0, signal: null }, 'the kit must not keep the process alive');
    await receiver.waitFor(
      () => receiver.spans().some((s) => s.kindName === 'SERVER' && s.attributes['url.path'] === '/once'),
      10_000,
      'the oneshot span',
    );
  });

  test('an app that calls process.exit() right after its work still delivers its spans, with its own exit code', async () => {
    const app = await startApp('exit-now.mjs', {
      env: testEnv(receiver.grpcEndpoint, { OTEL_BSP_SCHEDULE_DELAY: '30000', EXIT_CODE: '3' }),
      waitForPort: false,
    });
    const exit = await Promise.race([
      app.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref()),
    ]);
    if (exit === 'hung') app.child.kill('SIGKILL');
    assert.deepEqual(exit, { code: 3, signal: null }, app.stderr());
    assert.deepEqual(kitLines(app.stderr()), []);
    await receiver.waitFor(
      () => {
        const kinds = receiver
          .spans()
          .filter((s) => s.attributes['url.path'] === '/exit-now')
          .map((s) => s.kindName)
          .sort();
        return kinds.join() === 'CLIENT,SERVER';
      },
      10_000,
      'the server and client spans queued when process.exit() was called',
    );
  });

  test('an app whose SIGTERM handler calls process.exit() at once still delivers the spans it had queued', async () => {
    const app = await startApp('http-app.mjs', {
      env: testEnv(receiver.grpcEndpoint, {
        APP_HANDLES_SIGTERM: 'exit-now',
        OTEL_BSP_SCHEDULE_DELAY: '30000',
      }),
    });
    await hit(app.url('/ok?flush=exit-now'), 4);
    app.child.kill('SIGTERM');
    assert.deepEqual(await app.exited, { code: 0, signal: null }, app.stderr());
    assert.deepEqual(kitLines(app.stderr()), []);
    await receiver.waitFor(
      () => serverSpansWithQuery(receiver, 'flush=exit-now').length >= 4,
      10_000,
      'the 4 queued server spans',
    );
  });

  test('process.exit() with the backend down: the app still exits with its code, the loss is reported once', async () => {
    const app = await startApp('exit-now.mjs', {
      env: testEnv('http://127.0.0.1:9', { OTEL_BSP_SCHEDULE_DELAY: '30000', EXIT_CODE: '4' }),
      waitForPort: false,
    });
    const exit = await Promise.race([
      app.exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref()),
    ]);
    if (exit === 'hung') app.child.kill('SIGKILL');
    assert.deepEqual(exit, { code: 4, signal: null }, app.stderr());
    const lines = kitLines(app.stderr());
    assert.equal(lines.length, 1, app.stderr());
    assert.match(lines[0]!, /2 spans queued at process\.exit\(\) were not exported/);
  });

  test('`node --require kit -e …` runs the code (builtins load) and traces it', async () => {
    // Node 24's in-thread loader hooks broke every builtin load of --eval code preloaded with --require.
    const code =
      "const http = require('http');" +
      "const server = http.createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', () => {" +
      '  http.get(`http://127.0.0.1:${server.address().port}/eval-mode`, (r) => {' +
      "    r.resume(); r.on('end', () => { console.log('eval-ok'); server.close(); });" +
      '  });' +
      '});';
    const child = spawn(process.execPath, ['--require', '@lgtm-apm/instrumentation', '-e', code], {
      cwd: APPS,
      env: { ...process.env, ...testEnv(receiver.grpcEndpoint) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code0 = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code0, 0, err);
    assert.match(out, /eval-ok/);
    await receiver.waitFor(
      () =>
        receiver.spans().some((s) => s.kindName === 'SERVER' && s.attributes['url.path'] === '/eval-mode'),
      10_000,
      'the server span of the eval code',
    );
  });
});

describe('configuration', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('OTEL_SDK_DISABLED=true loads nothing and registers nothing', async () => {
    const app = await startApp('probe-disabled.mjs', {
      env: { OTEL_SDK_DISABLED: 'true' },
      waitForPort: false,
    });
    await app.exited;
    const probe = JSON.parse(app.stdout().trim()) as { apiGlobal: unknown; kitFiles: string[] };
    assert.equal(probe.apiGlobal, null);
    assert.deepEqual(probe.kitFiles, []);
    assert.equal(kitLines(app.stderr()).length, 0);
  });

  test('each invalid value gives one warning naming the variable and the default, and the app still works', async () => {
    const app = await startApp('http-app.mjs', {
      env: testEnv(receiver.grpcEndpoint, {
        OTEL_BSP_SCHEDULE_DELAY: 'soon',
        OTEL_TRACES_SAMPLER: 'sometimes',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'carrier-pigeon',
        OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'telepathy',
      }),
    });
    try {
      await hit(app.url('/ok?config=bad'), 2);
      const lines = kitLines(app.stderr());
      const about = (name: string) => lines.filter((l) => l.includes(name));
      assert.equal(about('OTEL_BSP_SCHEDULE_DELAY').length, 1, lines.join('\n'));
      assert.match(about('OTEL_BSP_SCHEDULE_DELAY')[0]!, /"soon".*using 1000/);
      assert.match(about('OTEL_TRACES_SAMPLER')[0]!, /using parentbased_always_on/);
      assert.match(about('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL')[0]!, /using grpc/);
      assert.match(about('OTEL_NODE_DISABLED_INSTRUMENTATIONS')[0]!, /telepathy/);
      await receiver.waitFor(
        () => serverSpansWithQuery(receiver, 'config=bad').length === 2,
        15_000,
        'spans despite bad config',
      );
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });

  test('service.name and service.version fall back to the app’s package.json', async () => {
    const env = testEnv(receiver.grpcEndpoint);
    const app = await startApp('http-app.mjs', { env: { ...env, OTEL_SERVICE_NAME: '' } });
    try {
      await hit(app.url('/ok?identity=pkg'), 1);
      const [span] = await receiver.waitFor(() => {
        const found = serverSpansWithQuery(receiver, 'identity=pkg');
        return found.length ? found : undefined;
      });
      assert.equal(span!.resource['service.name'], 'fixture-apps');
      assert.equal(span!.resource['service.version'], '1.2.3');
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });

  test('a TypeScript app run by Node’s type stripping is instrumented, over OTLP http/protobuf too', async () => {
    const app = await startApp('typescript-app.ts', {
      env: {
        ...testEnv(receiver.grpcEndpoint),
        OTEL_SERVICE_NAME: 'ts-app',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.httpEndpoint}/v1/traces`,
      },
    });
    try {
      await hit(app.url('/ts?lang=ts'), 1);
      await receiver.waitFor(
        () =>
          receiver.requests.some((r) => r.transport === 'http/protobuf') &&
          receiver.spans().some((s) => s.service === 'ts-app'),
        15_000,
        'ts-app span over http/protobuf',
      );
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });

  for (const [order, nodeArgs] of [
    ['kit first', ['--import', '@lgtm-apm/instrumentation', '--import', 'tsx']],
    ['tsx first', ['--import', 'tsx', '--import', '@lgtm-apm/instrumentation']],
  ] as const) {
    test(`a TypeScript app run with tsx (enums, decorators-free TS that needs a real transpiler) is instrumented, ${order}`, async () => {
      const service = `tsx-app-${order.split(' ')[0]}`;
      const app = await startApp('tsx-app.ts', {
        preloadFlag: null,
        nodeArgs: [...nodeArgs],
        env: { ...testEnv(receiver.grpcEndpoint), OTEL_SERVICE_NAME: service },
      });
      try {
        await hit(app.url('/tsx'), 1);
        const span = await receiver.waitFor(
          () => receiver.spans().find((s) => s.service === service && s.kindName === 'SERVER'),
          15_000,
          `${service} span`,
        );
        assert.equal(span.attributes['url.path'], '/tsx');
      } finally {
        app.child.kill('SIGKILL');
        await app.exited;
      }
    });
  }

  test('OTEL_EXPORTER_OTLP_PROTOCOL=http/json with the generic endpoint (as for a collector) reaches /v1/traces', async () => {
    const app = await startApp('http-app.mjs', {
      env: {
        ...testEnv(receiver.grpcEndpoint),
        OTEL_SERVICE_NAME: 'json-app',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.httpEndpoint,
      },
    });
    try {
      await hit(app.url('/ok?proto=json'), 1);
      const span = await receiver.waitFor(
        () =>
          receiver.requests.some((r) => r.transport === 'http/json') &&
          serverSpansWithQuery(receiver, 'proto=json')[0],
        15_000,
        'json-app span over http/json',
      );
      assert.equal(span.service, 'json-app');
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });

  test('root server spans name their caller `user` in Tempo’s graph, not the Host header (LGTM_APM_ROOT_PEER_SERVICE)', async () => {
    const entryClient = async (service: string, extra: Record<string, string>) => {
      const app = await startApp('http-app.mjs', {
        env: { ...testEnv(receiver.grpcEndpoint), OTEL_SERVICE_NAME: service, ...extra },
      });
      try {
        await hit(app.url('/ok?entry=1'), 1);
        const root = await receiver.waitFor(
          () => receiver.spans().find((s) => s.service === service && s.kindName === 'SERVER'),
          15_000,
          `${service} root span`,
        );
        return serviceGraphEdges([root])[0]?.client;
      } finally {
        app.child.kill('SIGKILL');
        await app.exited;
      }
    };
    assert.equal(await entryClient('entry-default', {}), 'user');
    // Without the hint Tempo would take server.address (the server's own Host header) as the caller.
    assert.equal(await entryClient('entry-off', { LGTM_APM_ROOT_PEER_SERVICE: 'off' }), '127.0.0.1');
  });
});
