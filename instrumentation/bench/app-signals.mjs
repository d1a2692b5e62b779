// The all-signals benchmark's service: the same demo-shaped handler as app.mjs (HTTP in, one Postgres
// query, one outbound HTTP call, JSON out) plus what a real service adds: one pino log line and one
// prom-client counter increment per request. Identical for every variant; only the node flags differ.
import http from 'node:http';
import pg from 'pg';
import pino from 'pino';
import client from 'prom-client';

const started = performance.now();
const downstream = process.env.DOWNSTREAM_URL;
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 8,
});
// /dev/null: the benchmark measures logging work, not the disk or the parent's pipe.
const logger = pino({ name: 'bench' }, pino.destination({ dest: '/dev/null', sync: true }));
const orders = new client.Counter({ name: 'bench_orders_total', help: 'Orders', labelNames: ['status'] });

const server = http.createServer(async (req, res) => {
  try {
    const { rows } = await pool.query('SELECT $1::int + 1 AS next', [req.url?.length ?? 0]);
    const upstream = await fetch(`${downstream}/work`);
    const body = await upstream.json();
    orders.inc({ status: 'ok' });
    logger.info({ next: rows[0].next, items: body.items.length }, 'order placed');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ next: rows[0].next, items: body.items.length }));
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, listenMs: performance.now() - started }));
});
