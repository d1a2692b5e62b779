// A local OTLP/HTTP sink: answers 200 to /v1/{traces,metrics,logs} and counts requests and bytes.
// It does not decode, so it takes as little CPU as possible from the measured processes.
import http from 'node:http';

const counts = { requests: 0, bytes: 0 };
const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on('data', (d) => (bytes += d.length));
  req.on('end', () => {
    if (req.url === '/stats') {
      res.end(JSON.stringify(counts));
      return;
    }
    counts.requests++;
    counts.bytes += bytes;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
