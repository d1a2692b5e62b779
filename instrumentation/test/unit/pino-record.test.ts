import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeverityNumber } from '@opentelemetry/api';
import { pinoLineToRecord, severityFromPinoLevel, type PinoLoggerSpec } from '../../src/logs/pino-record.ts';

const SPEC: PinoLoggerSpec = {
  messageKey: 'msg',
  errorKey: 'err',
  labels: { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal', 35: 'notice' },
  time: 'epoch',
};
const NOW = 1_700_000_000_000;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

test('pino levels map to the README table, custom levels to the in-between severities', () => {
  assert.deepEqual([10, 20, 30, 40, 50, 60].map(severityFromPinoLevel), [
    SeverityNumber.TRACE,
    SeverityNumber.DEBUG,
    SeverityNumber.INFO,
    SeverityNumber.WARN,
    SeverityNumber.ERROR,
    SeverityNumber.FATAL,
  ]);
  assert.equal(severityFromPinoLevel(35), SeverityNumber.INFO3);
  assert.equal(severityFromPinoLevel(0), SeverityNumber.TRACE2, 'below trace is clamped');
  assert.equal(severityFromPinoLevel(1000), SeverityNumber.FATAL4, 'above fatal is clamped');
});

test('a default pino line: body, severity, fields as attributes, trace ids as record fields', () => {
  const line = JSON.stringify({
    level: 30,
    time: 1_699_999_999_123,
    pid: 42,
    hostname: 'box',
    trace_id: TRACE_ID,
    span_id: SPAN_ID,
    trace_flags: '01',
    orderId: 7,
    user: { id: 3, roles: ['a'] },
    msg: 'order placed',
  });
  const r = pinoLineToRecord(`${line}\n`, 30, SPEC, NOW)!;
  assert.equal(r.timestampMs, 1_699_999_999_123);
  assert.deepEqual([r.severityNumber, r.severityText, r.body], [SeverityNumber.INFO, 'info', 'order placed']);
  assert.deepEqual(r.attributes, { orderId: 7, user: { id: 3, roles: ['a'] } });
  assert.deepEqual([r.traceId, r.spanId, r.traceFlags], [TRACE_ID, SPAN_ID, 1]);
});

test('the level comes from pino’s metadata, not the line (formatters may rewrite it)', () => {
  const r = pinoLineToRecord(JSON.stringify({ level: 'NOTICE', time: 1, msg: 'm' }), 35, SPEC, NOW)!;
  assert.deepEqual([r.severityNumber, r.severityText], [SeverityNumber.INFO3, 'notice']);
  assert.equal(r.attributes.level, undefined);
});

test('time formats: epoch ms, unix seconds, ISO, none; an unreadable time is kept as an attribute', () => {
  const at = (time: unknown, kind: PinoLoggerSpec['time']) =>
    pinoLineToRecord(JSON.stringify({ time, msg: 'm' }), 30, { ...SPEC, time: kind }, NOW)!;
  assert.equal(at(1_699_999_999_123, 'epoch').timestampMs, 1_699_999_999_123);
  assert.equal(at(1_699_999_999, 'unix').timestampMs, 1_699_999_999_000);
  assert.equal(at('2023-11-14T22:13:19.123Z', 'iso').timestampMs, Date.parse('2023-11-14T22:13:19.123Z'));
  assert.equal(at(undefined, 'null').timestampMs, NOW);
  const custom = at('yesterday', 'custom');
  assert.equal(custom.timestampMs, NOW);
  assert.equal(custom.attributes.time, 'yesterday');
});

test('custom message and error keys; pino’s err (type, message, stack) is given a name for exception.type', () => {
  const spec = { ...SPEC, messageKey: 'message', errorKey: 'error' };
  const line = JSON.stringify({
    time: 1,
    message: 'payment failed',
    error: { type: 'CardError', message: 'card declined', stack: 'CardError: card declined\n    at x' },
  });
  const r = pinoLineToRecord(line, 50, spec, NOW)!;
  assert.equal(r.body, 'payment failed');
  assert.deepEqual(r.exception, {
    type: 'CardError',
    name: 'CardError',
    message: 'card declined',
    stack: 'CardError: card declined\n    at x',
  });
  assert.deepEqual(r.attributes, {});
});

test('malformed or absent trace ids are not used (the record is not linked to a wrong trace)', () => {
  for (const ids of [
    { trace_id: 'xyz', span_id: SPAN_ID },
    { trace_id: TRACE_ID },
    { trace_id: '00000000000000000000000000000000', span_id: SPAN_ID },
    { trace_id: TRACE_ID.toUpperCase(), span_id: SPAN_ID },
  ]) {
    const r = pinoLineToRecord(JSON.stringify({ time: 1, msg: 'm', ...ids }), 30, SPEC, NOW)!;
    assert.equal(r.traceId, undefined, JSON.stringify(ids));
    assert.equal(r.spanId, undefined);
    assert.equal(r.attributes.trace_id, undefined, 'still not an attribute');
  }
});

test('lines that are not JSON objects are refused, not half-sent', () => {
  for (const line of ['not json', '[1,2]', 'null', '42', '{"msg":"cut']) {
    assert.equal(pinoLineToRecord(line, 30, SPEC, NOW), undefined, line);
  }
});

test('the event name field becomes the record’s event name', () => {
  const r = pinoLineToRecord(
    JSON.stringify({ time: 1, msg: 'm', 'otel.event.name': 'checkout' }),
    30,
    SPEC,
    NOW,
  )!;
  assert.equal(r.eventName, 'checkout');
  assert.equal(r.attributes['otel.event.name'], undefined);
});
