import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { fromWireSpans, toWireSpans } from '../../src/tracing/span-wire.ts';

async function recordSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'orders', 'service.instance.id': 'i-1' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('scope-a', '1.2.3');
  const linked = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.SAMPLED,
    traceState: new TraceState('vendor=x'),
    isRemote: true,
  };
  const root = tracer.startSpan('GET /orders', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/orders', 'http.response.status_code': 500 },
  });
  root.addEvent('exception', { 'exception.message': 'boom' });
  root.addLink({ context: linked, attributes: { reason: 'batch' } });
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  const ctx = api.trace.setSpan(api.context.active(), root);
  const child = provider
    .getTracer('scope-b')
    .startSpan(
      'SELECT',
      { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', ids: [1, 2, 3] } },
      ctx,
    );
  child.end();
  root.end();
  await provider.forceFlush();
  return exporter.getFinishedSpans();
}

test('spans sent to the export worker (structured clone) serialise to the same OTLP request as the originals', async () => {
  const spans = await recordSpans();
  assert.equal(spans.length, 2);
  const copy = fromWireSpans(structuredClone(toWireSpans(spans)));
  assert.deepEqual(
    Buffer.from(ProtobufTraceSerializer.serializeRequest(copy)!),
    Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
  );
  assert.equal(
    new TextDecoder().decode(JsonTraceSerializer.serializeRequest(copy)),
    new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)),
  );
  assert.equal(copy[1]!.links[0]!.context.traceState?.get('vendor'), 'x');
});

test('a batch naming a resource it does not carry is refused with a clear error', async () => {
  const wire = toWireSpans(await recordSpans());
  wire.resources = [];
  assert.throws(() => fromWireSpans(wire), /names resource 0, which the batch does not carry/);
});
