// The whole demo (gateway → orders → payments → external, Postgres, Redis) under the preload, against a
// real OTLP gRPC receiver: proves the spans make the six service-graph edges the server map shows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoTopology } from '@lgtm-apm/demo/testing';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { edgeKeys, serviceGraphEdges } from '../support/service-graph.ts';
import { testEnv } from '../support/env.ts';
import { type FlatSpan } from '../support/spans.ts';

const EXPECTED_EDGES = [
  'user->gateway (virtual_node)',
  'gateway->orders',
  'orders->payments',
  'orders->postgresql (database)',
  'orders->redis (database)',
  'payments->127.0.0.1 (virtual_node)',
];

for (const variant of [
  { name: 'ESM apps, --import', preload: '--import' },
  { name: 'CJS-only setup, --require', preload: '--require' },
] as const) {
  describe(`demo topology (${variant.name})`, () => {
    const receiver = new OtlpReceiver();
    let topology: Awaited<ReturnType<typeof startDemoTopology>>;

    before(async () => {
      await receiver.start();
      topology = await startDemoTopology({ preload: variant.preload, env: testEnv(receiver.grpcEndpoint) });
      const gateway = topology.urls.gateway;
      for (let i = 0; i < 3; i++) await (await fetch(`${gateway}/api/checkout`)).arrayBuffer();
      await (await fetch(`${gateway}/api/server-error`)).arrayBuffer();
      await (await fetch(`${gateway}/api/throw`)).arrayBuffer();
      await (await fetch(`${gateway}/api/client-error`)).arrayBuffer();
      await (
        await fetch(`${gateway}/api/orders/1?token=s3cr3t-token&page=2`, {
          headers: { authorization: 'Bearer top-secret-bearer', cookie: 'session=top-secret-cookie' },
        })
      ).arrayBuffer();
      const routes = [
        '/api/checkout',
        '/api/server-error',
        '/api/throw',
        '/api/client-error',
        '/api/orders/:id',
      ];
      await receiver.waitFor(
        () =>
          routes.every((route) =>
            receiver
              .spans()
              .some(
                (s) =>
                  s.service === 'gateway' && s.kindName === 'SERVER' && s.attributes['http.route'] === route,
              ),
          ),
        20_000,
        `gateway server spans for ${routes.join(', ')}`,
      );
    });

    after(async () => {
      await topology?.stop();
      await receiver.stop();
    });

    test('spans pair into the six service-graph edges Tempo builds', async () => {
      const keys = await receiver.waitFor(
        () => {
          const k = edgeKeys(serviceGraphEdges(receiver.spans()));
          return EXPECTED_EDGES.every((e) => k.has(e)) ? k : undefined;
        },
        20_000,
        `edges ${EXPECTED_EDGES.join(', ')}`,
      );
      for (const edge of EXPECTED_EDGES)
        assert.ok(keys.has(edge), `missing edge ${edge}; got ${[...keys].join(', ')}`);
    });

    // Each process exports on its own schedule: every test waits for the spans it reads, never for a time.
    test('resource identifies each service and instance', async () => {
      const byService = await receiver.waitFor(
        () => {
          const seen = new Map<string, FlatSpan>();
          for (const s of receiver.spans()) seen.set(s.service, s);
          return ['gateway', 'orders', 'payments'].every((name) => seen.has(name)) ? seen : undefined;
        },
        60_000,
        'spans from gateway, orders and payments',
      );
      assert.deepEqual([...byService.keys()].sort(), ['gateway', 'orders', 'payments']);
      const instanceIds = new Set<unknown>();
      for (const s of byService.values()) {
        assert.equal(s.resource['service.namespace'], 'demo');
        assert.equal(s.resource['deployment.environment.name'], 'demo');
        assert.equal(typeof s.resource['host.name'], 'string');
        assert.equal(typeof s.resource['process.pid'], 'number');
        assert.match(String(s.resource['service.instance.id']), /^[0-9a-f-]{36}$/);
        instanceIds.add(s.resource['service.instance.id']);
      }
      assert.equal(instanceIds.size, 3, 'service.instance.id must be unique per process');
    });

    test('HTTP client spans carry server.address and server.port; context crosses processes', async () => {
      const spans = await receiver.waitFor(
        () => {
          const all = receiver.spans();
          const root = all.find(
            (s) =>
              s.service === 'gateway' &&
              s.kindName === 'SERVER' &&
              s.attributes['http.route'] === '/api/checkout',
          );
          const services = new Set(all.filter((s) => s.traceId === root?.traceId).map((s) => s.service));
          return services.has('orders') && services.has('payments') ? all : undefined;
        },
        60_000,
        'a /api/checkout trace through orders and payments',
      );
      const clients = spans.filter((s) => s.kindName === 'CLIENT' && s.attributes['http.request.method']);
      assert.ok(clients.length >= 3);
      for (const c of clients) {
        assert.equal(c.attributes['server.address'], '127.0.0.1');
        assert.equal(typeof c.attributes['server.port'], 'number');
      }
      const gatewayRoot = spans.find(
        (s) =>
          s.service === 'gateway' &&
          s.kindName === 'SERVER' &&
          s.attributes['http.route'] === '/api/checkout',
      );
      assert.ok(gatewayRoot, 'gateway server span for /api/checkout');
      const sameTrace = new Set(spans.filter((s) => s.traceId === gatewayRoot.traceId).map((s) => s.service));
      assert.deepEqual([...sameTrace].sort(), ['gateway', 'orders', 'payments']);
    });

    test('database spans carry db.system.name and db.namespace, with parameterised SQL only', async () => {
      const spans = await receiver.waitFor(
        () => {
          const all = receiver.spans();
          const client = (system: string) =>
            all.some((s) => s.attributes['db.system.name'] === system && s.kindName === 'CLIENT');
          const insert = all.some((s) => /insert/i.test(String(s.attributes['db.query.text'] ?? '')));
          return client('postgresql') && client('redis') && insert ? all : undefined;
        },
        60_000,
        'postgresql (with an INSERT) and redis client spans',
      );
      const pg = spans.filter(
        (s) => s.attributes['db.system.name'] === 'postgresql' && s.kindName === 'CLIENT',
      );
      assert.ok(pg.length > 0, 'postgres spans');
      assert.ok(pg.every((s) => s.attributes['db.namespace'] === 'test'));
      const insert = pg.find((s) => /insert/i.test(String(s.attributes['db.query.text'])));
      assert.ok(insert, 'an INSERT span');
      assert.match(String(insert.attributes['db.query.text']), /\$1/);
      const redis = spans.filter(
        (s) => s.attributes['db.system.name'] === 'redis' && s.kindName === 'CLIENT',
      );
      assert.ok(redis.length > 0, 'redis spans');
    });

    test('errors: 5xx server spans are ERROR, the thrown exception is recorded as an event', async () => {
      // Each process exports on its own schedule: wait for orders' batch too.
      await receiver.waitFor(
        () =>
          receiver
            .spans()
            .some((s) => s.service === 'orders' && s.events.some((e) => e.name === 'exception')),
        20_000,
        'an exception event from orders',
      );
      const spans = receiver.spans();
      const failed = spans.filter((s) => s.kindName === 'SERVER' && s.statusCode === 2);
      assert.ok(
        failed.some((s) => s.service === 'gateway'),
        'gateway server span with ERROR status',
      );
      const exceptionEvents = spans.flatMap((s) =>
        s.events.filter((e) => e.name === 'exception').map((e) => ({ s, e })),
      );
      assert.ok(exceptionEvents.length > 0, 'an exception event');
      assert.ok(exceptionEvents.some(({ s }) => s.service === 'orders'));
      const clientError = spans.find(
        (s) =>
          s.service === 'gateway' &&
          s.kindName === 'SERVER' &&
          s.attributes['http.route'] === '/api/client-error',
      );
      assert.ok(clientError);
      assert.notEqual(clientError.statusCode, 2, '4xx is not a server error');
    });

    test('secrets never leave the process', () => {
      const payload = JSON.stringify(receiver.requests.map((r) => r.body));
      assert.ok(!payload.includes('s3cr3t-token'), 'token query parameter redacted');
      assert.ok(!payload.includes('top-secret-bearer'), 'authorization header not exported');
      assert.ok(!payload.includes('top-secret-cookie'), 'cookie not exported');
      const withQuery = receiver
        .spans()
        .find((s) => String(s.attributes['url.query'] ?? '').includes('page=2'));
      assert.ok(withQuery, 'the request with a query string was traced');
      assert.match(String(withQuery.attributes['url.query']), /token=REDACTED/);
    });
  });
}
