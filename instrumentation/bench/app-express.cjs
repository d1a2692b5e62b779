'use strict';
// The memory benchmark's small express app (issue 14, "RSS after 10k requests"): one route, one
// Postgres query, a JSON answer. APP_MIDDLEWARE=demo puts the demo services' two middlewares in front
// (a request logger and express.json), so the cost of express's per-middleware spans can be measured.
const express = require('express');
const pg = require('pg');

const started = performance.now();
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 8,
});
const app = express();
if (process.env.APP_MIDDLEWARE === 'demo') {
  app.use(function logRequest(req, res, next) {
    // The demo's logger times the request and builds its line when the response is done; the duration
    // is kept on the response instead of being written, so the bench measures the hooks, not a logger.
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      res.locals.durationMs = Number(process.hrtime.bigint() - started) / 1e6;
    });
    next();
  });
  app.use(express.json({ limit: '16kb' }));
}
app.get('/orders/:id', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT $1::int AS id, now() AS at', [Number(req.params.id) || 0]);
    res.json({ order: rows[0], items: [1, 2, 3] });
  } catch (error) {
    next(error);
  }
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, listenMs: performance.now() - started }));
});
