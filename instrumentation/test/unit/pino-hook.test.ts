// The kit's pino hook on its own (no preload): trace ids written into the line pino serialized, the same
// line teed with its exact level, and the app's stream left in charge of everything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type pinoFactory from 'pino';
import { PinoLogHook, type LineSink } from '../../src/logs/pino-hook.ts';
import { type PinoLoggerSpec } from '../../src/logs/pino-record.ts';

const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
trace.setGlobalTracerProvider(new TracerProvider());
const tracer = trace.getTracer('test');

class Sink implements LineSink {
  lines: Array<{ id: number; level: number; line: string }> = [];
  specs: PinoLoggerSpec[] = [];
  registerLogger(spec: PinoLoggerSpec): number {
    this.specs.push(spec);
    return this.specs.length;
  }
  pushLine(id: number, level: number, line: string): void {
    this.lines.push({ id, level, line });
  }
}

/** pino patched by a hook (what require-in-the-middle hands the hook when the app loads pino). */
function hookedPino(sink: LineSink | undefined) {
  const hook = new PinoLogHook(sink);
  // Patched by hand below, once: the hook's own require hook stays out of the way.
  hook.disable();
  const definition = (hook as unknown as { init(): Array<{ patch(m: unknown): unknown }> }).init()[0]!;
  const pino = createRequire(import.meta.url)('pino');
  return definition.patch(pino) as typeof pinoFactory;
}

function memoryStream() {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      written.push(String(chunk));
      callback();
    },
  });
  return { stream, written };
}

test('pino hook: lines logged in a span carry its ids (stdout and the teed copy), lines outside carry none', () => {
  const sink = new Sink();
  const { stream, written } = memoryStream();
  const logger = hookedPino(sink)({ base: undefined, timestamp: false }, stream);
  let ids: { traceId: string; spanId: string } | undefined;
  tracer.startActiveSpan('op', (span) => {
    ids = span.spanContext();
    logger.info({ orderId: 1 }, 'in span');
    logger.child({ component: 'c' }).warn('child in span');
    span.end();
  });
  logger.info('outside');
  const parsed = written.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(parsed[0], {
    level: 30,
    orderId: 1,
    msg: 'in span',
    trace_id: ids!.traceId,
    span_id: ids!.spanId,
    trace_flags: '01',
  });
  assert.equal(parsed[1]!.trace_id, ids!.traceId);
  assert.equal(parsed[1]!.component, 'c');
  assert.equal(parsed[2]!.trace_id, undefined);
  assert.deepEqual(
    sink.lines.map((l) => [l.level, l.line]),
    written.map((l, i) => [[30, 40, 30][i], l]),
  );
});

test('pino hook: exact level whatever the formatter, an emptied line stays valid JSON, logs-off mode only correlates', () => {
  const sink = new Sink();
  const { stream, written } = memoryStream();
  const logger = hookedPino(sink)(
    {
      base: undefined,
      timestamp: false,
      formatters: { level: (label: string) => ({ severity: label.toUpperCase() }), log: () => ({}) },
    },
    stream,
  );
  tracer.startActiveSpan('op', (span) => {
    logger.error('x');
    span.end();
  });
  assert.equal(sink.lines[0]!.level, 50);
  const line = JSON.parse(written[0]!) as Record<string, unknown>;
  assert.equal(line.severity, 'ERROR');
  assert.equal(typeof line.trace_id, 'string');

  const bare = memoryStream();
  const noSink = hookedPino(undefined)({ base: undefined, timestamp: false }, bare.stream);
  tracer.startActiveSpan('op', (span) => {
    noSink.info('y');
    span.end();
  });
  assert.equal((JSON.parse(bare.written[0]!) as Record<string, unknown>).span_id === undefined, false);
});

test('pino hook: a multistream still gets pino metadata and every stream its line', () => {
  const sink = new Sink();
  const a = memoryStream();
  const b = memoryStream();
  const pino = hookedPino(sink);
  const logger = pino(
    { base: undefined, timestamp: false, level: 'debug' },
    pino.multistream([
      { stream: a.stream, level: 'debug' },
      { stream: b.stream, level: 'warn' },
    ]),
  );
  logger.debug('d');
  logger.warn('w');
  assert.equal(a.written.length, 2);
  assert.equal(b.written.length, 1);
  assert.deepEqual(
    sink.lines.map((l) => l.level),
    [20, 40],
  );
});

test('pino hook: a line rewritten into something other than a JSON object is written as it is', () => {
  const { stream, written } = memoryStream();
  const logger = hookedPino(undefined)(
    { base: undefined, timestamp: false, hooks: { streamWrite: (s: string) => `plain: ${s.trim()} tail\n` } },
    stream,
  );
  tracer.startActiveSpan('op', (span) => {
    logger.info('z');
    span.end();
  });
  assert.equal(written[0], 'plain: {"level":30,"msg":"z"} tail\n');
});
