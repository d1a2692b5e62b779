// external: a stand-in for a third-party payment provider. Plain node:http and started WITHOUT the
// preload — it is somebody else's system, so traces only see payments' CLIENT span calling it.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import service from './lib/service.cjs';

const { envPort, listen, onShutdown, sleep } = service;

const logger = pino({ name: 'external', level: process.env.LOG_LEVEL || 'info' });
const port = envPort('PORT', 3003, logger);

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req) {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 16_384) throw Object.assign(new Error('body too large'), { status: 413 });
  }
  try {
    return text === '' ? {} : JSON.parse(text);
  } catch {
    throw Object.assign(new Error('body is not JSON'), { status: 400 });
  }
}

async function handle(req, res) {
  const { pathname } = new URL(req.url ?? '/', 'http://external');
  if (req.method === 'GET' && pathname === '/healthz')
    return send(res, 200, { status: 'ok', service: 'external' });
  if (req.method !== 'POST' || pathname !== '/v1/charges')
    return send(res, 404, { error: `no route for ${req.method} ${pathname}` });

  const body = await readJson(req);
  // A real provider is a network hop away: 20–80 ms.
  await sleep(20 + Math.random() * 60);
  if (body.simulate === 'provider-error')
    return send(res, 503, { error: 'card network temporarily unavailable' });
  if (!Number.isInteger(body.amount) || body.amount <= 0)
    return send(res, 400, { error: 'amount must be a positive integer' });
  return send(res, 201, {
    id: `ch_${randomUUID().replaceAll('-', '')}`,
    amount: body.amount,
    status: 'succeeded',
  });
}

const server = createServer((req, res) => {
  const started = process.hrtime.bigint();
  // Path only: a query string may carry tokens, and logs are no place for them.
  const path = (req.url ?? '/').split('?')[0];
  res.on('finish', () => {
    const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
    const level =
      path === '/healthz'
        ? 'debug'
        : res.statusCode >= 500
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : 'info';
    logger[level](
      { method: req.method, route: path, status: res.statusCode, durationMs },
      `${req.method} ${path} ${res.statusCode} ${durationMs}ms`,
    );
  });
  handle(req, res).catch((err) => {
    const status = err.status ?? 500;
    if (status >= 500) logger.error({ err }, `${req.method} ${path} failed: ${err.message}`);
    if (!res.headersSent) send(res, status, { error: err.message });
  });
});
onShutdown({ server, logger, name: 'external' });
await listen(server, port, logger, 'external');
