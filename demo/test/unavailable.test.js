// Missing dependencies: orders starts without Postgres/Redis, says so once with a redacted URL,
// answers 503, and picks the stores up when they come back. The gateway answers 502 when orders is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { freePort } from '../src/testing/start-topology.js';
import {
  DATABASE_URL,
  REDIS_URL,
  createSwitchableProxy,
  getJson,
  logLines,
  startService,
  waitFor,
  waitForLog,
} from './helpers.js';

const checkout = (url) =>
  getJson(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku: 'sku-book', quantity: 1 }),
  });

test('orders without Postgres and Redis: starts, one clear message each, 503, password redacted, exits 0', async () => {
  const deadPg = await freePort();
  const deadRedis = await freePort();
  const orders = await startService('orders.js', {
    DATABASE_URL: `postgres://postgres:s3cret-pw@127.0.0.1:${deadPg}/test`,
    REDIS_URL: `redis://:r3dis-pw@127.0.0.1:${deadRedis}`,
  });
  try {
    const health = await getJson(`${orders.url}/healthz`);
    assert.equal(health.status, 200);

    for (let i = 0; i < 3; i++) {
      const res = await checkout(orders.url);
      assert.equal(res.status, 503);
      assert.match(
        res.body.error,
        /cannot reach (Postgres|Redis) at .* — set (DATABASE_URL|REDIS_URL); .* will answer 503 until it is reachable/,
      );
    }
    const lookup = await getJson(`${orders.url}/orders/1`);
    assert.equal(lookup.status, 503);
    assert.match(lookup.body.error, /cannot reach Postgres/);

    await waitFor(
      () =>
        logLines(orders.logs.stdout, /cannot reach Redis/).length > 0 &&
        logLines(orders.logs.stdout, /cannot reach Postgres/).length > 0,
      'the Postgres and Redis messages',
    );
    const pgLines = logLines(orders.logs.stdout, /cannot reach Postgres/);
    const redisLines = logLines(orders.logs.stdout, /cannot reach Redis/);
    assert.equal(pgLines.length, 1, orders.logs.stdout);
    assert.equal(redisLines.length, 1, orders.logs.stdout);
    assert.equal(
      pgLines[0].msg,
      `orders: cannot reach Postgres at postgres://postgres:***@127.0.0.1:${deadPg}/test (ECONNREFUSED) — set DATABASE_URL; ` +
        '/api/checkout and /api/orders/:id will answer 503 until it is reachable',
    );
    assert.match(
      redisLines[0].msg,
      new RegExp(
        `^orders: cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${deadRedis} \\(ECONNREFUSED\\)`,
      ),
    );
    assert.equal(pgLines[0].level, 50);
    const everything = orders.logs.stdout + orders.logs.stderr + JSON.stringify(lookup.body);
    assert.ok(!everything.includes('s3cret-pw'), 'Postgres password leaked');
    assert.ok(!everything.includes('r3dis-pw'), 'Redis password leaked');
  } finally {
    assert.deepEqual(await orders.stop('SIGTERM'), { code: 0, signal: null });
  }
});

test('orders recovers by itself when Postgres and Redis come back', async () => {
  const pgUrl = new URL(DATABASE_URL);
  const redisUrl = new URL(REDIS_URL);
  const pgProxy = await createSwitchableProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  const redisProxy = await createSwitchableProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
  pgUrl.port = String(pgProxy.port);
  redisUrl.port = String(redisProxy.port);
  // payments is not running: a successful checkout is not the point, getting past the 503 is.
  const orders = await startService('orders.js', {
    DATABASE_URL: pgUrl.toString(),
    REDIS_URL: redisUrl.toString(),
    PAYMENTS_URL: `http://127.0.0.1:${await freePort()}`,
  });
  try {
    assert.equal((await checkout(orders.url)).status, 503);
    await pgProxy.up();
    await redisProxy.up();
    const res = await waitFor(async () => {
      const r = await checkout(orders.url);
      return r.status !== 503 && r;
    }, 'orders to notice the stores are back');
    assert.equal(res.status, 502, JSON.stringify(res.body));
    const [, orderId] =
      res.body.error.match(/^payment for order (\d+) failed: payments unreachable \(ECONNREFUSED\)$/) ?? [];
    assert.ok(orderId, res.body.error);
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    try {
      const { rows } = await db.query('SELECT status FROM demo_orders WHERE id = $1', [orderId]);
      assert.deepEqual(
        rows,
        [{ status: 'payment_failed' }],
        'a failed payment does not leave the order pending',
      );
    } finally {
      await db.end();
    }
    // The response and the child's stdout arrive on different pipes: wait for the lines, then count them.
    await waitFor(
      () =>
        logLines(orders.logs.stdout, /Postgres is reachable again/).length > 0 &&
        logLines(orders.logs.stdout, /Redis is reachable again/).length > 0,
      'the first pair of recovery messages',
    );
    assert.equal(logLines(orders.logs.stdout, /Postgres is reachable again/).length, 1, orders.logs.stdout);
    assert.equal(logLines(orders.logs.stdout, /Redis is reachable again/).length, 1, orders.logs.stdout);
    const health = await getJson(`${orders.url}/healthz`);
    assert.equal(health.body.postgres, 'up');
    assert.equal(health.body.redis, 'up');

    // Down again while running: open connections break under the pool and the Redis client; the
    // process must survive it, answer 503, say so once more, and come back once more.
    await pgProxy.down();
    await redisProxy.down();
    const outage = await waitFor(async () => {
      const r = await checkout(orders.url);
      return r.status === 503 && r;
    }, 'a 503 during the second outage');
    // Which store the request trips over first depends on which broken socket the process noticed first;
    // a Redis connection that dropped and has not failed a reconnect yet is "lost", not "cannot reach".
    assert.match(outage.body.error, /cannot reach (Postgres|Redis)|lost the connection to Redis/);
    assert.equal(orders.child.exitCode, null, 'orders survived the broken connections');
    await pgProxy.up();
    await redisProxy.up();
    await waitFor(
      async () => (await checkout(orders.url)).status === 502,
      'recovery after the second outage',
    );
    await waitFor(
      () =>
        logLines(orders.logs.stdout, /Postgres is reachable again/).length === 2 &&
        logLines(orders.logs.stdout, /Redis is reachable again/).length === 2,
      'the second pair of recovery messages',
    );
    assert.equal(logLines(orders.logs.stdout, /cannot reach Postgres/).length, 2, orders.logs.stdout);
    // The second Redis outage may end before a reconnect fails: then it is reported as a lost connection.
    assert.equal(
      logLines(orders.logs.stdout, /cannot reach Redis|lost the connection to Redis/).length,
      2,
      orders.logs.stdout,
    );
  } finally {
    assert.deepEqual(await orders.stop('SIGINT'), { code: 0, signal: null });
    await pgProxy.down();
    await redisProxy.down();
  }
});

test('gateway answers 502 naming orders when orders is unreachable', async () => {
  const gateway = await startService('gateway.js', { ORDERS_URL: `http://127.0.0.1:${await freePort()}` });
  try {
    const res = await getJson(`${gateway.url}/api/orders/1`);
    assert.equal(res.status, 502);
    assert.match(res.body.error, /^orders unreachable \(ECONNREFUSED\)$/);
    await waitForLog(gateway.logs, /^GET \/api\/orders\/:id failed: orders unreachable/);
  } finally {
    assert.deepEqual(await gateway.stop(), { code: 0, signal: null });
  }
});

test('a taken port is a one-line error and exit code 1', async () => {
  const first = await startService('external.js');
  try {
    const { spawnSync } = await import('node:child_process');
    const port = new URL(first.url).port;
    const second = spawnSync(process.execPath, ['src/external.js'], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, LISTEN_HOST: '127.0.0.1', PORT: port },
      encoding: 'utf8',
      timeout: 10_000,
    });
    assert.equal(second.status, 1);
    assert.match(
      second.stdout,
      new RegExp(`external: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`),
    );
  } finally {
    await first.stop();
  }
});
