import {
  context as contextApi,
  isSpanContextValid,
  trace,
  type Logger,
  type LoggerProvider,
  type LogRecord,
} from '@opentelemetry/api';
import { type ApiLogRecord } from './worker-protocol.ts';

export interface ApiRecordSink {
  pushApiRecord(record: ApiLogRecord): void;
}

/** The pino instrumentation's own log sending uses this scope; see WorkerLoggerProvider. */
const PINO_INSTRUMENTATION_SCOPE = '@opentelemetry/instrumentation-pino';

/**
 * The global OTel LoggerProvider: records emitted through the Logs API (the kit's stuck-request warning,
 * an app using the API directly) go to the logs worker like pino lines do. The active span is read here,
 * on the calling thread, because the worker has no context of its own.
 *
 * Records from the pino instrumentation's own log sending are ignored while the kit's pino hook is active,
 * so a pino record is never sent twice whichever of the two is configured.
 */
export class WorkerLoggerProvider implements LoggerProvider {
  readonly #sink: ApiRecordSink;
  readonly #pinoHookActive: () => boolean;

  constructor(sink: ApiRecordSink, pinoHookActive: () => boolean) {
    this.#sink = sink;
    this.#pinoHookActive = pinoHookActive;
  }

  getLogger(name: string, version?: string): Logger {
    const sink = this.#sink;
    const skip = name === PINO_INSTRUMENTATION_SCOPE ? this.#pinoHookActive : () => false;
    return {
      enabled: () => !skip(),
      emit(record: LogRecord): void {
        if (skip()) return;
        const now = Date.now();
        const spanContext = trace.getSpanContext(record.context ?? contextApi.active());
        const ids = spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
        sink.pushApiRecord({
          scope: name,
          scopeVersion: version,
          timestamp: record.timestamp ?? now,
          observedTimestamp: record.observedTimestamp ?? now,
          severityNumber: record.severityNumber,
          severityText: record.severityText,
          body: record.body,
          attributes: record.attributes,
          exception: record.exception,
          eventName: record.eventName,
          traceId: ids?.traceId,
          spanId: ids?.spanId,
          traceFlags: ids?.traceFlags,
        });
      },
    };
  }
}
