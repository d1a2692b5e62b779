import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { DataPointType, type ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { MetricWireDecoder, MetricWireEncoder } from '../../src/metrics/metric-wire.ts';
import { PromClientMetricProducer } from '../../src/metrics/prom-client-producer.ts';

/** What a postMessage does to the message between the threads. */
function handOver(encoder: MetricWireEncoder, decoder: MetricWireDecoder, scopes: ScopeMetrics[]) {
  const wire = structuredClone(encoder.encode(scopes));
  return { wire, decoded: decoder.decode(wire) };
}

async function collect(producer: PromClientMetricProducer): Promise<ScopeMetrics[]> {
  return (await producer.collect()).resourceMetrics.scopeMetrics;
}

function setup() {
  const registry = new client.Registry();
  const counter = new client.Counter({ name: 'orders_total', help: 'orders', labelNames: ['status'], registers: [registry] });
  const gauge = new client.Gauge({ name: 'queue_depth', help: 'depth', labelNames: ['queue'], registers: [registry] });
  const histogram = new client.Histogram({
    name: 'job_seconds',
    help: 'jobs',
    labelNames: ['kind'],
    buckets: [0.1, 0.5, 1],
    registers: [registry],
  });
  const summary = new client.Summary({ name: 'latency_seconds', help: 'lat', percentiles: [0.5, 0.9], registers: [registry] });
  const producer = new PromClientMetricProducer(resourceFromAttributes({ 'service.name': 's' }), () => {});
  producer.addAppRegistry(registry);
  return { registry, counter, gauge, histogram, summary, producer };
}

test('wire: every metric type arrives as collected (names, types, attributes, values, buckets, times)', async () => {
  const { counter, gauge, histogram, summary, producer } = setup();
  counter.inc({ status: 'ok' }, 3);
  counter.inc({ status: 'failed' });
  gauge.set({ queue: 'a' }, -2.5);
  for (const v of [0.05, 0.7, 3, 0.3]) histogram.observe({ kind: 'a' }, v);
  summary.observe(1);
  summary.observe(3);
  const scopes = await collect(producer);
  const { decoded } = handOver(new MetricWireEncoder(), new MetricWireDecoder(), scopes);
  assert.deepEqual(decoded, scopes);
  const types = decoded[0]!.metrics.map((m) => [m.descriptor.name, m.dataPointType]);
  assert.deepEqual(types, [
    ['orders_total', DataPointType.SUM],
    ['queue_depth', DataPointType.GAUGE],
    ['job_seconds', DataPointType.HISTOGRAM],
    ['latency_seconds', DataPointType.GAUGE],
    ['latency_seconds_sum', DataPointType.GAUGE],
    ['latency_seconds_count', DataPointType.GAUGE],
  ]);
});

test('wire: unchanged series are sent as numbers only; new, vanished and returning series stay right', async () => {
  const { counter, gauge, producer } = setup();
  const encoder = new MetricWireEncoder();
  const decoder = new MetricWireDecoder();
  counter.inc({ status: 'ok' });
  gauge.set({ queue: 'a' }, 1);
  const first = handOver(encoder, decoder, await collect(producer));
  assert.ok(first.wire.attrs.length >= 2 && first.wire.heads.length >= 2);

  counter.inc({ status: 'ok' });
  const scopes2 = await collect(producer);
  const second = handOver(encoder, decoder, scopes2);
  assert.deepEqual(second.wire.attrs, [], 'same series: no attribute set sent again');
  assert.deepEqual(second.wire.heads, [], 'same metrics: no header sent again');
  assert.deepEqual(second.decoded, scopes2);

  // A new series, and one that is gone for one export and then back with the same labels object.
  counter.inc({ status: 'failed' });
  gauge.reset();
  const scopes3 = await collect(producer);
  const third = handOver(encoder, decoder, scopes3);
  assert.deepEqual(third.wire.attrs.map(([, a]) => a), [{ status: 'failed' }]);
  assert.deepEqual(third.decoded, scopes3);
  const labels = { queue: 'b' };
  gauge.set(labels, 5);
  const scopes4 = await collect(producer);
  assert.deepEqual(handOver(encoder, decoder, scopes4).decoded, scopes4);
  gauge.reset();
  const scopes5 = await collect(producer);
  assert.deepEqual(handOver(encoder, decoder, scopes5).decoded, scopes5);
  gauge.set(labels, 6);
  const scopes6 = await collect(producer);
  assert.deepEqual(handOver(encoder, decoder, scopes6).decoded, scopes6);
});

test('wire: a lost message makes the decoder fail clearly, and a reset encoder recovers', async () => {
  const { counter, producer } = setup();
  const encoder = new MetricWireEncoder();
  const decoder = new MetricWireDecoder();
  counter.inc({ status: 'ok' });
  encoder.encode(await collect(producer)); // never reaches the worker
  const scopes = await collect(producer);
  assert.throws(() => decoder.decode(structuredClone(encoder.encode(scopes))), /metric wire: unknown/);
  encoder.reset();
  assert.deepEqual(handOver(encoder, decoder, scopes).decoded, scopes);
});

test('wire: histogram optional fields (min, max, no sum) survive; exponential histograms pass as objects', () => {
  const scope = { name: 'sdk', version: '1' };
  const attributes = { 'http.route': '/a' };
  const t: [number, number] = [1, 2];
  const scopes: ScopeMetrics[] = [
    {
      scope,
      metrics: [
        {
          descriptor: { name: 'd', description: '', unit: 's', valueType: 1 },
          aggregationTemporality: 1,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: [
            { startTime: t, endTime: t, attributes, value: { buckets: { boundaries: [1], counts: [1, 0] }, count: 1, min: 0.5, max: 0.5 } },
          ],
        },
        {
          descriptor: { name: 'e', description: '', unit: 's', valueType: 1 },
          aggregationTemporality: 1,
          dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
          dataPoints: [
            {
              startTime: t,
              endTime: t,
              attributes,
              value: { count: 1, sum: 1, scale: 0, zeroCount: 0, positive: { offset: 0, bucketCounts: [1] }, negative: { offset: 0, bucketCounts: [] } },
            },
          ],
        },
      ],
    },
  ];
  assert.deepEqual(handOver(new MetricWireEncoder(), new MetricWireDecoder(), scopes).decoded, scopes);
});
