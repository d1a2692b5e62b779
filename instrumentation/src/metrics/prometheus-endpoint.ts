import { type MetricProducer } from '@opentelemetry/sdk-metrics';
import { type MetricsConfig } from '../config/signals-config.ts';
import { type Warner } from '../diagnostics/warner.ts';
import type * as PrometheusModule from '@opentelemetry/exporter-prometheus';

/**
 * Optional pull endpoint (`GET /metrics`, Prometheus text format) for Prometheus or Alloy scrapers: the
 * official OTel PrometheusExporter reader, bound to 127.0.0.1 unless LGTM_APM_PROMETHEUS_HOST says
 * otherwise. A port that cannot be bound costs one warning, never the app.
 */
export function createPrometheusEndpoint(
  config: MetricsConfig,
  producer: MetricProducer,
  warner: Warner,
): unknown {
  if (config.prometheusPort === undefined) return undefined;
  const { PrometheusExporter } = require('@opentelemetry/exporter-prometheus') as typeof PrometheusModule;
  const reader = new PrometheusExporter({
    host: config.prometheusHost,
    port: config.prometheusPort,
    endpoint: '/metrics',
    metricProducers: [producer],
    // Started below so that a failure is reported once, by the kit, instead of through diag as well.
    preventServerStart: true,
  });
  reader.startServer().catch((error: Error) => {
    warner.warn(
      'prometheus-endpoint',
      `the Prometheus endpoint could not listen on ${config.prometheusHost}:${config.prometheusPort} ` +
        `(${error.message}); metrics are still pushed over OTLP if enabled`,
    );
  });
  return reader;
}
