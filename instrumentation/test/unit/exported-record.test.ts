// The export worker builds pino records without the Logs SDK (src/logs/exported-record.ts). The oracle is
// the SDK path the worker used before: the same parsed fields emitted through a LoggerProvider with the
// kit's RedactingLogRecordProcessor. Both record lists go through the official OTLP serializers and the
// official exporters of every protocol to a real OTLP receiver; the bytes must be the same, and the decoded
// request must say what the README promises (trace ids, severity, body, attributes, redaction, resource,
// scope), so that equal bytes cannot mean two equally empty requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { millisToHrTime, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { DEFAULT_LOG_REDACT_KEYS } from '../../src/config/signals-config.ts';
import {
  ATTRIBUTE_COUNT_LIMIT,
  PinoRecordBuilder,
  type RecordScope,
} from '../../src/logs/exported-record.ts';
import { pinoLineToRecord, type PinoLoggerSpec, type PinoRecordFields } from '../../src/logs/pino-record.ts';
import { RedactingLogRecordProcessor } from '../../src/logs/processors.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { logsOf } from '../support/signals.ts';

const require = createRequire(import.meta.url);
// The serializers the exporters themselves use (their own otlp-transformer, not the hoisted copy).
const transformer = require(
  require.resolve('@opentelemetry/otlp-transformer', {
    paths: [require.resolve('@opentelemetry/exporter-logs-otlp-proto')],
  }),
) as {
  ProtobufLogsSerializer: { serializeRequest(records: ReadableLogRecord[]): Uint8Array };
  JsonLogsSerializer: { serializeRequest(records: ReadableLogRecord[]): Uint8Array };
};

const SCOPE_NAME = '@opentelemetry/instrumentation-pino';
const NOW = 1_700_000_000_000;
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const IDS = { trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: '01' };
const SPEC: PinoLoggerSpec = {
  messageKey: 'msg',
  errorKey: 'err',
  labels: { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal', 35: 'notice' },
  time: 'epoch',
};
const resource = resourceFromAttributes({ 'service.name': 'orders', 'host.name': 'box', 'process.pid': 42 });

interface Line {
  line: string;
  level: number;
  spec: PinoLoggerSpec;
}
const line = (fields: Record<string, unknown>, level = 30, spec: PinoLoggerSpec = SPEC): Line => ({
  line: `${JSON.stringify({ level, time: 1_699_999_999_123, pid: 7, hostname: 'box', ...fields })}\n`,
  level,
  spec,
});
const many = Object.fromEntries(Array.from({ length: ATTRIBUTE_COUNT_LIMIT + 5 }, (_, i) => [`k${i}`, i]));
let deep: Record<string, unknown> = { leaf: 'x' };
for (let i = 0; i < 20; i++) deep = { next: deep };

/** Every mapping and SDK rule the records can meet, each line a case. */
const LINES: Line[] = [
  line({ msg: 'order placed', orderId: 7, user: { id: 3, roles: ['a', 'b'] }, ...IDS }),
  line({
    msg: 'héllo ✓ 🎉',
    ratio: 0.25,
    ok: true,
    none: null,
    big: 2 ** 63,
    neg: -5,
    list: [1, 'two', null, { three: 3 }],
  }),
  line({
    msg: 'login from https://bob:hunter2@example.com/cb?token=abc&x=1',
    password: 'p',
    accessToken: 't',
    req: { headers: { authorization: 'Bearer x', accept: 'json' }, url: '/cb?code=1&api_key=k' },
    nested: [{ client_secret: 's' }, { name: 'ok' }],
    ...IDS,
  }),
  line(
    {
      msg: 'failed',
      err: { type: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at x' },
      ...IDS,
    },
    50,
  ),
  line({ msg: 'failed', err: { code: 'ECONNREFUSED', message: 'refused', stack: 's' } }, 50),
  line({ msg: 'failed', err: 'plain text error' }, 50),
  line({ msg: 'failed', err: { message: 'no type' }, 'exception.message': 'kept' }, 50),
  line({ msg: 'failed', err: {} }, 50),
  line({ msg: 'many', ...many, err: { type: 'E', message: 'm' } }),
  line({ msg: 'empty key', '': 'dropped by the SDK', after: 1 }),
  line({ msg: 'zero span id', trace_id: TRACE_ID, span_id: '0000000000000000', trace_flags: '01' }),
  line({ msg: 'upper-case ids', trace_id: TRACE_ID.toUpperCase(), span_id: SPAN_ID, trace_flags: '01' }),
  line({ msg: 'not sampled', trace_id: TRACE_ID, span_id: 'a7ad6b7169203331', trace_flags: '00' }),
  line({ msg: 'no span id', trace_id: TRACE_ID }),
  line({ msg: 'custom level' }, 35),
  line({ msg: 'unknown level' }, 99),
  line({ orderId: 1 }),
  line({ msg: null }),
  line({ msg: 'event', 'otel.event.name': 'order.placed' }),
  line({ msg: 'integer keys', 1: 'a', b: 2, 0: 3 }),
  line({ msg: 'deep', deep }),
  line({ payload: { text: 'structured', password: 'p' }, other: 1 }, 30, { ...SPEC, messageKey: 'payload' }),
  line({ msg: 'iso time', time: '2026-12-03T10:00:00.250Z' }, 30, { ...SPEC, time: 'iso' }),
  line({ msg: 'unix time', time: 1_699_999_999.5 }, 30, { ...SPEC, time: 'unix' }),
  line({ msg: 'no time' }, 30, { ...SPEC, time: 'null' }),
  line({ msg: 'custom time', time: 'at noon' }, 30, { ...SPEC, time: 'custom' }),
  line({ message: 'other keys', error: { type: 'E', message: 'm' } }, 40, {
    ...SPEC,
    messageKey: 'message',
    errorKey: 'error',
  }),
];

function fieldsOf({ line: text, level, spec }: Line): PinoRecordFields {
  const fields = pinoLineToRecord(text, level, spec, NOW);
  assert.ok(fields, text);
  return fields;
}

/** The oracle: what the worker did before, through the Logs SDK. */
function sdkRecords(lines: Line[]): ReadableLogRecord[] {
  const out: ReadableLogRecord[] = [];
  const provider = new LoggerProvider({
    resource,
    processors: [
      new RedactingLogRecordProcessor(DEFAULT_LOG_REDACT_KEYS, ['token', 'code']),
      { onEmit: (record) => out.push(record), forceFlush: async () => {}, shutdown: async () => {} },
    ],
  });
  const logger = provider.getLogger(SCOPE_NAME);
  for (const l of lines) {
    const fields = fieldsOf(l);
    const time = millisToHrTime(fields.timestampMs);
    logger.emit({
      timestamp: time,
      observedTimestamp: time,
      severityNumber: fields.severityNumber,
      severityText: fields.severityText,
      body: fields.body as never,
      attributes: fields.attributes as never,
      exception: fields.exception,
      ...(fields.eventName !== undefined ? { eventName: fields.eventName } : {}),
      context:
        fields.traceId && fields.spanId
          ? trace.setSpanContext(ROOT_CONTEXT, {
              traceId: fields.traceId,
              spanId: fields.spanId,
              traceFlags: fields.traceFlags ?? 0,
              isRemote: false,
            })
          : ROOT_CONTEXT,
    });
  }
  return out;
}

function builtRecords(lines: Line[]): ReadableLogRecord[] {
  const rules = new RedactingLogRecordProcessor(DEFAULT_LOG_REDACT_KEYS, ['token', 'code']).rules;
  const scope: RecordScope = { name: SCOPE_NAME, version: undefined, schemaUrl: undefined };
  const builder = new PinoRecordBuilder(rules, resource, scope);
  return lines.map((l) => builder.build(fieldsOf(l)));
}

test('the official serializers write the same bytes for the built records as for the SDK’s', () => {
  const expected = sdkRecords(LINES);
  const actual = builtRecords(LINES);
  assert.equal(actual.length, LINES.length);
  for (const [name, serializer] of Object.entries({
    protobuf: transformer.ProtobufLogsSerializer,
    json: transformer.JsonLogsSerializer,
  })) {
    assert.deepEqual(
      Buffer.from(serializer.serializeRequest(actual)),
      Buffer.from(serializer.serializeRequest(expected)),
      `${name}: the whole request`,
    );
    // Record by record too, so that a difference names its line.
    for (let i = 0; i < LINES.length; i++)
      assert.deepEqual(
        Buffer.from(serializer.serializeRequest([actual[i]!])),
        Buffer.from(serializer.serializeRequest([expected[i]!])),
        `${name}: ${LINES[i]!.line}`,
      );
  }
});

test('records of one span share its span context; another span gets its own', () => {
  const [a, b, c] = builtRecords([
    line({ msg: 'a', ...IDS }),
    line({ msg: 'b', ...IDS }),
    line({ msg: 'c', ...IDS, span_id: 'a7ad6b7169203331' }),
  ]);
  assert.equal(a!.spanContext, b!.spanContext);
  assert.notEqual(b!.spanContext, c!.spanContext);
  assert.deepEqual(c!.spanContext, {
    traceId: TRACE_ID,
    spanId: 'a7ad6b7169203331',
    traceFlags: 1,
    isRemote: false,
  });
});

describe('over the wire, every OTLP protocol', () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  const exporters: Record<string, () => LogRecordExporter> = {
    'http/protobuf': () => new ProtoExporter({ url: `${receiver.httpEndpoint}/v1/logs` }),
    'http/json': () => new JsonExporter({ url: `${receiver.httpEndpoint}/v1/logs` }),
    grpc: () => new GrpcExporter({ url: receiver.grpcEndpoint }),
  };

  for (const [protocol, create] of Object.entries(exporters)) {
    test(`${protocol}: the built records arrive byte for byte as the SDK’s`, async () => {
      const exporter = create();
      const send = (records: ReadableLogRecord[]) =>
        new Promise<ExportResult>((resolve) => exporter.export(records, resolve));
      const first = receiver.requests.length;
      assert.equal((await send(sdkRecords(LINES))).code, 0);
      assert.equal((await send(builtRecords(LINES))).code, 0);
      await exporter.shutdown();
      const [oracle, built] = receiver.requests.slice(first);
      assert.ok(oracle && built, 'both requests arrived');
      assert.equal(built.transport, protocol);
      assert.ok(built.raw.length > 1000, `a request of ${built.raw.length} bytes`);
      assert.deepEqual(built.raw, oracle.raw, 'same bytes');
      assert.deepEqual(built.body, oracle.body, 'same decoded request');

      // What the decoded request says, from the built records alone.
      const records = logsOf({ requests: [built] } as unknown as OtlpReceiver);
      assert.equal(records.length, LINES.length);
      const byBody = (body: string) => records.find((r) => r.body === body)!;
      const placed = byBody('order placed');
      assert.deepEqual(
        [placed.traceId, placed.spanId, placed.severityNumber, placed.severityText, placed.scope],
        [TRACE_ID, SPAN_ID, 9, 'info', SCOPE_NAME],
      );
      assert.deepEqual(placed.attributes, { orderId: 7, user: { id: 3, roles: ['a', 'b'] } });
      assert.deepEqual(placed.resource, { 'service.name': 'orders', 'host.name': 'box', 'process.pid': 42 });
      const login = records.find((r) => String(r.body).startsWith('login'))!;
      assert.doesNotMatch(JSON.stringify(login), /hunter2|"abc"|"Bearer x"|"p"|"t"|"k"|"s"/);
      assert.equal(login.attributes.password, '[Redacted]');
      assert.deepEqual(byBody('failed').attributes, {
        'exception.type': 'TypeError',
        'exception.message': 'boom',
        'exception.stacktrace': 'TypeError: boom\n    at x',
      });
      assert.equal(byBody('zero span id').traceId, '', 'an invalid span context is not sent');
      assert.deepEqual(
        [byBody('custom level').severityNumber, byBody('custom level').severityText],
        [11, 'notice'],
      );
      assert.equal(Object.keys(byBody('many').attributes).length, ATTRIBUTE_COUNT_LIMIT);
    });
  }
});
