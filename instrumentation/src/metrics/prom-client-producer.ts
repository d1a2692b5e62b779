import { type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { type Resource } from '@opentelemetry/resources';
import { type CollectionResult, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import {
  convertPromHistogramState,
  convertPromMetric,
  type PromHistogramState,
  type PromMetric,
} from './prom-client-bridge.ts';

/** The part of a prom-client Registry the bridge uses (any prom-client ≥ 13 copy, the app's or the kit's). */
export interface PromRegistryLike {
  getMetricsAsJSON(): Promise<PromMetric[]> | PromMetric[];
}

/** What prom-client 13–15 registries and metrics also have; checked at every use, never assumed. */
interface PromRegistryInternals {
  getMetricsAsArray?: () => unknown[];
  _defaultLabels?: Record<string, unknown>;
}

interface PromMetricInternals {
  name: string;
  help: string;
  type: unknown;
  get(): Promise<PromMetric> | PromMetric;
  collect?: () => unknown;
  hashMap?: Record<string, PromHistogramState['series'][number]>;
  upperBounds?: readonly number[];
}

/**
 * The registry's metrics one by one: histograms from their own state (see PromHistogramState), the others
 * through their public `get()`, all started before any is awaited, as `getMetricsAsJSON` does. Undefined
 * when the registry does not look like prom-client 13–15 or has default labels (which only
 * `getMetricsAsJSON` applies): the caller then uses `getMetricsAsJSON`.
 */
function collectDirect(
  registry: PromRegistryLike,
): Promise<Array<PromMetric | PromHistogramState>> | undefined {
  const r = registry as PromRegistryLike & PromRegistryInternals;
  if (typeof r.getMetricsAsArray !== 'function' || !r._defaultLabels || Object.keys(r._defaultLabels).length)
    return undefined;
  const list = r.getMetricsAsArray() as PromMetricInternals[];
  return Promise.all(
    list.map((metric) => (isPlainHistogram(metric) ? histogramState(metric) : metric.get())),
  );
}

function isPlainHistogram(metric: PromMetricInternals): boolean {
  return (
    metric.type === 'histogram' &&
    Array.isArray(metric.upperBounds) &&
    typeof metric.hashMap === 'object' &&
    metric.hashMap !== null
  );
}

async function histogramState(metric: PromMetricInternals): Promise<PromMetric | PromHistogramState> {
  if (typeof metric.collect === 'function') {
    const pending = metric.collect();
    if (pending instanceof Promise) await pending;
  }
  // An unexpected shape (another prom-client major): the public path, collect() included again.
  return histogramStateNow(metric) ?? metric.get();
}

function histogramStateNow(metric: PromMetricInternals): PromHistogramState | undefined {
  const series = Object.values(metric.hashMap!);
  for (const s of series)
    if (typeof s?.bucketValues !== 'object' || typeof s.count !== 'number') return undefined;
  return { name: metric.name, help: metric.help, upperBounds: metric.upperBounds!, series };
}

/**
 * A metric's state without awaiting anything, for the process.exit() hand-off (no promise can settle then):
 * what prom-client 13–15's `get()` returns for counters and gauges, read from the same fields, after a
 * synchronous collect() callback. Metrics whose collect() is asynchronous keep their last values; summaries
 * (whose `get()` computes percentiles) and unknown shapes are left out.
 */
function metricStateNow(metric: PromMetricInternals): PromMetric | PromHistogramState | undefined {
  if (typeof metric.collect === 'function') {
    try {
      const pending = metric.collect();
      if (pending instanceof Promise) pending.catch(() => {});
    } catch {
      // A broken callback: the values it would have set are the previous ones.
    }
  }
  if (typeof metric.hashMap !== 'object' || metric.hashMap === null) return undefined;
  if (isPlainHistogram(metric)) return histogramStateNow(metric);
  if (metric.type !== 'counter' && metric.type !== 'gauge') return undefined;
  return {
    name: metric.name,
    help: metric.help,
    type: metric.type,
    values: Object.values(metric.hashMap),
    aggregator: (metric as { aggregator?: string }).aggregator,
  } as unknown as PromMetric;
}

export const BRIDGE_SCOPE = { name: '@lgtm-apm/instrumentation/prom-client', version: '0.1.0' };

/**
 * Feeds prom-client registries to every OTel metric reader (OTLP push and the optional pull endpoint).
 * App registries win: a name already present there is skipped in the kit's runtime registry, so an app
 * that calls collectDefaultMetrics itself is not counted twice.
 */
export class PromClientMetricProducer implements MetricProducer {
  readonly #appRegistries = new Set<PromRegistryLike>();
  #kitRegistry: PromRegistryLike | undefined;
  readonly #resource: Resource;
  readonly #startTime: HrTime;
  readonly #onError: (error: unknown) => void;

  constructor(resource: Resource, onError: (error: unknown) => void, startTime: HrTime = hrTime()) {
    this.#resource = resource;
    this.#onError = onError;
    this.#startTime = startTime;
  }

  addAppRegistry(registry: PromRegistryLike): void {
    this.#appRegistries.add(registry);
  }

  setKitRegistry(registry: PromRegistryLike): void {
    this.#kitRegistry = registry;
  }

  get registryCount(): number {
    return this.#appRegistries.size + (this.#kitRegistry ? 1 : 0);
  }

  async collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const metrics: MetricData[] = [];
    const errors: unknown[] = [];
    const seen = new Set<string>();
    for (const registry of this.#appRegistries) await this.#add(registry, metrics, seen, errors, endTime);
    if (this.#kitRegistry) await this.#add(this.#kitRegistry, metrics, seen, errors, endTime);
    return {
      resourceMetrics: {
        resource: this.#resource,
        scopeMetrics: metrics.length ? [{ scope: BRIDGE_SCOPE, metrics }] : [],
      },
      errors,
    };
  }

  /**
   * The registries' current values without awaiting (see metricStateNow), for the process.exit() hand-off.
   * A registry that does not look like prom-client 13–15 or has default labels is left out.
   */
  collectNow(): MetricData[] {
    const endTime = hrTime();
    const metrics: MetricData[] = [];
    const seen = new Set<string>();
    const registries = [...this.#appRegistries, ...(this.#kitRegistry ? [this.#kitRegistry] : [])];
    for (const registry of registries) {
      const r = registry as PromRegistryLike & PromRegistryInternals;
      if (
        typeof r.getMetricsAsArray !== 'function' ||
        !r._defaultLabels ||
        Object.keys(r._defaultLabels).length
      )
        continue;
      const list = (r.getMetricsAsArray() as PromMetricInternals[]).map(metricStateNow);
      this.#convert(
        list.filter((m) => m !== undefined),
        metrics,
        seen,
        endTime,
      );
    }
    return metrics;
  }

  async #add(
    registry: PromRegistryLike,
    out: MetricData[],
    seen: Set<string>,
    errors: unknown[],
    endTime: HrTime,
  ): Promise<void> {
    let list: Array<PromMetric | PromHistogramState>;
    try {
      list = await (collectDirect(registry) ?? registry.getMetricsAsJSON());
    } catch (error) {
      // One broken collect() callback in the app must not cost the other metrics.
      this.#onError(error);
      errors.push(error);
      return;
    }
    this.#convert(list, out, seen, endTime);
  }

  #convert(
    list: Array<PromMetric | PromHistogramState>,
    out: MetricData[],
    seen: Set<string>,
    endTime: HrTime,
  ): void {
    for (const metric of list) {
      // First registry wins: duplicate names would be conflicting series in Mimir.
      if (seen.has(metric.name)) continue;
      seen.add(metric.name);
      const converted =
        'upperBounds' in metric
          ? [convertPromHistogramState(metric, this.#startTime, endTime)]
          : convertPromMetric(metric, this.#startTime, endTime);
      // A metric with no series yet (e.g. nodejs_active_requests while nothing is pending) is left out:
      // Prometheus 3.9's OTLP receiver rejects the whole request (500, nothing stored) when any metric
      // in it has no data points.
      for (const data of converted) if (data.dataPoints.length > 0) out.push(data);
    }
  }
}
