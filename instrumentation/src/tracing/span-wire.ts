import {
  type Attributes,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
} from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { type ReadableSpan, type TimedEvent } from '@opentelemetry/sdk-trace';
import { settledAttributes } from '../resource/settled-attributes.ts';

/**
 * Ended spans as plain, structured-clone-able data, for the export worker (worker-span-exporter.ts →
 * worker-traces.ts): everything the OTLP serializers read, nothing else. Resources are sent once per
 * batch and referenced by index, since every span of a process shares one.
 */
interface PlainSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
  traceState?: string;
}

interface PlainSpan {
  name: string;
  kind: SpanKind;
  context: PlainSpanContext;
  parent?: PlainSpanContext;
  startTime: HrTime;
  endTime: HrTime;
  duration: HrTime;
  status: SpanStatus;
  attributes: Attributes;
  links: Array<{ context: PlainSpanContext; attributes?: Attributes; droppedAttributesCount?: number }>;
  events: TimedEvent[];
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
  resource: number;
  scope: ReadableSpan['instrumentationScope'];
}

export interface WireSpans {
  resources: Array<{ attributes: Attributes; schemaUrl?: string }>;
  spans: PlainSpan[];
}

function plainContext(context: SpanContext): PlainSpanContext {
  const plain: PlainSpanContext = {
    traceId: context.traceId,
    spanId: context.spanId,
    traceFlags: context.traceFlags,
  };
  if (context.isRemote) plain.isRemote = true;
  const traceState = context.traceState?.serialize();
  if (traceState) plain.traceState = traceState;
  return plain;
}

function spanContext(plain: PlainSpanContext): SpanContext {
  return {
    traceId: plain.traceId,
    spanId: plain.spanId,
    traceFlags: plain.traceFlags,
    ...(plain.isRemote && { isRemote: true }),
    ...(plain.traceState && { traceState: new TraceState(plain.traceState) }),
  };
}

export function toWireSpans(spans: readonly ReadableSpan[]): WireSpans {
  const resourceIndex = new Map<Resource, number>();
  const resources: WireSpans['resources'] = [];
  const plain = spans.map((span): PlainSpan => {
    let resource = resourceIndex.get(span.resource);
    if (resource === undefined) {
      resource =
        resources.push({ attributes: settledAttributes(span.resource), schemaUrl: span.resource.schemaUrl }) -
        1;
      resourceIndex.set(span.resource, resource);
    }
    return {
      name: span.name,
      kind: span.kind,
      context: plainContext(span.spanContext()),
      ...(span.parentSpanContext && { parent: plainContext(span.parentSpanContext) }),
      startTime: span.startTime,
      endTime: span.endTime,
      duration: span.duration,
      status: span.status,
      attributes: span.attributes,
      links: span.links.map((link) => ({
        context: plainContext(link.context),
        ...(link.attributes && { attributes: link.attributes }),
        ...(link.droppedAttributesCount && { droppedAttributesCount: link.droppedAttributesCount }),
      })),
      events: span.events,
      droppedAttributesCount: span.droppedAttributesCount,
      droppedEventsCount: span.droppedEventsCount,
      droppedLinksCount: span.droppedLinksCount,
      resource,
      scope: span.instrumentationScope,
    };
  });
  return { resources, spans: plain };
}

export function fromWireSpans(wire: WireSpans): ReadableSpan[] {
  const resources = wire.resources.map((r) =>
    resourceFromAttributes(r.attributes, { schemaUrl: r.schemaUrl }),
  );
  return wire.spans.map((plain): ReadableSpan => {
    const context = spanContext(plain.context);
    const resource = resources[plain.resource];
    if (!resource)
      throw new Error(
        `span "${plain.name}" names resource ${plain.resource}, which the batch does not carry`,
      );
    return {
      name: plain.name,
      kind: plain.kind,
      spanContext: () => context,
      ...(plain.parent && { parentSpanContext: spanContext(plain.parent) }),
      startTime: plain.startTime,
      endTime: plain.endTime,
      duration: plain.duration,
      ended: true,
      status: plain.status,
      attributes: plain.attributes,
      links: plain.links.map((link): Link => ({ ...link, context: spanContext(link.context) })),
      events: plain.events,
      droppedAttributesCount: plain.droppedAttributesCount,
      droppedEventsCount: plain.droppedEventsCount,
      droppedLinksCount: plain.droppedLinksCount,
      resource,
      instrumentationScope: plain.scope,
    };
  });
}
