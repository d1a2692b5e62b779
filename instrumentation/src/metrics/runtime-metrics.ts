import { type PromRegistryLike } from './prom-client-producer.ts';
import type * as PromClient from 'prom-client';

/**
 * Node.js runtime metrics (event-loop lag percentiles, GC by kind, heap spaces, RSS, CPU, handles, fds)
 * from prom-client's collectDefaultMetrics, into a registry owned by the kit: the Inspector dashboard is
 * built on these exact names. prom-client is required here, not at start-up, so the app's first
 * module loads do not wait for it.
 */
export function createRuntimeRegistry(eventLoopResolutionMs = 20): PromRegistryLike {
  const client = require('prom-client') as typeof PromClient;
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: eventLoopResolutionMs });
  return registry;
}
