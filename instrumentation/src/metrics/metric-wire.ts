import { type Attributes, type HrTime, type ValueType } from '@opentelemetry/api';
import {
  DataPointType,
  type AggregationTemporality,
  type DataPoint,
  type Histogram,
  type MetricData,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';

/**
 * A compact form of collected metrics for the hand-over to the export worker. Structured-cloning the
 * SDK's `ScopeMetrics` copies one object graph per data point (point, attributes, two HrTimes, bucket
 * arrays) and costs the main thread more than collecting them; here every number goes into one
 * Float64Array and what rarely changes is sent only when it does:
 *
 * - attribute sets are numbered once per attributes object (prom-client and the SDK keep the same object
 *   for a series across collections) and sent again only if the previous export did not use them: the
 *   worker keeps exactly the sets the previous export used;
 * - metric headers (scope, descriptor, point type, temporality, monotonicity) are numbered the same way.
 *
 * Exponential histograms (not produced by the kit's views) travel as plain objects in `other`.
 */
export interface WireMetrics {
  /** New attribute sets: [id, attributes]. */
  attrs: Array<[number, Attributes]>;
  /** New metric headers: [id, header]. */
  heads: Array<[number, WireHead]>;
  /** Per metric: head id, point count, then per point the fields listed in `encode`. */
  nums: Float64Array;
  /** Metrics of other point types, as collected: [scope head id, data]. */
  other: Array<[number, MetricData]>;
}

export interface WireHead {
  scope: ScopeMetrics['scope'];
  name: string;
  description: string;
  unit: string;
  valueType: ValueType;
  type: DataPointType;
  temporality: AggregationTemporality;
  monotonic: boolean;
}

interface Interned {
  id: number;
  /** Number of the last export that used it: the worker still has it if that was the previous one. */
  used: number;
}

/** Main-thread side; one per exporter (its state mirrors the worker's). */
export class MetricWireEncoder {
  #export = 0;
  #nextId = 1;
  readonly #attrIds = new WeakMap<Attributes, Interned>();
  /** The same entries by content; pruned to what the last two exports used. */
  readonly #attrKeys = new Map<string, Interned>();
  #attrsUsed = 0;
  readonly #headIds = new Map<string, Interned>();
  #buf = new Float64Array(4096);
  #n = 0;

  /** Makes the next export resend everything (the previous message may not have reached the worker). */
  reset(): void {
    this.#export += 2;
    this.#headIds.clear();
  }

  encode(scopeMetrics: readonly ScopeMetrics[]): WireMetrics {
    const exportNo = ++this.#export;
    const attrs: WireMetrics['attrs'] = [];
    const heads: WireMetrics['heads'] = [];
    const other: WireMetrics['other'] = [];
    this.#n = 0;
    this.#attrsUsed = 0;
    for (const scope of scopeMetrics) {
      for (const metric of scope.metrics) {
        const headId = this.#head(scope, metric, exportNo, heads);
        if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
          other.push([headId, metric]);
          continue;
        }
        const points = metric.dataPoints as DataPoint<number | Histogram>[];
        this.#push(headId);
        this.#push(points.length);
        for (const point of points) {
          this.#push(this.#attrs(point.attributes, exportNo, attrs));
          this.#push(point.startTime[0]);
          this.#push(point.startTime[1]);
          this.#push(point.endTime[0]);
          this.#push(point.endTime[1]);
          if (metric.dataPointType === DataPointType.HISTOGRAM) {
            const h = point.value as Histogram;
            const { boundaries, counts } = h.buckets;
            this.#push(boundaries.length);
            for (const b of boundaries) this.#push(b);
            this.#push(counts.length);
            for (const c of counts) this.#push(c);
            this.#push(h.count);
            // NaN marks an absent optional field (a real NaN sum/min/max is not meaningful in OTLP).
            this.#push(h.sum ?? NaN);
            this.#push(h.min ?? NaN);
            this.#push(h.max ?? NaN);
          } else {
            this.#push(point.value as number);
          }
        }
      }
    }
    if (this.#attrKeys.size > 2 * this.#attrsUsed + 1024) {
      for (const [key, entry] of this.#attrKeys) if (entry.used < exportNo - 1) this.#attrKeys.delete(key);
    }
    return { attrs, heads, nums: this.#buf.slice(0, this.#n), other };
  }

  #push(x: number): void {
    if (this.#n === this.#buf.length) {
      const bigger = new Float64Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    this.#buf[this.#n++] = x;
  }

  #attrs(attributes: Attributes, exportNo: number, out: WireMetrics['attrs']): number {
    let entry = this.#attrIds.get(attributes);
    if (!entry) {
      // A new object for a known set (prom-client's gauge.set() and summaries build new labels objects):
      // found by content, so the worker's copy is reused instead of sent again.
      const key = JSON.stringify(attributes);
      entry = this.#attrKeys.get(key);
      if (!entry) {
        entry = { id: this.#nextId++, used: -1 };
        this.#attrKeys.set(key, entry);
      }
      this.#attrIds.set(attributes, entry);
    }
    if (entry.used !== exportNo) {
      if (entry.used !== exportNo - 1) out.push([entry.id, attributes]);
      entry.used = exportNo;
      this.#attrsUsed++;
    }
    return entry.id;
  }

  #head(scope: ScopeMetrics, metric: MetricData, exportNo: number, out: WireMetrics['heads']): number {
    const d = metric.descriptor;
    const monotonic = metric.dataPointType === DataPointType.SUM && metric.isMonotonic;
    const s = scope.scope;
    // A key per metric and export (a few dozen strings), not per point.
    const key = `${s.name}\u0000${s.version ?? ''}\u0000${s.schemaUrl ?? ''}\u0000${d.name}\u0000${d.description}\u0000${d.unit}\u0000${d.valueType}\u0000${metric.dataPointType}\u0000${metric.aggregationTemporality}\u0000${monotonic}`;
    let entry = this.#headIds.get(key);
    if (!entry) {
      entry = { id: this.#nextId++, used: -1 };
      this.#headIds.set(key, entry);
    }
    if (entry.used !== exportNo) {
      if (entry.used !== exportNo - 1) {
        out.push([
          entry.id,
          {
            scope: s,
            name: d.name,
            description: d.description,
            unit: d.unit,
            valueType: d.valueType,
            type: metric.dataPointType,
            temporality: metric.aggregationTemporality,
            monotonic,
          },
        ]);
      }
      entry.used = exportNo;
    }
    // Headers not seen for a while are forgotten here as the worker forgets them.
    if (this.#headIds.size > 4 * 1024) {
      for (const [k, e] of this.#headIds) if (e.used < exportNo - 1) this.#headIds.delete(k);
    }
    return entry.id;
  }
}

/** Worker side: rebuilds the SDK's `ScopeMetrics` for the official OTLP serializer. */
export class MetricWireDecoder {
  #attrs = new Map<number, Attributes>();
  #heads = new Map<number, WireHead>();

  /** Throws on a message that does not match this decoder's state (it is then reset). */
  decode(wire: WireMetrics): ScopeMetrics[] {
    try {
      return this.#decode(wire);
    } catch (error) {
      this.#attrs.clear();
      this.#heads.clear();
      throw error;
    }
  }

  #decode(wire: WireMetrics): ScopeMetrics[] {
    for (const [id, a] of wire.attrs) this.#attrs.set(id, a);
    for (const [id, h] of wire.heads) this.#heads.set(id, h);
    const usedAttrs = new Map<number, Attributes>();
    const usedHeads = new Map<number, WireHead>();
    const scopes = new Map<string, ScopeMetrics>();
    const metricsOf = (head: WireHead): MetricData[] => {
      const key = `${head.scope.name}\u0000${head.scope.version ?? ''}\u0000${head.scope.schemaUrl ?? ''}`;
      let scope = scopes.get(key);
      if (!scope) {
        scope = { scope: head.scope, metrics: [] };
        scopes.set(key, scope);
      }
      return scope.metrics;
    };
    const headOf = (id: number): WireHead => {
      const head = this.#heads.get(id);
      if (!head) throw new Error(`metric wire: unknown metric header ${id}`);
      usedHeads.set(id, head);
      return head;
    };
    const nums = wire.nums;
    let i = 0;
    const next = (): number => {
      if (i >= nums.length) throw new Error('metric wire: truncated message');
      return nums[i++]!;
    };
    const time = (): HrTime => [next(), next()];
    while (i < nums.length) {
      const head = headOf(next());
      const count = next();
      const dataPoints: DataPoint<number | Histogram>[] = [];
      for (let p = 0; p < count; p++) {
        const attrId = next();
        const attributes = this.#attrs.get(attrId);
        if (!attributes) throw new Error(`metric wire: unknown attribute set ${attrId}`);
        usedAttrs.set(attrId, attributes);
        const startTime = time();
        const endTime = time();
        if (head.type === DataPointType.HISTOGRAM) {
          const boundaries: number[] = [];
          for (let b = next(); b > 0; b--) boundaries.push(next());
          const counts: number[] = [];
          for (let c = next(); c > 0; c--) counts.push(next());
          const value: Histogram = { buckets: { boundaries, counts }, count: next() };
          const sum = next();
          const min = next();
          const max = next();
          if (!Number.isNaN(sum)) value.sum = sum;
          if (!Number.isNaN(min)) value.min = min;
          if (!Number.isNaN(max)) value.max = max;
          dataPoints.push({ startTime, endTime, attributes, value });
        } else {
          dataPoints.push({ startTime, endTime, attributes, value: next() });
        }
      }
      const descriptor = {
        name: head.name,
        description: head.description,
        unit: head.unit,
        valueType: head.valueType,
      };
      const base = { descriptor, aggregationTemporality: head.temporality };
      metricsOf(head).push(
        head.type === DataPointType.SUM
          ? { ...base, dataPointType: DataPointType.SUM, isMonotonic: head.monotonic, dataPoints: dataPoints as DataPoint<number>[] }
          : head.type === DataPointType.HISTOGRAM
            ? { ...base, dataPointType: DataPointType.HISTOGRAM, dataPoints: dataPoints as DataPoint<Histogram>[] }
            : { ...base, dataPointType: DataPointType.GAUGE, dataPoints: dataPoints as DataPoint<number>[] },
      );
    }
    for (const [id, metric] of wire.other) metricsOf(headOf(id)).push(metric);
    // Exactly what the encoder assumes: the sets of the previous export are kept, the rest forgotten.
    this.#attrs = usedAttrs;
    this.#heads = usedHeads;
    return [...scopes.values()];
  }
}
