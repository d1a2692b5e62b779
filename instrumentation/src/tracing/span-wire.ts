import {
  type Attributes,
  type HrTime,
  type Link,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
} from '@opentelemetry/api';
import { TraceState, type InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { type ReadableSpan, type TimedEvent } from '@opentelemetry/sdk-trace';
import { settledAttributes } from '../resource/settled-attributes.ts';

/**
 * Ended spans as data for the export worker (worker-span-exporter.ts → worker-traces.ts): everything the
 * OTLP serializers read, nothing else. Resources and instrumentation scopes are sent once per batch and
 * referenced by index.
 *
 * The spans of a batch normally cross as ONE JSON string of one array per span: building it costs the
 * app's thread ≈ 1.7 µs per span, against ≈ 6 µs for a plain-object copy of each span plus the structured
 * clone postMessage makes of it (bench/span-micro.mjs), and a string crosses to the worker as one copy.
 * JSON cannot carry everything an attribute may hold exactly (NaN and ±Infinity become null, an
 * `undefined` value disappears), so a batch that may hold such a value — its JSON has a `null` token, a
 * span has links (their attributes are the app's own objects), or an event attribute is `undefined` — is
 * sent as plain objects instead, which structured cloning copies exactly.
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
  scope: number;
}

/** A span context as a tuple: trace id, span id, flags, then remote (1/0) and trace state when set. */
type ContextTuple = [string, string, number] | [string, string, number, number, string];

/** One span in the JSON form (no links: a batch with links goes as plain objects). */
type SpanTuple = [
  name: string,
  kind: SpanKind,
  context: ContextTuple,
  parent: ContextTuple | 0,
  startTime: HrTime,
  endTime: HrTime,
  duration: HrTime,
  status: SpanStatus,
  attributes: Attributes,
  events: TimedEvent[] | 0,
  droppedAttributesCount: number,
  droppedEventsCount: number,
  droppedLinksCount: number,
  resource: number,
  scope: number,
];

export interface WireSpans {
  resources: Array<{ attributes: Attributes; schemaUrl?: string }>;
  scopes: InstrumentationScope[];
  /** A JSON array of SpanTuple, or the spans as plain objects when JSON could not carry them exactly. */
  spans: string | PlainSpan[];
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

function contextTuple(context: SpanContext): ContextTuple {
  const traceState = context.traceState?.serialize();
  return context.isRemote || traceState
    ? [context.traceId, context.spanId, context.traceFlags, context.isRemote ? 1 : 0, traceState ?? '']
    : [context.traceId, context.spanId, context.traceFlags];
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

function tupleContext(tuple: ContextTuple): SpanContext {
  const context: SpanContext = { traceId: tuple[0], spanId: tuple[1], traceFlags: tuple[2] };
  if (tuple.length === 5) {
    if (tuple[3]) context.isRemote = true;
    if (tuple[4]) context.traceState = new TraceState(tuple[4]);
  }
  return context;
}

/** True when an event carries an `undefined` attribute value, which JSON would drop. */
function hasUndefinedEventValue(events: readonly TimedEvent[]): boolean {
  for (const event of events) {
    const attributes = event.attributes;
    if (!attributes) continue;
    for (const key in attributes) if (attributes[key] === undefined) return true;
  }
  return false;
}

/** A JSON `null` token (not the word inside a string, where it would be quoted or part of a longer word). */
const NULL_TOKEN = /[[,:]null[,\]}]/;

/** The resources and scopes of one batch, each sent once and referenced by index. */
class BatchTables {
  readonly resources: WireSpans['resources'] = [];
  readonly scopes: InstrumentationScope[] = [];
  readonly #resourceIndex = new Map<Resource, number>();
  readonly #scopeIndex = new Map<InstrumentationScope, number>();

  resourceOf(span: ReadableSpan): number {
    let index = this.#resourceIndex.get(span.resource);
    if (index === undefined) {
      const { resource } = span;
      index =
        this.resources.push({ attributes: settledAttributes(resource), schemaUrl: resource.schemaUrl }) - 1;
      this.#resourceIndex.set(resource, index);
    }
    return index;
  }

  scopeOf(span: ReadableSpan): number {
    let index = this.#scopeIndex.get(span.instrumentationScope);
    if (index === undefined) {
      index = this.scopes.push(span.instrumentationScope) - 1;
      this.#scopeIndex.set(span.instrumentationScope, index);
    }
    return index;
  }
}

export function toWireSpans(spans: readonly ReadableSpan[]): WireSpans {
  const tables = new BatchTables();
  const tuples = new Array<SpanTuple>(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const events = span.events;
    if (span.links.length || (events.length && hasUndefinedEventValue(events)))
      return toPlainWireSpans(spans);
    const parent = span.parentSpanContext;
    tuples[i] = [
      span.name,
      span.kind,
      contextTuple(span.spanContext()),
      parent ? contextTuple(parent) : 0,
      span.startTime,
      span.endTime,
      span.duration,
      span.status,
      span.attributes,
      events.length ? events : 0,
      span.droppedAttributesCount,
      span.droppedEventsCount,
      span.droppedLinksCount,
      tables.resourceOf(span),
      tables.scopeOf(span),
    ];
  }
  const json = JSON.stringify(tuples);
  if (json.includes('null') && NULL_TOKEN.test(json)) return toPlainWireSpans(spans);
  return { resources: tables.resources, scopes: tables.scopes, spans: json };
}

/** The object form (exact under structured cloning); also what bench/span-micro.mjs compares with. */
export function toPlainWireSpans(spans: readonly ReadableSpan[]): WireSpans {
  const tables = new BatchTables();
  const plain = spans.map((span): PlainSpan => ({
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
    resource: tables.resourceOf(span),
    scope: tables.scopeOf(span),
  }));
  return { resources: tables.resources, scopes: tables.scopes, spans: plain };
}

export function fromWireSpans(wire: WireSpans): ReadableSpan[] {
  const resources = wire.resources.map((r) =>
    resourceFromAttributes(r.attributes, { schemaUrl: r.schemaUrl }),
  );
  const lookUp = (name: string, resourceAt: number, scopeAt: number) => {
    const resource = resources[resourceAt];
    if (!resource)
      throw new Error(`span "${name}" names resource ${resourceAt}, which the batch does not carry`);
    const scope = wire.scopes[scopeAt];
    if (!scope) throw new Error(`span "${name}" names scope ${scopeAt}, which the batch does not carry`);
    return { resource, scope };
  };
  if (typeof wire.spans !== 'string')
    return wire.spans.map((plain): ReadableSpan => {
      const context = spanContext(plain.context);
      const { resource, scope } = lookUp(plain.name, plain.resource, plain.scope);
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
        instrumentationScope: scope,
      };
    });
  const tuples = JSON.parse(wire.spans) as unknown;
  if (!Array.isArray(tuples)) throw new Error('a batch of spans is not a JSON array');
  return (tuples as SpanTuple[]).map((tuple, i): ReadableSpan => {
    if (!Array.isArray(tuple) || tuple.length !== 15)
      throw new Error(`span ${i} of the batch is not a span tuple of 15 fields`);
    const [name, kind, own, parent, startTime, endTime, duration, status, attributes, events] = tuple;
    const context = tupleContext(own);
    const { resource, scope } = lookUp(name, tuple[13], tuple[14]);
    const span: ReadableSpan = {
      name,
      kind,
      spanContext: () => context,
      startTime,
      endTime,
      duration,
      ended: true,
      status,
      attributes,
      links: [],
      events: events || [],
      droppedAttributesCount: tuple[10],
      droppedEventsCount: tuple[11],
      droppedLinksCount: tuple[12],
      resource,
      instrumentationScope: scope,
    };
    if (parent) (span as { parentSpanContext?: SpanContext }).parentSpanContext = tupleContext(parent);
    return span;
  });
}
