import { context, trace, isSpanContextValid, type SpanContext } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { type PinoLoggerSpec } from './pino-record.ts';

/** The parts of pino this hook touches (pino ≥ 7 exports its symbols; the instrumentation needs ≥ 5.14). */
interface PinoModule {
  (...args: unknown[]): PinoLogger;
  symbols: Record<string, symbol>;
  stdTimeFunctions?: Record<string, unknown>;
  pino?: unknown;
  default?: unknown;
}

interface PinoLogger {
  levels: { labels: Record<number, string> };
  [key: symbol]: unknown;
}

interface DestinationStream {
  write(line: string): unknown;
  [key: string | symbol]: unknown;
}

export interface LineSink {
  registerLogger(spec: PinoLoggerSpec): number;
  pushLine(loggerId: number, level: number, line: string): void;
}

const NEEDS_METADATA = Symbol.for('pino.metadata');
const DROPPED: PropertyDescriptor = { get: () => undefined, set: () => {}, configurable: true };
const METADATA_KEYS = new Set<string | symbol>(['lastLevel', 'lastObj', 'lastMsg', 'lastTime', 'lastLogger']);

/**
 * Wraps each pino logger's destination so that every line it writes
 *
 * - carries the active span's `trace_id`, `span_id` and `trace_flags` (the fields and values of
 *   @opentelemetry/instrumentation-pino's mixin, which the kit no longer loads), added as a fixed piece of
 *   JSON before the line's closing brace: per span one string is built, per record one insertion — where
 *   the mixin allocated an object per record, merged it into the log call's object and had pino serialize
 *   the three fields again each time;
 * - is also handed, with its numeric level, to the logs worker when a `sink` is given (logs on).
 *
 * The wrapper asks pino for the record's metadata (so the numeric level is exact whatever the app's
 * formatters do) and forwards everything else — flush, end, events, fd — to the app's own stream; stdout
 * gets pino's bytes plus the three fields. Child loggers share the parent's wrapped stream. Parsing
 * happens in the worker, never here.
 */
export class PinoLogHook extends InstrumentationBase {
  readonly #sink: LineSink | undefined;
  readonly #onPatched: () => void;

  constructor(sink: LineSink | undefined, onPatched: () => void = () => {}) {
    super('@lgtm-apm/instrumentation/pino-hook', '0.1.0', { enabled: true });
    this.#sink = sink;
    this.#onPatched = onPatched;
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition('pino', ['>=7 <11'], (module: unknown) => {
        const isEsm = (module as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'Module';
        const original = (isEsm ? (module as { default: PinoModule }).default : module) as PinoModule;
        if (typeof original !== 'function' || !original.symbols?.streamSym) return module;
        const sink = this.#sink;
        this.#onPatched();
        const patched = Object.assign(function pino(this: unknown, ...args: unknown[]) {
          const logger = original.apply(this, args);
          try {
            teeLogger(logger, original, sink);
          } catch {
            // An unusual logger shape: it logs as before, only not to Loki.
          }
          return logger;
        }, original) as PinoModule;
        if (typeof patched.pino === 'function') patched.pino = patched;
        if (typeof patched.default === 'function') patched.default = patched;
        if (isEsm) {
          const namespace = module as { pino?: unknown; default: unknown };
          if (namespace.pino) namespace.pino = patched;
          namespace.default = patched;
          return module;
        }
        return patched;
      }),
    ];
  }
}

function timeKind(logger: PinoLogger, pino: PinoModule): PinoLoggerSpec['time'] {
  const fn = logger[pino.symbols.timeSym!];
  const std = pino.stdTimeFunctions ?? {};
  if (fn === std.epochTime) return 'epoch';
  if (fn === std.unixTime) return 'unix';
  if (fn === std.isoTime) return 'iso';
  if (fn === std.nullTime) return 'null';
  return 'custom';
}

/**
 * The three correlation fields as a JSON fragment, built once per span context (a span's context object
 * is fixed for its life) and reused for every record logged under it.
 */
class TraceFields {
  #last: SpanContext | undefined;
  #fragment = '';

  /** `,"trace_id":…,"span_id":…,"trace_flags":"01"` for the active span; '' without a valid one. */
  current(): string {
    const span = trace.getSpan(context.active());
    if (!span) return '';
    const sc = span.spanContext();
    if (sc !== this.#last) {
      this.#last = sc;
      // Hex ids only (isSpanContextValid checks them), so nothing here needs JSON escaping.
      this.#fragment = isSpanContextValid(sc)
        ? `,"trace_id":"${sc.traceId}","span_id":"${sc.spanId}","trace_flags":"0${sc.traceFlags.toString(16)}"`
        : '';
    }
    return this.#fragment;
  }
}

/**
 * The fragment inserted before the line's last `}` (pino ends every line with `}` and its EOL). A line that
 * is not `{…}` plus line breaks (a `hooks.streamWrite` that rewrote it) is left as it is.
 */
function withTraceFields(line: string, fields: string): string {
  const end = line.lastIndexOf('}');
  if (end < 1 || line.charCodeAt(0) !== 0x7b) return line;
  for (let i = end + 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) return line;
  }
  // `{}` (everything formatted away) takes the fields without the leading comma.
  return line.charCodeAt(end - 1) === 0x7b
    ? `${line.slice(0, end)}${fields.slice(1)}${line.slice(end)}`
    : `${line.slice(0, end)}${fields}${line.slice(end)}`;
}

function teeLogger(logger: PinoLogger, pino: PinoModule, sink: LineSink | undefined): void {
  const streamSym = pino.symbols.streamSym!;
  const stream = logger[streamSym] as DestinationStream | undefined;
  if (!stream || typeof stream.write !== 'function') return;
  const id =
    sink?.registerLogger({
      messageKey: String(logger[pino.symbols.messageKeySym!] ?? 'msg'),
      errorKey: String(logger[pino.symbols.errorKeySym!] ?? 'err'),
      labels: { ...logger.levels.labels },
      time: timeKind(logger, pino),
    }) ?? 0;
  const fields = new TraceFields();
  // pino sets lastLevel (and lastObj, lastMsg, …) on the stream right before write() when the stream asks
  // for metadata. A stream that asked itself (multistream) still receives them; any other keeps its shape.
  const forwardMetadata = stream[NEEDS_METADATA] === true;
  let lastLevel = 30;
  const write = (line: string): unknown => {
    if (typeof line !== 'string') return stream.write(line);
    const ids = fields.current();
    const out = ids ? withTraceFields(line, ids) : line;
    const result = stream.write(out);
    sink?.pushLine(id, forwardMetadata ? lastLevel : wrapper.lastLevel, out);
    return result;
  };
  // Everything but the hot path goes through the Proxy: methods bound to the real stream, so its state
  // stays its own.
  const proxy = new Proxy(stream, {
    get(target, key) {
      if (key === 'write') return write;
      if (key === NEEDS_METADATA) return true;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, key, value) {
      if (key === 'lastLevel') lastLevel = value as number;
      return forwardMetadata || !METADATA_KEYS.has(key) ? Reflect.set(target, key, value, target) : true;
    },
  });
  // The hot path without Proxy traps: pino reads `write` and the metadata flag and sets five metadata
  // fields per record; as own properties of an object whose prototype is the Proxy, those cost what a
  // plain object costs (the traps were 0.3–1 µs per record in a micro-benchmark). lastObj and the others
  // are dropped, not kept: the last logged object must not stay reachable from here. A stream that wants
  // the metadata itself gets the Proxy directly, which forwards them.
  const wrapper: DestinationStream & { lastLevel: number } = forwardMetadata
    ? (proxy as DestinationStream & { lastLevel: number })
    : Object.create(proxy, {
        write: { value: write, writable: true, configurable: true },
        // Without a sink (logs off) the level is not needed: pino then skips setting the metadata.
        [NEEDS_METADATA]: { value: sink !== undefined, writable: true, configurable: true },
        lastLevel: { value: 30, writable: true, configurable: true },
        lastObj: DROPPED,
        lastMsg: DROPPED,
        lastTime: DROPPED,
        lastLogger: DROPPED,
      });
  logger[streamSym] = wrapper;
}
