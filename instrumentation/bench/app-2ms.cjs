'use strict';
// The throughput-loss benchmark's service (issue 14): a handler that spends about 2 ms of CPU, the way
// a real page does — one Postgres query, then a JSON page rendered from its rows and RENDER_ITEMS
// records. bench/agent-speed.mjs reports the bare CPU per request it measured, so the "≈ 2 ms" is checked.
const http = require('node:http');
const pg = require('pg');

const started = performance.now();
const ITEMS = Number(process.env.RENDER_ITEMS ?? 2000);
const pool = new pg.Pool({
  connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  max: 8,
});

function renderPage(rows) {
  const items = [];
  for (let i = 0; i < ITEMS; i++) {
    const row = rows[i % rows.length];
    items.push({
      id: i,
      sku: `SKU-${row.id}-${i}`,
      title: `Item ${i} of order ${row.id}`,
      price: (i * 7.31) % 100,
      tags: ['a', 'b', String(i % 7)],
    });
  }
  return JSON.stringify({ page: 1, total: ITEMS, items });
}

const server = http.createServer(async (_req, res) => {
  try {
    const { rows } = await pool.query('SELECT generate_series(1, 20) AS id');
    const body = renderPage(rows);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  } catch (error) {
    res.writeHead(500);
    res.end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, listenMs: performance.now() - started }));
});
