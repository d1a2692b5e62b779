import { SeverityNumber } from '@opentelemetry/api';

/**
 * A serialized pino line → the fields of an OTel log record, with the same mapping as
 * @opentelemetry/instrumentation-pino's log sending (README "Logs"): it runs in the export worker, where
 * neither the logger nor the active span exists any more, so everything it needs travels with the line
 * (the logger's settings once, the numeric level per record) or is in the line (trace ids from the
 * kit's pino hook, pino-hook.ts). Pure: no OTel SDK, unit-tested on its own.
 */

/** What the worker needs to know about one pino logger (sent once per logger). */
export interface PinoLoggerSpec {
  messageKey: string;
  errorKey: string;
  /** Level number → label, custom levels included. */
  labels: Record<number, string>;
  /** How the logger writes `time` (pino.stdTimeFunctions), or `custom` for anything else. */
  time: 'epoch' | 'unix' | 'iso' | 'null' | 'custom';
}

export interface PinoRecordFields {
  timestampMs: number;
  severityNumber: SeverityNumber;
  severityText: string | undefined;
  body: unknown;
  attributes: Record<string, unknown>;
  exception: unknown;
  eventName: string | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
  traceFlags: number | undefined;
}

const SEVERITY_BY_PINO_LEVEL: Record<number, SeverityNumber> = {
  10: SeverityNumber.TRACE,
  20: SeverityNumber.DEBUG,
  30: SeverityNumber.INFO,
  40: SeverityNumber.WARN,
  50: SeverityNumber.ERROR,
  60: SeverityNumber.FATAL,
};

// Custom levels are spread over the in-between severities by their value, as the instrumentation does.
const EXTRA_SEVERITIES = [
  SeverityNumber.TRACE2,
  SeverityNumber.TRACE3,
  SeverityNumber.TRACE4,
  SeverityNumber.DEBUG2,
  SeverityNumber.DEBUG3,
  SeverityNumber.DEBUG4,
  SeverityNumber.INFO2,
  SeverityNumber.INFO3,
  SeverityNumber.INFO4,
  SeverityNumber.WARN2,
  SeverityNumber.WARN3,
  SeverityNumber.WARN4,
  SeverityNumber.ERROR2,
  SeverityNumber.ERROR3,
  SeverityNumber.ERROR4,
  SeverityNumber.FATAL2,
  SeverityNumber.FATAL3,
  SeverityNumber.FATAL4,
];

export function severityFromPinoLevel(level: number): SeverityNumber {
  const known = SEVERITY_BY_PINO_LEVEL[level];
  if (known !== undefined) return known;
  const index = Math.floor(((level - 10) / 60) * EXTRA_SEVERITIES.length);
  return EXTRA_SEVERITIES[Math.min(EXTRA_SEVERITIES.length - 1, Math.max(0, index))]!;
}

function timestampFrom(time: unknown, kind: PinoLoggerSpec['time'], nowMs: number): number {
  switch (kind) {
    case 'epoch':
      return typeof time === 'number' ? time : NaN;
    case 'unix':
      return typeof time === 'number' ? time * 1000 : NaN;
    case 'iso':
      return typeof time === 'string' ? new Date(time).getTime() : NaN;
    case 'null':
      return nowMs;
    case 'custom':
      return NaN;
  }
}

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * Returns undefined for a line that is not a JSON object (a `streamWrite` hook or a custom serializer
 * can produce anything); the caller counts it instead of sending half a record.
 */
export function pinoLineToRecord(
  line: string,
  level: number,
  spec: PinoLoggerSpec,
  nowMs: number,
): PinoRecordFields | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const {
    time,
    [spec.messageKey]: body,
    [spec.errorKey]: exception,
    level: _level,
    hostname: _hostname,
    pid: _pid,
    trace_id: traceId,
    span_id: spanId,
    trace_flags: traceFlags,
    'otel.event.name': eventName,
    ...attributes
  } = parsed as Record<string, unknown>;
  let timestampMs = timestampFrom(time, spec.time, nowMs);
  if (Number.isNaN(timestampMs)) {
    // A timestamp format the kit cannot read is kept as an attribute rather than lost.
    if (time !== undefined) attributes.time = time;
    timestampMs = nowMs;
  }
  const validIds =
    typeof traceId === 'string' &&
    typeof spanId === 'string' &&
    HEX_TRACE_ID.test(traceId) &&
    HEX_SPAN_ID.test(spanId) &&
    traceId !== '00000000000000000000000000000000';
  return {
    timestampMs,
    severityNumber: severityFromPinoLevel(level),
    severityText: spec.labels[level],
    body,
    attributes,
    exception: normalizeException(exception),
    eventName: typeof eventName === 'string' ? eventName : undefined,
    traceId: validIds ? traceId : undefined,
    spanId: validIds ? spanId : undefined,
    traceFlags: validIds ? (typeof traceFlags === 'string' ? parseInt(traceFlags, 16) || 0 : 0) : undefined,
  };
}

/** pino's std error serializer writes `type`; the SDK reads `name` for exception.type. */
function normalizeException(exception: unknown): unknown {
  if (!exception || typeof exception !== 'object' || Array.isArray(exception)) return exception;
  const e = exception as Record<string, unknown>;
  if (typeof e.type === 'string' && typeof e.name !== 'string') return { ...e, name: e.type };
  return exception;
}
