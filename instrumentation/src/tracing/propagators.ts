import { type TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { type PropagatorName } from '../config/config.ts';
import { B3InjectEncoding, B3Propagator } from '@opentelemetry/propagator-b3';

/** OTEL_PROPAGATORS → one propagator (undefined for `none` or an empty list: no propagation). */
export function buildPropagator(names: readonly PropagatorName[]): TextMapPropagator | undefined {
  const list: TextMapPropagator[] = [];
  for (const name of names.includes('none') ? [] : new Set(names)) {
    if (name === 'tracecontext') list.push(new W3CTraceContextPropagator());
    else if (name === 'baggage') list.push(new W3CBaggagePropagator());
    else {
      list.push(
        new B3Propagator({
          injectEncoding: name === 'b3multi' ? B3InjectEncoding.MULTI_HEADER : B3InjectEncoding.SINGLE_HEADER,
        }),
      );
    }
  }
  if (!list.length) return undefined;
  return list.length === 1 ? list[0] : new CompositePropagator({ propagators: list });
}
