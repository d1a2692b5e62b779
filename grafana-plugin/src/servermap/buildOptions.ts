/**
 * How the panel's options read its frames into a server map: which query plays which role, the range the
 * counts cover, the Apdex threshold. One place, so the compare baseline is read exactly as the current map.
 */
import { type QueryLike } from './model';
import { type ApmPanelOptions } from '../types';

export function buildOptionsOf(
  options: ApmPanelOptions,
  queries: readonly QueryLike[] | undefined,
  rangeSeconds: number | undefined
) {
  return {
    roles: {
      calls: options.callsRefId,
      errors: options.errorsRefId,
      latency: options.latencyRefId,
      clientLatency: options.clientLatencyRefId,
      instances: options.instancesRefId,
      latencySum: options.latencySumRefId,
      latencyCount: options.latencyCountRefId,
    },
    queries,
    rangeSeconds,
    apdexThresholdSeconds: options.apdexThresholdSeconds,
  };
}
