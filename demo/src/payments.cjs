'use strict';
// payments: charges orders through an external payment provider (CommonJS + express 5, the shape of
// an older service). The provider is a third party we do not instrument, so it shows up in the service
// graph only as the address payments calls.
const { createServer } = require('node:http');
const { randomUUID } = require('node:crypto');
const express = require('express');
const pino = require('pino');
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
} = require('./lib/service.cjs');

const logger = pino({ name: 'payments', level: process.env.LOG_LEVEL || 'info' });
const port = envPort('PORT', 3002, logger);
const externalUrl = envHttpUrl('EXTERNAL_URL', 'http://127.0.0.1:3003', logger);

const app = express();
app.disable('x-powered-by');
app.use(requestLogger(logger));
app.use(express.json({ limit: '16kb' }));

app.get('/healthz', (_req, res) => {
  res.json({ status: 'ok', service: 'payments' });
});

app.post('/payments', async (req, res) => {
  const { orderId, amountCents, simulate } = req.body ?? {};
  if (!Number.isInteger(amountCents) || amountCents <= 0) {
    throw new HttpError(400, `amountCents must be a positive integer, got ${JSON.stringify(amountCents)}`);
  }
  const paymentId = `pay_${randomUUID()}`;
  const charge = await callJson(`${externalUrl}/v1/charges`, {
    method: 'POST',
    body: { amount: amountCents, currency: 'eur', reference: paymentId, ...(simulate ? { simulate } : {}) },
    timeoutMs: 3000,
    upstream: 'payment provider',
  });
  if (charge.status !== 201) {
    // The provider's failure is our 500: the charge did not happen and the caller cannot fix that.
    const err = new HttpError(
      500,
      `payment provider answered ${charge.status} for order ${orderId}`,
      charge.body,
    );
    throw err;
  }
  logger.info({ orderId, paymentId, chargeId: charge.body.id, amountCents }, `order ${orderId} charged`);
  res.status(201).json({ paymentId, chargeId: charge.body.id, status: 'captured' });
});

app.use(notFound);
app.use(errorHandler(logger));

const server = createServer(app);
onShutdown({ server, logger, name: 'payments' });
void listen(server, port, logger, 'payments');
