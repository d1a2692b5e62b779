import { type AnyValue, type HrTime, type SpanContext } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import { type Resource } from '@opentelemetry/resources';
import { type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { type PinoRecordFields } from './pino-record.ts';
import { redactAttributesInPlace, redactValue, type RedactionRules } from './redact.ts';

/** The SDK's default attribute limit per record (LoggerProvider's logRecordLimits; the kit sets none). */
export const ATTRIBUTE_COUNT_LIMIT = 128;

export type RecordScope = ReadableLogRecord['instrumentationScope'];
type LogAttributes = ReadableLogRecord['attributes'];
type LogBody = NonNullable<ReadableLogRecord['body']>;

/**
 * A pino record as the OTLP serializers (and the console exporter) read it: the fields of the SDK's
 * ReadableLogRecord as plain data properties, one shape for every record. The export worker builds one per
 * pino line straight from the parsed line (PinoRecordBuilder), without the SDK's per-record
 * LogRecordImpl, Context, attribute validation copies and processor chain: JSON values are always valid
 * attribute values and the line's objects are the worker's own, so the SDK's defensive work changes
 * nothing there. test/unit/exported-record.test.ts checks that the bytes on the wire are those of the SDK
 * path, for every OTLP protocol.
 */
export class ExportedLogRecord implements ReadableLogRecord {
  readonly hrTime: HrTime;
  readonly hrTimeObserved: HrTime;
  readonly spanContext: SpanContext | undefined;
  readonly severityText: string | undefined;
  readonly severityNumber: ReadableLogRecord['severityNumber'];
  readonly body: LogBody | undefined;
  readonly eventName: string | undefined;
  readonly resource: Resource;
  readonly instrumentationScope: RecordScope;
  readonly attributes: LogAttributes;
  readonly droppedAttributesCount: number;

  constructor(
    fields: PinoRecordFields,
    spanContext: SpanContext | undefined,
    attributes: LogAttributes,
    droppedAttributesCount: number,
    body: LogBody | undefined,
    resource: Resource,
    scope: RecordScope,
  ) {
    // One array for both: the SDK's record holds the same time twice (timestamp = observed), and the
    // serializers only read them.
    this.hrTime = this.hrTimeObserved = millisToHrTime(fields.timestampMs);
    this.spanContext = spanContext;
    this.severityText = fields.severityText;
    this.severityNumber = fields.severityNumber;
    this.body = body;
    this.eventName = fields.eventName;
    this.resource = resource;
    this.instrumentationScope = scope;
    this.attributes = attributes;
    this.droppedAttributesCount = droppedAttributesCount;
  }
}

/**
 * Builds the record the SDK would have built from a pino line's fields (LogRecordImpl: attributes in their
 * order up to the count limit, an empty key dropped, `exception` as exception.type/message/stacktrace
 * unless the attributes have them), redacted as RedactingLogRecordProcessor does: secret keys replaced,
 * URLs in values and the body scrubbed. One per pipeline: records logged under the same span share its
 * span context object (the exporters only read it).
 */
export class PinoRecordBuilder {
  readonly #rules: RedactionRules;
  readonly #resource: Resource;
  readonly #scope: RecordScope;
  #lastSpanContext: SpanContext | undefined;

  constructor(rules: RedactionRules, resource: Resource, scope: RecordScope) {
    this.#rules = rules;
    this.#resource = resource;
    this.#scope = scope;
  }

  /** `fields.attributes` is taken over (the parsed line's own object) and redacted where it is. */
  build(fields: PinoRecordFields): ExportedLogRecord {
    let attributes = fields.attributes as Record<string, AnyValue>;
    let dropped = 0;
    let count = 0;
    let rebuilt: Record<string, AnyValue> | undefined;
    for (const key in attributes) {
      // Rare: only an empty key or more attributes than the limit need a copy (the SDK skips or counts them).
      if (key === '' || count >= ATTRIBUTE_COUNT_LIMIT) {
        rebuilt ??= copyFirst(attributes, count);
        if (key !== '') dropped++;
        continue;
      }
      count++;
      if (rebuilt) rebuilt[key] = attributes[key]!;
    }
    if (rebuilt) attributes = rebuilt;
    if (fields.exception != null) {
      for (const [key, value] of exceptionAttributes(fields.exception)) {
        if (Object.hasOwn(attributes, key)) continue;
        if (count >= ATTRIBUTE_COUNT_LIMIT) dropped++;
        else {
          attributes[key] = value;
          count++;
        }
      }
    }
    redactAttributesInPlace(attributes, this.#rules);
    const body =
      fields.body == null ? (fields.body as undefined) : redactValue(fields.body as LogBody, this.#rules);
    return new ExportedLogRecord(
      fields,
      this.#spanContext(fields),
      attributes,
      dropped,
      body,
      this.#resource,
      this.#scope,
    );
  }

  /** The SDK keeps a span context only if valid (isSpanContextValid); pino-record.ts checked all but this. */
  #spanContext(fields: PinoRecordFields): SpanContext | undefined {
    const { traceId, spanId, traceFlags = 0 } = fields;
    if (traceId === undefined || spanId === undefined || spanId === INVALID_SPAN_ID) return undefined;
    const last = this.#lastSpanContext;
    if (last && last.spanId === spanId && last.traceId === traceId && last.traceFlags === traceFlags)
      return last;
    return (this.#lastSpanContext = { traceId, spanId, traceFlags, isRemote: false });
  }
}

const INVALID_SPAN_ID = '0000000000000000';

function copyFirst(attributes: Record<string, AnyValue>, count: number): Record<string, AnyValue> {
  const copy: Record<string, AnyValue> = {};
  let i = 0;
  for (const key in attributes) {
    if (i === count) break;
    if (key === '') continue;
    copy[key] = attributes[key]!;
    i++;
  }
  return copy;
}

/** LogRecordImpl's exception mapping (semantic conventions exception.*), in its order. */
function exceptionAttributes(exception: unknown): Array<[string, AnyValue]> {
  if (typeof exception === 'string' || typeof exception === 'number')
    return [['exception.message', String(exception)]];
  if (!exception || typeof exception !== 'object') return [];
  // Values as the SDK takes them: only `code` is turned into a string, the others are kept as they are.
  const e = exception as { code?: unknown; name?: AnyValue; message?: AnyValue; stack?: AnyValue };
  const out: Array<[string, AnyValue]> = [];
  if (e.code) out.push(['exception.type', String(e.code)]);
  else if (e.name) out.push(['exception.type', e.name]);
  if (e.message) out.push(['exception.message', e.message]);
  if (e.stack) out.push(['exception.stacktrace', e.stack]);
  return out;
}
