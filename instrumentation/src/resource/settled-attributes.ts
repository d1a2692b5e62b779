import { type Attributes } from '@opentelemetry/api';
import { type Resource } from '@opentelemetry/resources';

/**
 * A resource's attributes without touching the getter, which complains while asynchronous detectors (host
 * id, container id) have not settled: at process.exit() they may never settle, and what is known is sent.
 */
export function settledAttributes(resource: Resource): Attributes {
  if (!resource.asyncAttributesPending) return resource.attributes;
  const settled: Attributes = {};
  for (const [key, value] of resource.getRawAttributes()) {
    const unsettled = typeof (value as { then?: unknown } | undefined)?.then === 'function';
    if (!unsettled && !(key in settled)) settled[key] = value as Attributes[string];
  }
  return settled;
}
