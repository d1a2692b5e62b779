import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  DataPointType,
  type HistogramMetricData,
  type MetricData,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { convertPromMetric, type PromMetric } from '../../src/metrics/prom-client-bridge.ts';
import { PromClientMetricProducer, type PromRegistryLike } from '../../src/metrics/prom-client-producer.ts';

const T0: [number, number] = [1, 0];
const T1: [number, number] = [2, 0];

async function convert(registry: client.Registry): Promise<Map<string, MetricData>> {
  const out = new Map<string, MetricData>();
  for (const metric of (await registry.getMetricsAsJSON()) as unknown as PromMetric[]) {
    for (const data of convertPromMetric(metric, T0, T1)) out.set(data.descriptor.name, data);
  }
  return out;
}

test('counter → monotonic cumulative sum, name and labels kept, no unit (Mimir keeps the name)', async () => {
  const registry = new client.Registry();
  const c = new client.Counter({
    name: 'orders_total',
    help: 'h',
    labelNames: ['status'],
    registers: [registry],
  });
  c.inc({ status: 'ok' }, 3);
  c.inc({ status: 'failed' });
  const m = (await convert(registry)).get('orders_total') as SumMetricData;
  assert.equal(m.dataPointType, DataPointType.SUM);
  assert.equal(m.isMonotonic, true);
  assert.equal(m.descriptor.unit, '');
  assert.deepEqual(
    m.dataPoints.map((p) => [p.attributes, p.value]),
    [
      [{ status: 'ok' }, 3],
      [{ status: 'failed' }, 1],
    ],
  );
  assert.deepEqual(m.dataPoints[0]!.startTime, T0);
});

test('histogram → explicit buckets: bounds kept, cumulative counts turned into per-bucket counts, +Inf last', async () => {
  const registry = new client.Registry();
  const h = new client.Histogram({
    name: 'job_seconds',
    help: 'h',
    labelNames: ['kind'],
    buckets: [0.1, 0.5, 1],
    registers: [registry],
  });
  for (const v of [0.05, 0.7, 3, 0.3]) h.observe({ kind: 'a' }, v);
  h.observe({ kind: 'b' }, 0.2);
  const m = (await convert(registry)).get('job_seconds') as HistogramMetricData;
  assert.equal(m.dataPointType, DataPointType.HISTOGRAM);
  const a = m.dataPoints.find((p) => p.attributes.kind === 'a')!;
  assert.deepEqual(a.value.buckets, { boundaries: [0.1, 0.5, 1], counts: [1, 1, 1, 1] });
  assert.equal(a.value.count, 4);
  assert.ok(Math.abs(a.value.sum! - 4.05) < 1e-9);
  assert.equal(a.attributes.le, undefined);
  const b = m.dataPoints.find((p) => p.attributes.kind === 'b')!;
  assert.deepEqual(b.value.buckets.counts, [0, 1, 0, 0]);
});

test('gauge → gauge; summary → quantile gauge plus _sum and _count gauges', async () => {
  const registry = new client.Registry();
  new client.Gauge({ name: 'queue_depth', help: 'h', registers: [registry] }).set(7);
  const s = new client.Summary({
    name: 'latency_seconds',
    help: 'h',
    percentiles: [0.5, 0.9],
    registers: [registry],
  });
  s.observe(1);
  s.observe(3);
  const all = await convert(registry);
  assert.equal(all.get('queue_depth')!.dataPointType, DataPointType.GAUGE);
  const q = all.get('latency_seconds')!;
  assert.equal(q.dataPointType, DataPointType.GAUGE);
  assert.deepEqual(
    q.dataPoints.map((p) => p.attributes.quantile),
    ['0.5', '0.9'],
  );
  assert.equal(all.get('latency_seconds_count')!.dataPoints[0]!.value, 2);
  assert.equal(all.get('latency_seconds_sum')!.dataPoints[0]!.value, 4);
});

test('producer: the app registry wins, the kit runtime registry does not count a name twice', async () => {
  const app = new client.Registry();
  const kit = new client.Registry();
  client.collectDefaultMetrics({ register: kit });
  client.collectDefaultMetrics({ register: app });
  new client.Counter({ name: 'app_only_total', help: 'h', registers: [app] }).inc();
  const producer = new PromClientMetricProducer(resourceFromAttributes({ 'service.name': 's' }), () => {});
  producer.setKitRegistry(kit);
  producer.addAppRegistry(app);
  producer.addAppRegistry(app);
  const { resourceMetrics, errors } = await producer.collect();
  assert.deepEqual(errors, []);
  const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
  assert.equal(names.filter((n) => n === 'process_cpu_seconds_total').length, 1);
  assert.ok(names.includes('app_only_total'));
  assert.equal(new Set(names).size, names.length, 'no duplicate names');
});

test('producer: a registry whose collect throws costs its own metrics only, and is reported', async () => {
  const good = new client.Registry();
  new client.Gauge({ name: 'fine', help: 'h', registers: [good] }).set(1);
  const broken: PromRegistryLike = { getMetricsAsJSON: () => Promise.reject(new Error('collect exploded')) };
  const reported: unknown[] = [];
  const producer = new PromClientMetricProducer(resourceFromAttributes({}), (e) => reported.push(e));
  producer.addAppRegistry(broken);
  producer.addAppRegistry(good);
  const { resourceMetrics, errors } = await producer.collect();
  assert.equal(errors.length, 1);
  assert.equal(reported.length, 1);
  assert.deepEqual(
    resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)),
    ['fine'],
  );
});

test('producer: histograms read from their own state give exactly what getMetricsAsJSON gives', async () => {
  const registry = new client.Registry();
  const h = new client.Histogram({
    name: 'req_seconds',
    help: 'h',
    labelNames: ['route'],
    buckets: [0.1, 0.5, 1],
    registers: [registry],
  });
  for (const [route, v] of [
    ['/a', 0.05],
    ['/a', 7],
    ['/b', 0.5],
    ['/b', 0.7],
    ['/a', 1],
  ] as const)
    h.observe({ route }, v);
  new client.Histogram({ name: 'empty_seconds', help: 'h', registers: [registry] });
  const producer = new PromClientMetricProducer(resourceFromAttributes({}), () => {}, T0);
  producer.addAppRegistry(registry);
  const direct = (await producer.collect()).resourceMetrics.scopeMetrics[0]!.metrics;
  const viaJson = (await registry.getMetricsAsJSON()).flatMap((m) =>
    convertPromMetric(m as unknown as PromMetric, T0, direct[0]!.dataPoints[0]!.endTime),
  );
  assert.deepEqual(direct, viaJson);
  const a = (direct[0] as HistogramMetricData).dataPoints.find((p) => p.attributes.route === '/a')!;
  assert.deepEqual(a.value.buckets, { boundaries: [0.1, 0.5, 1], counts: [1, 0, 1, 1] });
});

test('producer: a registry with default labels keeps them on every series', async () => {
  const registry = new client.Registry();
  registry.setDefaultLabels({ region: 'eu' });
  new client.Counter({ name: 'c_total', help: 'h', registers: [registry] }).inc();
  new client.Histogram({ name: 'd_seconds', help: 'h', buckets: [1], registers: [registry] }).observe(0.5);
  const producer = new PromClientMetricProducer(resourceFromAttributes({}), () => {});
  producer.addAppRegistry(registry);
  const metrics = (await producer.collect()).resourceMetrics.scopeMetrics[0]!.metrics;
  for (const m of metrics)
    for (const p of m.dataPoints) assert.equal(p.attributes.region, 'eu', m.descriptor.name);
});
