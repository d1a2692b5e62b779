import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
} from '@opentelemetry/api';
import { readConfig } from '../../src/config/config.ts';
import { buildPropagator } from '../../src/tracing/propagators.ts';

const spanContext = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
};

function inject(propagators: string): Record<string, string> {
  const propagator = buildPropagator(readConfig({ OTEL_PROPAGATORS: propagators }).propagators);
  const carrier: Record<string, string> = {};
  propagator?.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext), carrier, defaultTextMapSetter);
  return carrier;
}

test('OTEL_PROPAGATORS=b3 and b3multi propagate through the official B3 propagator, both ways', () => {
  assert.deepEqual(inject('b3'), { b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1' });
  const multi = inject('b3multi');
  assert.equal(multi['x-b3-traceid'], spanContext.traceId);
  assert.equal(multi['x-b3-spanid'], spanContext.spanId);
  assert.equal(multi['x-b3-sampled'], '1');
  const both = inject('tracecontext,b3');
  assert.ok(both.traceparent && both.b3, JSON.stringify(both));
  // Incoming B3 headers continue the caller's trace.
  const propagator = buildPropagator(readConfig({ OTEL_PROPAGATORS: 'b3' }).propagators)!;
  const extracted = propagator.extract(context.active(), multi, defaultTextMapGetter);
  assert.equal(trace.getSpanContext(extracted)?.traceId, spanContext.traceId);
});

test('unknown propagators keep the W3C default; none means none', () => {
  assert.ok(inject('jaeger').traceparent);
  assert.ok(inject('b4').traceparent);
  assert.deepEqual(inject('none'), {});
});
