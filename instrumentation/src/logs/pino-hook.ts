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
const METADATA_KEYS = new Set<string | symbol>(['lastLevel', 'lastObj', 'lastMsg', 'lastTime', 'lastLogger']);

/**
 * Tees every line a pino logger writes to the logs worker. It wraps each logger's destination in a Proxy
 * that asks pino for the record's metadata (so the numeric level is exact whatever the app's formatters do)
 * and forwards `write` calls; everything else — flush, end, events, fd — reaches the app's own stream
 * untouched, and stdout gets exactly the bytes it got before. Child loggers share the parent's wrapped
 * stream. Parsing happens in the worker, never here.
 *
 * Trace ids come from the pino instrumentation's mixin, which has already put them into the line.
 */
export class PinoLogHook extends InstrumentationBase {
  readonly #sink: LineSink;
  readonly #onPatched: () => void;

  constructor(sink: LineSink, onPatched: () => void) {
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

function teeLogger(logger: PinoLogger, pino: PinoModule, sink: LineSink): void {
  const streamSym = pino.symbols.streamSym!;
  const stream = logger[streamSym] as DestinationStream | undefined;
  if (!stream || typeof stream.write !== 'function') return;
  const id = sink.registerLogger({
    messageKey: String(logger[pino.symbols.messageKeySym!] ?? 'msg'),
    errorKey: String(logger[pino.symbols.errorKeySym!] ?? 'err'),
    labels: { ...logger.levels.labels },
    time: timeKind(logger, pino),
  });
  // pino sets lastLevel (and lastObj, lastMsg, …) on the stream right before write() when the stream asks
  // for metadata. A stream that asked itself (multistream) still receives them; any other keeps its shape.
  const forwardMetadata = stream[NEEDS_METADATA] === true;
  let lastLevel = 30;
  const write = (line: string): unknown => {
    const result = stream.write(line);
    if (typeof line === 'string') sink.pushLine(id, lastLevel, line);
    return result;
  };
  logger[streamSym] = new Proxy(stream, {
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
}
