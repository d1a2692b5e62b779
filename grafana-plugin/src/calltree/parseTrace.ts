/**
 * Grafana's Tempo "Trace" frame (trace by id) → plain span records.
 *
 * Field names and units are those of Grafana's Tempo backend `TraceToFrame`: traceID, spanID, parentSpanID,
 * operationName, serviceName, kind, statusCode (0 unset, 1 ok, 2 error), statusMessage, serviceTags,
 * startTime (ms), duration (ms), logs [{timestamp (ms), name, fields}], references, tags [{key, value}].
 * JSON columns arrive parsed from `/api/ds/query`, or as strings from older encodings; both are accepted.
 */
import {
  FrameFormatError,
  findField,
  frameLength,
  fromDataFrameJSON,
  isDataFrameJSON,
  isFrameLike,
  requireField,
  toNumber,
  toStringOrUndefined,
  type FrameLike,
} from '../scatter/frameLike';

export interface SpanEvent {
  timeMs: number;
  name: string;
  attributes: Record<string, unknown>;
}

export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId?: string;
  name: string;
  service: string;
  kind: string;
  /** 0 unset, 1 ok, 2 error (OTLP status code). */
  statusCode: number;
  statusMessage: string;
  startMs: number;
  durationMs: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  events: SpanEvent[];
}

export interface ParsedTrace {
  spans: SpanRecord[];
  /** Problems found in the data that did not stop parsing (shown under the tree). */
  warnings: string[];
}

const NO_PARENT = /^0*$/;

function jsonValue(value: unknown, what: string, warnings: string[]): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  if (value === '') {
    return null;
  }
  try {
    return JSON.parse(value);
  } catch {
    warnings.push(`${what} is not valid JSON; ignored`);
    return null;
  }
}

function keyValues(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(value)) {
    for (const kv of value) {
      if (kv && typeof kv === 'object' && typeof (kv as { key?: unknown }).key === 'string') {
        out[(kv as { key: string }).key] = (kv as { value?: unknown }).value;
      }
    }
  }
  return out;
}

function traceFrameOf(frames: unknown[]): FrameLike | undefined {
  for (const f of frames) {
    const frame = isDataFrameJSON(f) ? fromDataFrameJSON(f) : isFrameLike(f) ? f : undefined;
    if (!frame) {
      continue;
    }
    if (frame.meta?.preferredVisualisationType === 'trace' || frame.name === 'Trace' || findField(frame, 'parentSpanID')) {
      return frame;
    }
  }
  return undefined;
}

/** Parse the trace frame out of a trace-by-id response. Throws FrameFormatError with a readable message. */
export function parseTraceFrames(frames: unknown[]): ParsedTrace {
  const frame = traceFrameOf(frames);
  if (!frame) {
    throw new FrameFormatError('The response has no trace frame (expected the Tempo data source "Trace" frame)');
  }
  const what = 'Trace frame';
  const spanId = requireField(frame, what, 'spanID');
  const start = requireField(frame, what, 'startTime');
  const duration = requireField(frame, what, 'duration');
  const traceId = findField(frame, 'traceID');
  const parent = findField(frame, 'parentSpanID');
  const name = findField(frame, 'operationName');
  const service = findField(frame, 'serviceName');
  const kind = findField(frame, 'kind');
  const statusCode = findField(frame, 'statusCode');
  const statusMessage = findField(frame, 'statusMessage');
  const tags = findField(frame, 'tags');
  const serviceTags = findField(frame, 'serviceTags');
  const logs = findField(frame, 'logs');

  const warnings: string[] = [];
  const spans: SpanRecord[] = [];
  const seen = new Set<string>();
  const n = frameLength(frame);
  let skipped = 0;
  for (let i = 0; i < n; i++) {
    const id = toStringOrUndefined(spanId.values[i]);
    const startMs = toNumber(start.values[i]);
    const durationMs = toNumber(duration.values[i]);
    if (!id || !Number.isFinite(startMs) || !Number.isFinite(durationMs)) {
      skipped++;
      continue;
    }
    if (seen.has(id)) {
      warnings.push(`Span ${id} appears more than once; kept the first`);
      continue;
    }
    seen.add(id);
    const p = toStringOrUndefined(parent?.values[i]);
    const attrs = keyValues(jsonValue(tags?.values[i], `Tags of span ${id}`, warnings));
    let code = toNumber(statusCode?.values[i]);
    if (!Number.isFinite(code)) {
      // Older frames carried the status only as tags (otel.status_code / error=true).
      const s = attrs['otel.status_code'];
      code = s === 'ERROR' || attrs['error'] === true ? 2 : s === 'OK' ? 1 : 0;
    }
    const events: SpanEvent[] = [];
    const rawLogs = jsonValue(logs?.values[i], `Events of span ${id}`, warnings);
    if (Array.isArray(rawLogs)) {
      for (const log of rawLogs) {
        if (!log || typeof log !== 'object') {
          continue;
        }
        const l = log as { timestamp?: unknown; name?: unknown; fields?: unknown };
        const attributes = keyValues(l.fields);
        // Older Grafana versions put the event name in a "message" field instead of `name`.
        const eventName = toStringOrUndefined(l.name) ?? toStringOrUndefined(attributes['message']) ?? 'event';
        events.push({ timeMs: toNumber(l.timestamp), name: eventName, attributes });
      }
    }
    spans.push({
      traceId: toStringOrUndefined(traceId?.values[i]) ?? '',
      spanId: id,
      parentSpanId: p && !NO_PARENT.test(p) ? p : undefined,
      name: toStringOrUndefined(name?.values[i]) ?? '(unnamed)',
      service: toStringOrUndefined(service?.values[i]) ?? 'unknown',
      kind: toStringOrUndefined(kind?.values[i]) ?? toStringOrUndefined(attrs['span.kind']) ?? '',
      statusCode: code,
      statusMessage: toStringOrUndefined(statusMessage?.values[i]) ?? '',
      startMs,
      durationMs: Math.max(0, durationMs),
      attributes: attrs,
      resource: keyValues(jsonValue(serviceTags?.values[i], `Resource of span ${id}`, warnings)),
      events,
    });
  }
  if (skipped > 0) {
    warnings.push(`${skipped} span row(s) without an id, start time or duration were skipped`);
  }
  if (spans.length === 0) {
    throw new FrameFormatError('The trace has no usable spans');
  }
  return { spans, warnings };
}
