import { type HrTime } from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { type Resource } from '@opentelemetry/resources';
import { type CollectionResult, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { convertPromMetric, type PromMetric } from './prom-client-bridge.ts';

/** The part of a prom-client Registry the bridge uses (any prom-client ≥ 13 copy, the app's or the kit's). */
export interface PromRegistryLike {
  getMetricsAsJSON(): Promise<PromMetric[]> | PromMetric[];
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

  async #add(
    registry: PromRegistryLike,
    out: MetricData[],
    seen: Set<string>,
    errors: unknown[],
    endTime: HrTime,
  ): Promise<void> {
    let list: PromMetric[];
    try {
      list = await registry.getMetricsAsJSON();
    } catch (error) {
      // One broken collect() callback in the app must not cost the other metrics.
      this.#onError(error);
      errors.push(error);
      return;
    }
    for (const metric of list) {
      // First registry wins: duplicate names would be conflicting series in Mimir.
      if (seen.has(metric.name)) continue;
      seen.add(metric.name);
      for (const data of convertPromMetric(metric, this.#startTime, endTime)) out.push(data);
    }
  }
}
