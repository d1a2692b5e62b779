import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PromClientMetricProducer } from '../../src/metrics/prom-client-producer.ts';

// A real Prometheus 3.9.1 OTLP receiver rejected every export of the demo with
// "500 empty data points. nodejs_active_requests is dropped" and rolled back the whole request.
test('prom-client metrics without series are left out of the export, and appear once they have one', async () => {
  const registry = new client.Registry();
  const idle = new client.Gauge({
    name: 'active_requests',
    help: 'by type',
    labelNames: ['type'],
    registers: [registry],
  });
  new client.Histogram({
    name: 'job_seconds',
    help: 'jobs',
    labelNames: ['kind'],
    buckets: [1],
    registers: [registry],
  });
  new client.Counter({ name: 'orders_total', help: 'orders', labelNames: ['status'], registers: [registry] });
  const up = new client.Gauge({ name: 'up_value', help: 'always set', registers: [registry] });
  up.set(1);
  const producer = new PromClientMetricProducer(resourceFromAttributes({ 'service.name': 's' }), () => {});
  producer.addAppRegistry(registry);

  const first = (await producer.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  assert.deepEqual(
    first.map((m) => m.descriptor.name),
    ['up_value'],
  );
  for (const m of first) assert.ok(m.dataPoints.length > 0, `${m.descriptor.name} has data points`);

  idle.set({ type: 'TCPSocketWrap' }, 2);
  const second = (await producer.collect()).resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
  assert.deepEqual(second.map((m) => m.descriptor.name).sort(), ['active_requests', 'up_value']);
});
