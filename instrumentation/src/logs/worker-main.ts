import { ROOT_CONTEXT, trace, type Context, type Logger } from '@opentelemetry/api';
import { type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PinoRecordBuilder, type RecordScope } from './exported-record.ts';
import {
  createConsoleLogExporter,
  createOtlpLogExporter,
  LazyLogExporter,
  preloadOtlpLogExporter,
} from './log-exporter.ts';
import { pinoLineToRecord, type PinoLoggerSpec } from './pino-record.ts';
import { BoundedLogRecordProcessor, RedactingLogRecordProcessor } from './processors.ts';
import { type ApiLogRecord, type FromLogsWorker, type ToLogsWorker } from './worker-protocol.ts';
import { type LogsConfig } from '../config/signals-config.ts';
import { type WorkerChannelHandler } from '../export/worker-protocol.ts';

/** The scope pino records have always had (dashboards and tests know it), shaped as the SDK's Logger has it. */
const PINO_SCOPE: RecordScope = {
  name: '@opentelemetry/instrumentation-pino',
  version: undefined,
  schemaUrl: undefined,
};

function contextFor(
  traceId: string | undefined,
  spanId: string | undefined,
  traceFlags: number | undefined,
): Context | undefined {
  if (!traceId || !spanId) return undefined;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId,
    traceFlags: traceFlags ?? 0,
    isRemote: false,
  });
}

/**
 * The worker half of log sending (see worker-client.ts): pino lines are parsed here, get their trace ids
 * from the line itself, and go through the same pipeline as before — redaction → bounded batch → OTLP
 * http/protobuf — with the same resource as the app's traces and metrics. Returns the channel's message
 * handler; the pipeline is built on the channel's `init` message.
 */
export function createLogsChannel(
  post: (message: FromLogsWorker) => void,
  resource: Resource,
): WorkerChannelHandler<ToLogsWorker> {
  let pipeline: WorkerChannelHandler<ToLogsWorker> | undefined;
  return {
    handle(message) {
      if (message.t === 'init') pipeline = startLogsPipeline(post, resource, message.config);
      else pipeline?.handle(message);
    },
    failed(message, error) {
      if (pipeline) pipeline.failed(message, error);
      else if (message.t === 'batch') post({ t: 'ack', count: message.lines.length + message.api.length });
    },
    exit: () => pipeline?.exit() ?? Promise.resolve(undefined),
  };
}

function startLogsPipeline(
  post: (message: FromLogsWorker) => void,
  resource: Resource,
  config: LogsConfig,
): WorkerChannelHandler<ToLogsWorker> {
  let exitFailure: string | undefined;
  let queueFull = 0;
  let unreadable = 0;
  const reportDrops = (): void => {
    if (queueFull) {
      post({
        t: 'dropped',
        count: queueFull,
        reason: `the export queue is full (OTEL_BLRP_MAX_QUEUE_SIZE=${config.batch.maxQueueSize}); the logs backend is slow or unreachable`,
      });
      queueFull = 0;
    }
    if (unreadable) {
      post({
        t: 'dropped',
        count: unreadable,
        reason: 'pino wrote lines that are not JSON objects (a custom serializer or streamWrite hook?)',
      });
      unreadable = 0;
    }
  };
  const redacting = new RedactingLogRecordProcessor(config.redactKeys, config.redactQueryParams);
  const processors: LogRecordProcessor[] = [redacting];
  /** One bounded queue per exporter: pino records are handed to them directly (see emitLines). */
  const queues: BoundedLogRecordProcessor[] = [];
  const exporters: LazyLogExporter[] = [];
  for (const name of config.exporters) {
    const holder: { bounded?: BoundedLogRecordProcessor } = {};
    const exporter = new LazyLogExporter(
      (final) => (name === 'console' ? createConsoleLogExporter() : createOtlpLogExporter(config, final)),
      {
        onHanded: (count) => holder.bounded?.handedToExporter(count),
        onLost: (count, error) => {
          const text = error instanceof Error ? error.message : String(error);
          exitFailure = `${count} log records: ${text}`;
          post({ t: 'lost', count, error: text });
        },
      },
    );
    exporters.push(exporter);
    const batch = new BatchLogRecordProcessor({ exporter, ...config.batch });
    // Counted here, reported once per message: a flood must not turn into a message per dropped record.
    const bounded = new BoundedLogRecordProcessor(batch, config.batch.maxQueueSize, (count) => {
      queueFull += count;
    });
    holder.bounded = bounded;
    processors.push(bounded);
    queues.push(bounded);
  }
  // Loaded now rather than on the first export: a burst arriving while the exporter's code is still being
  // compiled would otherwise overflow the queue.
  if (config.exporters.includes('otlp')) preloadOtlpLogExporter(config.protocol);
  const provider = new LoggerProvider({ resource, processors });
  const pinoRecords = new PinoRecordBuilder(redacting.rules, resource, PINO_SCOPE);
  let shutDown = false;
  const apiLoggers = new Map<string, Logger>();
  const specs = new Map<number, PinoLoggerSpec>();

  /** Records of the batch being handled that were emitted or counted as unreadable (see `failed`). */
  let taken = 0;
  // pino lines skip the SDK's Logger and processor chain: each line is parsed once into the record the
  // exporters read (exported-record.ts, same bytes on the wire), redacted, and queued for every exporter.
  // Logs API records below keep the SDK path (their values can be anything an app passes).
  const emitLines = (lines: string[], meta: number[]): void => {
    // After shutdown the SDK's Logger took records and dropped them; so do these.
    if (shutDown) {
      taken += lines.length;
      return;
    }
    const now = Date.now();
    for (let i = 0; i < lines.length; i++, taken++) {
      const spec = specs.get(meta[2 * i]!);
      const fields = spec && pinoLineToRecord(lines[i]!, meta[2 * i + 1]!, spec, now);
      if (!fields) {
        unreadable++;
        continue;
      }
      const record = pinoRecords.build(fields);
      for (const queue of queues) queue.enqueue(record);
    }
  };

  const emitApi = (records: ApiLogRecord[]): void => {
    for (const { scope, scopeVersion, traceId, spanId, traceFlags, ...record } of records) {
      const key = `${scope}\u0000${scopeVersion ?? ''}`;
      let logger = apiLoggers.get(key);
      if (!logger) apiLoggers.set(key, (logger = provider.getLogger(scope, scopeVersion)));
      logger.emit({ ...record, context: contextFor(traceId, spanId, traceFlags) ?? ROOT_CONTEXT });
      taken++;
    }
  };

  const settle = (id: number, work: Promise<unknown>): void => {
    reportDrops();
    void work
      .catch((error: unknown) =>
        post({ t: 'error', error: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => post({ t: 'flushed', id }));
  };

  const handle = (message: ToLogsWorker): void => {
    switch (message.t) {
      case 'batch': {
        taken = 0;
        for (const [id, spec] of message.loggers) specs.set(id, spec);
        emitLines(message.lines, message.meta);
        emitApi(message.api);
        post({ t: 'ack', count: message.lines.length + message.api.length });
        reportDrops();
        return;
      }
      case 'flush':
        settle(message.id, provider.forceFlush());
        return;
      case 'shutdown':
        shutDown = true;
        for (const exporter of exporters) exporter.prepareForShutdown();
        settle(message.id, provider.shutdown());
        return;
      case 'init':
        return;
    }
  };
  return {
    handle,
    failed(message, error) {
      switch (message.t) {
        case 'batch': {
          // Taken off the channel all the same, or the app's side would count them as queued for ever; those
          // emitted before the error are in the batch processor and go out with the next export.
          const count = message.lines.length + message.api.length;
          post({ t: 'ack', count });
          if (count > taken)
            post({ t: 'lost', count: count - taken, error: `log records could not be emitted: ${error}` });
          return;
        }
        case 'flush':
        case 'shutdown':
          post({ t: 'flushed', id: message.id });
          return;
      }
    },
    async exit() {
      exitFailure = undefined;
      for (const exporter of exporters) exporter.prepareForShutdown();
      await provider.forceFlush().catch((error: unknown) => {
        exitFailure ??= error instanceof Error ? error.message : String(error);
      });
      reportDrops();
      return exitFailure;
    },
  };
}
