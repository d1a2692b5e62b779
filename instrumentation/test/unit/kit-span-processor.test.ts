import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanKind, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { attributeKind } from '../../src/redaction/attribute-kind.ts';
import { KitSpanProcessor } from '../../src/tracing/kit-span-processor.ts';
import { RedactingSpanProcessor } from '../../src/tracing/redacting-span-processor.ts';
import { ServiceGraphHintsProcessor } from '../../src/tracing/service-graph-hints-processor.ts';
import { ActiveRequestsProcessor } from '../../src/active-requests/processor.ts';

test('attribute keys are classified once by what redaction must do with them', () => {
  const expected: Record<string, string> = {
    'url.full': 'url',
    'url.path': 'url',
    'http.target': 'url',
    'db.connection_string': 'url',
    'graphql.source.url': 'url',
    'messaging.callback_url': 'url',
    'rpc.endpoint.uri': 'url',
    'url.query': 'query',
    'db.query.text': 'sql',
    'db.statement': 'sql',
    'http.request.header.authorization': 'secret',
    'http.response.header.set_cookie': 'secret',
    // Keys that start like a header attribute but are not one, and ordinary keys: nothing to do.
    'http.request.method': 'plain',
    'http.response.status_code': 'plain',
    'http.request.header.user-agent': 'plain',
    'server.address': 'plain',
    'db.system.name': 'plain',
  };
  for (const [key, kind] of Object.entries(expected)) {
    assert.equal(attributeKind(key), kind, key);
    assert.equal(attributeKind(key), kind, `${key}, asked again (remembered)`);
  }
});

test('an app minting a new attribute key per span still gets every key classified', () => {
  for (let i = 0; i < 5000; i++) {
    assert.equal(attributeKind(`app.field_${i}`), 'plain');
    assert.equal(attributeKind(`app.link_${i}.url`), 'url');
  }
});

function kitProvider(activeRequests?: ActiveRequestsProcessor) {
  const exporter = new InMemorySpanExporter();
  const kit = new KitSpanProcessor(
    [
      new ServiceGraphHintsProcessor({ dbPeerService: true, rootPeerService: 'user' }),
      new RedactingSpanProcessor({ sensitiveQueryParams: ['token'], dbStatement: 'sanitized' }),
    ],
    activeRequests,
  );
  const provider = new TracerProvider({ spanProcessors: [kit, new SimpleSpanProcessor({ exporter })] });
  return { exporter, provider, tracer: provider.getTracer('t') };
}

test('one kit processor adds the service-graph hints, redacts, and tracks the in-flight requests', async () => {
  const activeRequests = new ActiveRequestsProcessor({
    config: { enabled: true, thresholdsMs: [1000, 3000, 5000], stuckRequestMs: 0, maxTracked: 10 },
    warner: { warn: () => {} },
  });
  const { exporter, provider, tracer } = kitProvider(activeRequests);
  const server = tracer.startSpan(
    'GET',
    {
      kind: SpanKind.SERVER,
      attributes: { 'url.path': '/p', 'url.query': 'token=S1&page=2', 'http.request.header.cookie': 'S2' },
    },
    ROOT_CONTEXT,
  );
  assert.equal(activeRequests.tracker.size, 1, 'the SERVER span is in flight');
  const db = tracer.startSpan(
    'SELECT',
    { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': "SELECT 'S3'" } },
    trace.setSpan(context.active(), server),
  );
  assert.equal(activeRequests.tracker.size, 1, 'CLIENT spans are not requests');
  db.end();
  server.end();
  assert.equal(activeRequests.tracker.size, 0, 'an ended request is no longer in flight');

  const spans = Object.fromEntries(exporter.getFinishedSpans().map((s) => [s.name, s.attributes]));
  assert.deepEqual(spans.GET, {
    'url.path': '/p',
    'url.query': 'token=REDACTED&page=2',
    'peer.service': 'user',
  });
  assert.deepEqual(spans.SELECT, {
    'db.system.name': 'postgresql',
    'db.query.text': 'SELECT ?',
    'peer.service': 'postgresql',
  });
  await provider.shutdown();
});

test('a peer.service the app set is kept, on a root SERVER span too', async () => {
  const { exporter, provider, tracer } = kitProvider();
  const span = tracer.startSpan(
    'GET',
    { kind: SpanKind.SERVER, attributes: { 'peer.service': 'gateway' } },
    ROOT_CONTEXT,
  );
  span.end();
  const [finished] = exporter.getFinishedSpans();
  assert.equal(finished!.attributes['peer.service'], 'gateway');
  await provider.shutdown();
});

test('shutting the kit processor down stops the active-request timer', async () => {
  const activeRequests = new ActiveRequestsProcessor({
    config: { enabled: true, thresholdsMs: [1000, 3000, 5000], stuckRequestMs: 200, maxTracked: 10 },
    warner: { warn: () => {} },
  });
  let stopped = false;
  const original = activeRequests.shutdown.bind(activeRequests);
  activeRequests.shutdown = () => ((stopped = true), original());
  const { provider } = kitProvider(activeRequests);
  await provider.shutdown();
  assert.ok(stopped);
});
