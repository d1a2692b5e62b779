/**
 * Env for every instrumented child in tests: only loopback endpoints, no cloud resource detectors
 * (they probe link-local metadata addresses), short batch delay so assertions do not wait long.
 */
export function testEnv(
  receiverGrpcEndpoint: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiverGrpcEndpoint,
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,container,serviceinstance',
    OTEL_BSP_SCHEDULE_DELAY: '200',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    LGTM_APM_COMPILE_CACHE: 'false',
    // The kit's shutdown deadline (5 s in production) would cut the last export short when this busy
    // machine starves the export worker; tests that prove the deadline set their own.
    LGTM_APM_SHUTDOWN_TIMEOUT_MS: '20000',
    ...extra,
  };
}
