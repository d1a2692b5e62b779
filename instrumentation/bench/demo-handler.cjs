'use strict';
// The benchmarks' service, shaped like the demo's orders handler: HTTP in, one Postgres query, one
// outbound HTTP call, JSON out. The app files pass http and pg in, so each chooses how they are loaded
// (require or import) — that is what a preload hooks, and stock OTel only traces the server side of
// `node:http` when it was required.
module.exports = function serve({ http, pg, onOrder = () => {} }) {
  const started = performance.now();
  const downstream = process.env.DOWNSTREAM_URL;
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    max: 8,
  });
  const server = http.createServer(async (req, res) => {
    try {
      const { rows } = await pool.query('SELECT $1::int + 1 AS next', [req.url?.length ?? 0]);
      const upstream = await fetch(`${downstream}/work`);
      const body = await upstream.json();
      const result = { next: rows[0].next, items: body.items.length };
      onOrder(result);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
    } catch (error) {
      res.writeHead(500);
      res.end(String(error));
    }
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    console.log(JSON.stringify({ port: server.address().port, listenMs: performance.now() - started }));
  });
};
