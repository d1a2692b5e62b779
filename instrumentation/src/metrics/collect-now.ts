import { hrTime } from '@opentelemetry/core';
import { type InstrumentationScope } from '@opentelemetry/core';
import { type MetricData, type MetricReader, type ScopeMetrics } from '@opentelemetry/sdk-metrics';

/**
 * The OTel instruments' current values, collected synchronously for the process.exit() hand-off: the SDK's
 * own collect() is asynchronous (it awaits the observable callbacks), and process.exit() leaves no turn for
 * a promise. So this reads the SDK's internals — the reader's MetricCollector, the meters it knows, their
 * storages — which sdk-metrics does not export: this is the only file that does, and
 * test/unit/collect-now.test.ts fails loudly if the SDK changes shape. Observable instruments keep the
 * values of their last collection (their callbacks may be asynchronous and are not run).
 */
interface MetricStorageInternals {
  collect(collector: unknown, collectionTime: [number, number]): MetricData | undefined | null;
}
interface MeterSharedStateInternals {
  metricStorageRegistry: { getStorages(collector: unknown): MetricStorageInternals[] };
  _instrumentationScope: InstrumentationScope;
}
interface MetricCollectorInternals {
  _sharedState: { meterSharedStates: Map<string, MeterSharedStateInternals> };
}

function collectorOf(reader: MetricReader): MetricCollectorInternals {
  const collector = (reader as unknown as { _sdkMetricProducer?: MetricCollectorInternals })
    ._sdkMetricProducer;
  const states = collector?._sharedState?.meterSharedStates;
  if (!(states instanceof Map))
    throw new Error(
      '@opentelemetry/sdk-metrics changed shape (MetricReader._sdkMetricProducer._sharedState)',
    );
  return collector!;
}

export function collectSdkMetricsNow(reader: MetricReader): ScopeMetrics[] {
  const collector = collectorOf(reader);
  const collectionTime = hrTime();
  const scopes: ScopeMetrics[] = [];
  for (const state of collector._sharedState.meterSharedStates.values()) {
    if (typeof state.metricStorageRegistry?.getStorages !== 'function')
      throw new Error('@opentelemetry/sdk-metrics changed shape (MeterSharedState.metricStorageRegistry)');
    const metrics: MetricData[] = [];
    for (const storage of state.metricStorageRegistry.getStorages(collector)) {
      const data = storage.collect(collector, collectionTime);
      if (data && data.dataPoints.length) metrics.push(data);
    }
    if (metrics.length) scopes.push({ scope: state._instrumentationScope, metrics });
  }
  return scopes;
}
