// The synchronous metric collection the process.exit() hand-off relies on (src/metrics/collect-now.ts and
// PromClientMetricProducer.collectNow): it reads SDK and prom-client internals, so these tests compare it
// with the asynchronous public path and fail loudly if either library changes shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
  type MetricReader,
} from '@opentelemetry/sdk-metrics';
import { collectSdkMetricsNow } from '../../src/metrics/collect-now.ts';
import { PromClientMetricProducer } from '../../src/metrics/prom-client-producer.ts';

/** Points without their timestamps (the two collections are made at different times). */
function points(data: MetricData | undefined): unknown {
  return data?.dataPoints.map(({ attributes, value }) => ({ attributes, value }));
}

test('OTel instruments: the synchronous collection has the values the SDK would export', async () => {
  const reader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({ resource: resourceFromAttributes({}), readers: [reader] });
  const meter = provider.getMeter('jobs', '1.0.0');
  meter.createCounter('items').add(3, { kind: 'a' });
  meter.createHistogram('duration').record(0.25, { kind: 'a' });
  meter.createCounter('never_used');
  try {
    const now = collectSdkMetricsNow(reader as MetricReader);
    assert.equal(now.length, 1);
    assert.deepEqual(now[0]!.scope, { name: 'jobs', version: '1.0.0', schemaUrl: undefined });
    const byName = new Map(now[0]!.metrics.map((m) => [m.descriptor.name, m]));
    assert.deepEqual(
      [...byName.keys()].sort(),
      ['duration', 'items'],
      'an instrument with no data is left out',
    );
    assert.deepEqual(points(byName.get('items')), [{ attributes: { kind: 'a' }, value: 3 }]);
    // Cumulative: a later public collection still has the same totals.
    meter.createCounter('items').add(2, { kind: 'a' });
    const { resourceMetrics } = await reader.collect();
    const items = resourceMetrics.scopeMetrics[0]!.metrics.find((m) => m.descriptor.name === 'items');
    assert.deepEqual(points(items), [{ attributes: { kind: 'a' }, value: 5 }]);
  } finally {
    await provider.shutdown();
  }
});

test('a reader whose SDK internals changed shape is refused with a clear error, not read wrong', () => {
  const stranger = {} as MetricReader;
  assert.throws(() => collectSdkMetricsNow(stranger), /@opentelemetry\/sdk-metrics changed shape/);
});

test('prom-client registries: the synchronous collection equals the asynchronous one', async () => {
  const registry = new client.Registry();
  const counter = new client.Counter({
    name: 'jobs_total',
    help: 'h',
    labelNames: ['kind'],
    registers: [registry],
  });
  const gauge = new client.Gauge({
    name: 'queue_depth',
    help: 'h',
    registers: [registry],
    collect() {
      this.set(42);
    },
  });
  const histogram = new client.Histogram({
    name: 'job_seconds',
    help: 'h',
    buckets: [0.1, 1],
    registers: [registry],
  });
  counter.inc({ kind: 'x' }, 7);
  histogram.observe(0.5);
  void gauge;
  const producer = new PromClientMetricProducer(resourceFromAttributes({}), (e) => assert.fail(String(e)));
  producer.addAppRegistry(registry);
  const now = new Map(producer.collectNow().map((m) => [m.descriptor.name, m]));
  const later = await producer.collect();
  const async = new Map(later.resourceMetrics.scopeMetrics[0]!.metrics.map((m) => [m.descriptor.name, m]));
  assert.deepEqual([...now.keys()].sort(), ['job_seconds', 'jobs_total', 'queue_depth']);
  for (const name of now.keys()) {
    const strip = (m: MetricData | undefined) =>
      m && { ...m, dataPoints: m.dataPoints.map(({ attributes, value }) => ({ attributes, value })) };
    assert.deepEqual(strip(now.get(name)), strip(async.get(name)), name);
  }
  assert.deepEqual(
    points(now.get('queue_depth')),
    [{ attributes: {}, value: 42 }],
    'the collect() callback ran',
  );
});
