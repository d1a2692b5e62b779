// gateway: the public edge of the demo shop (ESM + express 5). Every /api route calls the orders
// service with global fetch, so the trace continues gateway → orders → payments → external.
import { createServer } from 'node:http';
import express from 'express';
import pino from 'pino';
import service from './lib/service.cjs';
import { parseSlowMs, pickSlowMs } from './lib/slow.js';

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
} = service;

const logger = pino({ name: 'gateway', level: process.env.LOG_LEVEL || 'info' });
const port = envPort('PORT', 3000, logger);
const ordersUrl = envHttpUrl('ORDERS_URL', 'http://127.0.0.1:3001', logger);

const CATALOG = ['sku-book', 'sku-mug', 'sku-shirt', 'sku-poster'];

/** Answers with what orders answered: its status (4xx stays 4xx, 5xx stays 5xx) and its JSON body. */
function relay(res, upstream) {
  res.status(upstream.status).json(upstream.body);
}

const app = express();
app.disable('x-powered-by');
app.use(requestLogger(logger));

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok', service: 'gateway' });
});

app.get('/api/checkout', async (req, res) => {
  const sku =
    typeof req.query.sku === 'string' ? req.query.sku : CATALOG[Math.floor(Math.random() * CATALOG.length)];
  if (req.query.qty !== undefined && !/^\d{1,6}$/.test(String(req.query.qty))) {
    throw new HttpError(400, `qty must be a whole number, got ${JSON.stringify(req.query.qty)}`);
  }
  const quantity = req.query.qty === undefined ? 1 + Math.floor(Math.random() * 3) : Number(req.query.qty);
  relay(
    res,
    await callJson(`${ordersUrl}/orders`, {
      method: 'POST',
      body: { sku, quantity },
      timeoutMs: 10_000,
      upstream: 'orders',
    }),
  );
});

app.get('/api/orders/:id', async (req, res) => {
  relay(
    res,
    await callJson(`${ordersUrl}/orders/${encodeURIComponent(req.params.id)}`, { upstream: 'orders' }),
  );
});

app.get('/api/slow', async (req, res) => {
  const parsed = parseSlowMs(req.query.ms);
  if (parsed.error) throw new HttpError(400, parsed.error);
  const ms = parsed.ms ?? pickSlowMs();
  relay(res, await callJson(`${ordersUrl}/slow?ms=${ms}`, { timeoutMs: 15_000, upstream: 'orders' }));
});

// Client errors come from orders' own validation: a malformed id (400) or an order that does not exist (404).
app.get('/api/client-error', async (req, res) => {
  const path = req.query.code === '404' ? '/orders/2147483647' : '/orders/not-a-number';
  relay(res, await callJson(`${ordersUrl}${path}`, { upstream: 'orders' }));
});

// A payment the provider rejects with a 5xx: external 503 → payments 500 → orders 502 → gateway 502.
app.get('/api/server-error', async (_req, res) => {
  relay(res, await callJson(`${ordersUrl}/fail`, { upstream: 'orders' }));
});

// A bug in orders: the handler throws, orders' error handler answers 500, the gateway passes it on.
app.get('/api/throw', async (_req, res) => {
  relay(res, await callJson(`${ordersUrl}/throw`, { upstream: 'orders' }));
});

app.use(notFound);
app.use(errorHandler(logger));

const server = createServer(app);
onShutdown({ server, logger, name: 'gateway' });
await listen(server, port, logger, 'gateway');
