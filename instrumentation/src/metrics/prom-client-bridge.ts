import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type Histogram,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/**
 * prom-client → OTel metric data, as pure functions over `registry.getMetricsAsJSON()` output.
 *
 * Names are kept byte-for-byte and the unit is left empty, so that Mimir's OTLP translation with
 * `otel_metric_suffixes_enabled: true` gives back exactly the name prom-client would expose
 * (it only appends `_total` to monotonic sums that lack it, and a unit suffix we never declare).
 *
 * | prom-client | OTel                                  | series in Mimir                           |
 * |-------------|---------------------------------------|-------------------------------------------|
 * | counter     | monotonic cumulative Sum              | `name` (`_total` appended if missing)      |
 * | gauge       | Gauge                                 | `name`                                    |
 * | histogram   | cumulative explicit-bucket Histogram  | `name_bucket{le}`, `name_sum`, `name_count` |
 * | summary     | Gauges `name{quantile}`, `name_sum`, `name_count` (OTLP has no cumulative summary in the JS SDK) |
 */
export interface PromValue {
  value: number;
  labels: Partial<Record<string, string | number>>;
  metricName?: string;
}

export interface PromMetric {
  name: string;
  help: string;
  /** 'counter' | 'gauge' | 'histogram' | 'summary' (an enum in prom-client's typings). */
  type: unknown;
  values: PromValue[];
}

/**
 * prom-client hands out the same stored `labels` object for a series at every collection (except for
 * histogram bucket lines, which are not converted through here), so the converted attributes are kept
 * per labels object: a steady set of series costs no attribute allocation per export.
 */
const attributeCache = new WeakMap<object, Attributes>();

function attributesOf(labels: Partial<Record<string, string | number>>): Attributes {
  const cached = attributeCache.get(labels);
  if (cached) return cached;
  const out: Attributes = {};
  for (const key in labels) {
    const value = labels[key];
    if (value !== undefined) out[key] = String(value);
  }
  attributeCache.set(labels, out);
  return out;
}

/** Bucket bounds are fixed per histogram: one shared array per metric instead of one per series. */
const boundaryCache = new Map<string, number[]>();

function sharedBoundaries(name: string, bounds: readonly number[]): number[] {
  const cached = boundaryCache.get(name);
  if (cached && cached.length === bounds.length && cached.every((b, i) => b === bounds[i])) return cached;
  const copy = bounds.slice();
  boundaryCache.set(name, copy);
  return copy;
}

function descriptor(name: string, help: string) {
  return { name, description: help, unit: '', valueType: ValueType.DOUBLE };
}

function points(
  values: readonly PromValue[],
  startTime: HrTime,
  endTime: HrTime,
  filter?: (v: PromValue) => boolean,
) {
  const out: DataPoint<number>[] = [];
  for (const v of values) {
    if (filter && !filter(v)) continue;
    out.push({ startTime, endTime, attributes: attributesOf(v.labels), value: v.value });
  }
  return out;
}

/**
 * prom-client lists a histogram's series one label set at a time: its buckets in ascending `le` (ending
 * with +Inf), then `_sum`, then `_count`. Walking that order avoids building a key per bucket line.
 */
function histogramPoints(metric: PromMetric, startTime: HrTime, endTime: HrTime): DataPoint<Histogram>[] {
  const out: DataPoint<Histogram>[] = [];
  const sumName = `${metric.name}_sum`;
  const countName = `${metric.name}_count`;
  const bounds: number[] = [];
  const cumulative: number[] = [];
  let sum = 0;
  let attributes: Attributes | undefined;
  for (const v of metric.values) {
    if (v.metricName === sumName) {
      sum = v.value;
      attributes = attributesOf(v.labels);
    } else if (v.metricName === countName) {
      const counts: number[] = [];
      let previous = 0;
      for (const c of cumulative) {
        counts.push(c - previous);
        previous = c;
      }
      // The +Inf bucket was not kept as a boundary; its width is what the finite ones do not cover.
      counts.push(Math.max(0, v.value - previous));
      out.push({
        startTime,
        endTime,
        attributes: attributes ?? attributesOf(v.labels),
        value: {
          buckets: { boundaries: sharedBoundaries(metric.name, bounds), counts },
          sum,
          count: v.value,
        },
      });
      bounds.length = 0;
      cumulative.length = 0;
      sum = 0;
      attributes = undefined;
    } else {
      const le = v.labels.le;
      if (le === '+Inf' || le === undefined) continue;
      bounds.push(Number(le));
      cumulative.push(v.value);
    }
  }
  return out;
}

/**
 * A prom-client histogram's own state (`hashMap`, `upperBounds`: stable in prom-client 13–15), read
 * directly because `get()` builds one object and one labels object per bucket line per series, which is
 * most of what a collection allocates. Bucket values are per bucket there (not cumulative); `count`
 * includes the +Inf bucket.
 */
export interface PromHistogramState {
  name: string;
  help: string;
  upperBounds: readonly number[];
  series: ReadonlyArray<{
    labels: Partial<Record<string, string | number>>;
    bucketValues: Readonly<Record<number, number>>;
    sum: number;
    count: number;
  }>;
}

export function convertPromHistogramState(
  state: PromHistogramState,
  startTime: HrTime,
  endTime: HrTime,
): MetricData {
  const boundaries = sharedBoundaries(state.name, state.upperBounds as number[]);
  const dataPoints: DataPoint<Histogram>[] = [];
  for (const s of state.series) {
    const counts: number[] = [];
    let finite = 0;
    for (const bound of boundaries) {
      const c = s.bucketValues[bound] ?? 0;
      counts.push(c);
      finite += c;
    }
    counts.push(Math.max(0, s.count - finite));
    dataPoints.push({
      startTime,
      endTime,
      attributes: attributesOf(s.labels),
      value: { buckets: { boundaries, counts }, sum: s.sum, count: s.count },
    });
  }
  return {
    descriptor: descriptor(state.name, state.help),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
}

export function convertPromMetric(metric: PromMetric, startTime: HrTime, endTime: HrTime): MetricData[] {
  const cumulative = AggregationTemporality.CUMULATIVE;
  switch (String(metric.type)) {
    case 'counter':
      return [
        {
          descriptor: descriptor(metric.name, metric.help),
          aggregationTemporality: cumulative,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: points(metric.values, startTime, endTime),
        },
      ];
    case 'gauge':
      return [
        {
          descriptor: descriptor(metric.name, metric.help),
          aggregationTemporality: cumulative,
          dataPointType: DataPointType.GAUGE,
          dataPoints: points(metric.values, startTime, endTime),
        },
      ];
    case 'histogram':
      return [
        {
          descriptor: descriptor(metric.name, metric.help),
          aggregationTemporality: cumulative,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: histogramPoints(metric, startTime, endTime),
        },
      ];
    case 'summary': {
      const sumName = `${metric.name}_sum`;
      const countName = `${metric.name}_count`;
      const gauge = (name: string, filter: (v: PromValue) => boolean): MetricData => ({
        descriptor: descriptor(name, metric.help),
        aggregationTemporality: cumulative,
        dataPointType: DataPointType.GAUGE,
        dataPoints: points(metric.values, startTime, endTime, filter),
      });
      return [
        gauge(metric.name, (v) => v.metricName === undefined || v.metricName === metric.name),
        gauge(sumName, (v) => v.metricName === sumName),
        gauge(countName, (v) => v.metricName === countName),
      ];
    }
    default:
      return [];
  }
}
