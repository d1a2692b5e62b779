// A local OTLP/HTTP sink: answers 200 to /v1/{traces,metrics,logs} and counts requests and bytes.
// Trace bodies are only kept while a variant runs and decoded (official OTLP protos) when /stats is
// asked, so counting spans takes no CPU from the measured processes during the load.
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = require('otlp-official-protos/build/src/generated/root.js');
const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const KIND = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

const counts = { requests: 0, bytes: 0 };
let traceBodies = [];

/** Spans by kind and scope in the trace bodies received since the last call; undecodable bodies are counted. */
function spansSinceLastCall() {
  const stats = { spans: 0, byKind: {}, byScope: {}, byService: {}, undecodable: 0 };
  for (const body of traceBodies) {
    let message;
    try {
      message = TraceRequest.decode(body);
    } catch {
      stats.undecodable++;
      continue;
    }
    for (const rs of message.resourceSpans ?? []) {
      const service =
        rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '';
      for (const ss of rs.scopeSpans ?? [])
        for (const span of ss.spans ?? []) {
          stats.spans++;
          stats.byService[service] = (stats.byService[service] ?? 0) + 1;
          const kind = KIND[span.kind] ?? String(span.kind);
          stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
          const scope = ss.scope?.name ?? '';
          stats.byScope[scope] = (stats.byScope[scope] ?? 0) + 1;
        }
    }
  }
  traceBodies = [];
  return stats;
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    if (req.url === '/stats') {
      res.end(JSON.stringify({ ...counts, ...spansSinceLastCall() }));
      return;
    }
    const body = Buffer.concat(chunks);
    counts.requests++;
    counts.bytes += body.length;
    if (req.url === '/v1/traces' && !/json/.test(req.headers['content-type'] ?? '')) traceBodies.push(body);
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
