// orders: owns the shop's orders (ESM + express 5). Stores them in Postgres (`pg`), caches them and
// counts checkouts in Redis (`ioredis`), and charges them through the payments service.
import { createServer } from 'node:http';
import express from 'express';
import pg from 'pg';
import { Redis } from 'ioredis';
import pino from 'pino';
import service from './lib/service.cjs';
import { parseSlowMs } from './lib/slow.js';
import { createPostgres, createRedis } from './lib/stores.js';

const {
  HttpError,
  callJson,
  envHttpUrl,
  envPort,
  errorHandler,
  listen,
  notFound,
  onShutdown,
  requestLogger,
  sleep,
} = service;

const logger = pino({ name: 'orders', level: process.env.LOG_LEVEL || 'info' });
const port = envPort('PORT', 3001, logger);
const paymentsUrl = envHttpUrl('PAYMENTS_URL', 'http://127.0.0.1:3002', logger);

const postgres = createPostgres({
  pg,
  url: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  logger,
  needs: '/api/checkout and /api/orders/:id',
});
const redis = createRedis({
  Redis,
  url: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
  logger,
  needs: '/api/checkout',
});

/** Unit prices in cents; the catalog is code, the orders are data. */
const PRICES = { 'sku-book': 1999, 'sku-mug': 1250, 'sku-shirt': 2400, 'sku-poster': 800 };
const ORDER_COLUMNS = 'id, sku, quantity, amount_cents, status, payment_id, created_at';
const CHECKOUT_COUNTER = 'demo:checkouts';
const ORDER_CACHE_TTL_S = 300;

/** Parses an order id path segment: a positive bigint as a string, else a 400. */
function parseOrderId(raw) {
  if (!/^[1-9]\d{0,17}$/.test(raw))
    throw new HttpError(400, `order id must be a positive integer, got ${JSON.stringify(raw)}`);
  return raw;
}

function parseCheckout(body) {
  const sku = body?.sku;
  const quantity = body?.quantity;
  if (typeof sku !== 'string' || !(sku in PRICES)) {
    throw new HttpError(400, `unknown sku ${JSON.stringify(sku)}; known: ${Object.keys(PRICES).join(', ')}`);
  }
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 100) {
    throw new HttpError(400, `quantity must be an integer from 1 to 100, got ${JSON.stringify(quantity)}`);
  }
  return { sku, quantity };
}

/** Unit price, read through a short-lived Redis cache the way a real shop caches its price list. */
async function unitPrice(sku) {
  const key = `demo:price:${sku}`;
  const cached = await redis.get(key);
  if (cached !== null) return Number(cached);
  const price = PRICES[sku];
  await redis.set(key, String(price), 60);
  return price;
}

async function chargePayment(orderId, amountCents, simulate) {
  return callJson(`${paymentsUrl}/payments`, {
    method: 'POST',
    body: { orderId, amountCents, ...(simulate ? { simulate } : {}) },
    timeoutMs: 5000,
    upstream: 'payments',
  });
}

const app = express();
app.disable('x-powered-by');
app.use(requestLogger(logger));
app.use(express.json({ limit: '16kb' }));

app.get('/healthz', (_req, res) => {
  // Liveness only: the service is up even while a database is down (those routes answer 503).
  res.json({ status: 'ok', service: 'orders', postgres: postgres.state(), redis: redis.state() });
});

app.post('/orders', async (req, res) => {
  const { sku, quantity } = parseCheckout(req.body);
  await postgres.requireReady();
  redis.requireReady();

  const amountCents = (await unitPrice(sku)) * quantity;
  const inserted = await postgres.query(
    'INSERT INTO demo_orders (sku, quantity, amount_cents, status) VALUES ($1, $2, $3, $4) RETURNING id',
    [sku, quantity, amountCents, 'pending'],
  );
  const orderId = inserted.rows[0].id;

  const markFailed = () =>
    postgres.query('UPDATE demo_orders SET status = $1 WHERE id = $2', ['payment_failed', orderId]);
  let payment;
  try {
    payment = await chargePayment(orderId, amountCents);
  } catch (err) {
    // payments unreachable or too slow: the order must not stay 'pending' forever.
    await markFailed();
    throw new HttpError(err.status ?? 502, `payment for order ${orderId} failed: ${err.message}`);
  }
  if (payment.status !== 201) {
    await markFailed();
    throw new HttpError(
      502,
      `payment for order ${orderId} failed (payments answered ${payment.status})`,
      payment.body,
    );
  }
  await postgres.query('UPDATE demo_orders SET status = $1, payment_id = $2 WHERE id = $3', [
    'paid',
    payment.body.paymentId,
    orderId,
  ]);
  const { rows } = await postgres.query(`SELECT ${ORDER_COLUMNS} FROM demo_orders WHERE id = $1`, [orderId]);
  const order = rows[0];
  await redis.set(`demo:order:${orderId}`, JSON.stringify(order), ORDER_CACHE_TTL_S);
  const checkouts = await redis.incr(CHECKOUT_COUNTER);
  logger.info(
    { orderId, sku, quantity, amountCents, paymentId: payment.body.paymentId },
    `order ${orderId} paid`,
  );
  res.status(201).json({ order, checkouts });
});

app.get('/orders/:id', async (req, res) => {
  const id = parseOrderId(req.params.id);
  const key = `demo:order:${id}`;
  // The cache is an optimisation: with Redis down we still answer from Postgres.
  if (redis.isReady()) {
    const cached = await redis.get(key).catch(() => null);
    if (cached !== null) {
      res.json({ order: JSON.parse(cached), cache: 'hit' });
      return;
    }
  }
  await postgres.requireReady();
  const { rows } = await postgres.query(`SELECT ${ORDER_COLUMNS} FROM demo_orders WHERE id = $1`, [id]);
  if (rows.length === 0) throw new HttpError(404, `order ${id} not found`);
  if (redis.isReady())
    await redis.set(key, JSON.stringify(rows[0]), ORDER_CACHE_TTL_S).catch(() => undefined);
  res.json({ order: rows[0], cache: 'miss' });
});

// Stands in for a slow dependency (a report query, a cold cache): waits the requested time.
app.get('/slow', async (req, res) => {
  const parsed = parseSlowMs(req.query.ms);
  if (parsed.error) throw new HttpError(400, parsed.error);
  const ms = parsed.ms ?? 500;
  await sleep(ms);
  res.json({ sleptMs: ms, ...(parsed.capped ? { capped: true } : {}) });
});

// A charge the payment provider rejects with a 5xx; orders answers 502 like any failed upstream.
app.get('/fail', async (_req, res) => {
  const payment = await chargePayment(0, 100, 'provider-error');
  if (payment.status === 201) {
    res.status(500).json({ error: 'payments accepted a charge that was meant to fail' });
    return;
  }
  throw new HttpError(502, `payment provider failed (payments answered ${payment.status})`, payment.body);
});

// A programming error: an exception escapes the handler and express' error handler turns it into a 500.
app.get('/throw', async () => {
  const inventory = undefined;
  return inventory.reserve('sku-book');
});

app.use(notFound);
app.use(errorHandler(logger));

const server = createServer(app);
onShutdown({
  server,
  logger,
  name: 'orders',
  cleanups: [() => postgres.close(), () => redis.close()],
});
postgres.start();
await listen(server, port, logger, 'orders');
