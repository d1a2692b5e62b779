// The whole topology, bare (no preload), against the real Postgres and Redis of this machine: every
// gateway route answers what contracts.md promises, checkout really writes the database and Redis,
// and SIGTERM stops every service with exit code 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startDemoTopology } from '../src/testing/start-topology.js';
import { DATABASE_URL, REDIS_URL, getJson, logLines, waitFor, waitForLog } from './helpers.js';

let topology;
let db;
let redis;
let gateway;

before(async () => {
  db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect().catch((err) => {
    throw new Error(`these tests need the real Postgres at ${DATABASE_URL} (${err.code || err.message})`);
  });
  redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((err) => {
    throw new Error(`these tests need the real Redis at ${REDIS_URL} (${err.code || err.message})`);
  });
  topology = await startDemoTopology({ preload: false, env: { DATABASE_URL, REDIS_URL } });
  gateway = topology.urls.gateway;
});

after(async () => {
  await topology?.stop();
  await db?.end();
  redis?.disconnect();
});

test('every service answers /healthz 200', async () => {
  for (const [name, url] of Object.entries(topology.urls)) {
    const { status, body } = await getJson(`${url}/healthz`);
    assert.equal(status, 200, name);
    assert.equal(body.service, name);
  }
  // Liveness answers before the stores are connected; they come up right after.
  const orders = await waitFor(async () => {
    const res = await getJson(`${topology.urls.orders}/healthz`);
    return res.body.postgres === 'up' && res.body.redis === 'up' && res;
  }, 'orders to report postgres and redis up');
  assert.equal(orders.status, 200);
});

test('checkout runs the full chain, stores the order in Postgres and counts it in Redis', async () => {
  const before = Number((await redis.get('demo:checkouts')) ?? 0);
  const { status, body } = await getJson(`${gateway}/api/checkout?sku=sku-mug&qty=2`);
  assert.equal(status, 201, JSON.stringify(body));
  assert.equal(body.order.sku, 'sku-mug');
  assert.equal(body.order.quantity, 2);
  assert.equal(body.order.amount_cents, 2500);
  assert.equal(body.order.status, 'paid');
  assert.match(body.order.payment_id, /^pay_[0-9a-f-]{36}$/);
  assert.ok(body.checkouts > before, `counter ${body.checkouts} should be above ${before}`);

  const { rows } = await db.query(
    'SELECT sku, quantity, amount_cents, status, payment_id FROM demo_orders WHERE id = $1',
    [body.order.id],
  );
  assert.deepEqual(rows, [
    { sku: 'sku-mug', quantity: 2, amount_cents: 2500, status: 'paid', payment_id: body.order.payment_id },
  ]);
  const after = Number(await redis.get('demo:checkouts'));
  assert.ok(after >= body.checkouts && after > before);
  const cached = JSON.parse(await redis.get(`demo:order:${body.order.id}`));
  assert.equal(cached.payment_id, body.order.payment_id);

  // Each hop logged its part of the request.
  await waitForLog(topology.logs.payments, /^POST \/payments 201/);
  await waitForLog(topology.logs.external, /^POST \/v1\/charges 201/);
});

test('checkout with bad input is a 400 from orders, relayed by the gateway', async () => {
  const unknownSku = await getJson(`${gateway}/api/checkout?sku=sku-rocket`);
  assert.equal(unknownSku.status, 400);
  assert.match(unknownSku.body.error, /unknown sku "sku-rocket"/);
  const badQty = await getJson(`${gateway}/api/checkout?sku=sku-book&qty=0`);
  assert.equal(badQty.status, 400);
  assert.match(badQty.body.error, /quantity must be an integer from 1 to 100/);
  const notNumber = await getJson(`${gateway}/api/checkout?sku=sku-book&qty=lots`);
  assert.equal(notNumber.status, 400);
  assert.equal(notNumber.body.error, 'qty must be a whole number, got "lots"');
});

test('order lookup: cache hit in Redis, miss falls back to Postgres', async () => {
  const checkout = await getJson(`${gateway}/api/checkout?sku=sku-book&qty=1`);
  assert.equal(checkout.status, 201);
  const id = checkout.body.order.id;

  const hit = await getJson(`${gateway}/api/orders/${id}`);
  assert.equal(hit.status, 200);
  assert.equal(hit.body.cache, 'hit');
  assert.equal(hit.body.order.id, id);

  await redis.del(`demo:order:${id}`);
  const miss = await getJson(`${gateway}/api/orders/${id}`);
  assert.equal(miss.status, 200);
  assert.equal(miss.body.cache, 'miss');
  assert.equal(miss.body.order.payment_id, checkout.body.order.payment_id);
  assert.ok(await redis.get(`demo:order:${id}`), 'the miss refilled the cache');
});

test('slow path: exact delay, and bad values are a 400', async () => {
  const exact = await getJson(`${gateway}/api/slow?ms=50`);
  assert.equal(exact.status, 200);
  assert.deepEqual(exact.body, { sleptMs: 50 });
  for (const bad of ['abc', '-5', '1.5']) {
    const res = await getJson(`${gateway}/api/slow?ms=${bad}`);
    assert.equal(res.status, 400, bad);
    assert.match(res.body.error, /ms must be a whole number/);
  }
});

test('client errors: 400 for a malformed id, 404 for an order that does not exist', async () => {
  const bad = await getJson(`${gateway}/api/client-error`);
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /order id must be a positive integer/);
  const missing = await getJson(`${gateway}/api/client-error?code=404`);
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /order 2147483647 not found/);
  const noRoute = await getJson(`${gateway}/api/nope`);
  assert.equal(noRoute.status, 404);
  assert.match(noRoute.body.error, /no route for GET \/api\/nope/);
});

test('server error: provider 503 → payments 500 → orders 502 → gateway 502, each failure logged', async () => {
  const { status, body } = await getJson(`${gateway}/api/server-error`);
  assert.equal(status, 502);
  assert.match(body.error, /payment provider failed \(payments answered 500\)/);
  assert.equal(body.detail.detail.error, 'card network temporarily unavailable');
  await waitForLog(topology.logs.payments, /^POST \/payments failed: payment provider answered 503/);
  await waitForLog(topology.logs.orders, /^GET \/fail failed/);
  await waitForLog(topology.logs.gateway, /^GET \/api\/server-error 502/);
});

test('thrown exception in orders: 500 through the gateway, logged with its stack', async () => {
  const { status, body } = await getJson(`${gateway}/api/throw`);
  assert.equal(status, 500);
  assert.deepEqual(body, { error: 'internal error' });
  const logged = await waitForLog(
    topology.logs.orders,
    /^GET \/throw failed: Cannot read properties of undefined/,
  );
  assert.equal(logged.level, 50);
  assert.equal(logged.err.type, 'TypeError');
  assert.match(logged.err.stack, /orders\.js/);
});

test('request logs carry method, route template, status and duration', async () => {
  await getJson(`${gateway}/api/orders/not-a-number`);
  const line = await waitForLog(topology.logs.gateway, /^GET \/api\/orders\/:id 400/);
  assert.equal(line.method, 'GET');
  assert.equal(line.route, '/api/orders/:id');
  assert.equal(line.status, 400);
  assert.equal(typeof line.durationMs, 'number');
  assert.equal(line.name, 'gateway');
});

test('SIGTERM stops every service with exit code 0', async () => {
  const exits = await topology.stop('SIGTERM');
  assert.deepEqual(exits, {
    gateway: { code: 0, signal: null },
    orders: { code: 0, signal: null },
    payments: { code: 0, signal: null },
    external: { code: 0, signal: null },
  });
  for (const name of ['gateway', 'orders', 'payments', 'external']) {
    assert.equal(logLines(topology.logs[name].stdout, new RegExp(`^${name}: stopped$`)).length, 1, name);
  }
});
