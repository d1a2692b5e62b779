'use strict';
// The memory benchmark's small express app (issue 14, "RSS after 10k requests"): one route, one
// Postgres query, a JSON answer.
const express = require('express');
const pg = require('pg');

const started = performance.now();
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 8,
});
const app = express();
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
