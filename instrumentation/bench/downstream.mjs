// The uninstrumented service the app calls: a fixed small JSON payload, like the baseline's back end.
import http from 'node:http';

const payload = JSON.stringify({
  items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `item-${i}` })),
});
const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(payload);
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
