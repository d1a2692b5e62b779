import { logs, SeverityNumber, trace, ROOT_CONTEXT, type Logger } from '@opentelemetry/api';
import { type Resource } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { type KitConfig } from '../config/config.ts';
import { type ExportHealth } from '../diagnostics/export-health.ts';
import { createConsoleLogExporter, createOtlpLogExporter, LazyLogExporter } from './log-exporter.ts';
import { BoundedLogRecordProcessor, RedactingLogRecordProcessor } from './processors.ts';
import { type StuckRequestInfo } from '../active-requests/processor.ts';

export interface LogsPipeline {
  loggerProvider: LoggerProvider;
  /** The kit's own logger (stuck-request warnings), on the same pipeline as the app's pino records. */
  kitLogger: Logger;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * LoggerProvider → redaction → bounded batch → OTLP http/protobuf to Loki. pino records reach it through
 * the pino instrumentation's log sending (see README "Logs" for why not a transport), which reads the
 * global logger provider set here.
 */
export function startLogs(config: KitConfig, resource: Resource, health: ExportHealth): LogsPipeline {
  const processors: LogRecordProcessor[] = [new RedactingLogRecordProcessor(config.logs.redactKeys)];
  const exporters: LazyLogExporter[] = [];
  for (const name of config.logs.exporters) {
    const holder: { bounded?: BoundedLogRecordProcessor } = {};
    const exporter = new LazyLogExporter(
      (final) =>
        name === 'console' ? createConsoleLogExporter() : createOtlpLogExporter(config.logs, final),
      {
        onHanded: (count) => holder.bounded?.handedToExporter(count),
        onLost: (count, error) => {
          health.recordDroppedLogs(count, 'the logs backend did not accept a batch');
          health.recordSignalExportError('logs', error);
        },
      },
    );
    exporters.push(exporter);
    const batch = new BatchLogRecordProcessor({ exporter, ...config.logs.batch });
    const bounded = new BoundedLogRecordProcessor(batch, config.logs.batch.maxQueueSize, (count) =>
      health.recordDroppedLogs(
        count,
        `the export queue is full (OTEL_BLRP_MAX_QUEUE_SIZE=${config.logs.batch.maxQueueSize}); the logs backend is slow or unreachable`,
      ),
    );
    holder.bounded = bounded;
    processors.push(bounded);
  }
  const loggerProvider = new LoggerProvider({ resource, processors });
  logs.setGlobalLoggerProvider(loggerProvider);
  return {
    loggerProvider,
    kitLogger: loggerProvider.getLogger('@lgtm-apm/instrumentation', '0.1.0'),
    forceFlush: () =>
      loggerProvider.forceFlush().catch((e: unknown) => health.recordSignalExportError('logs', e)),
    shutdown: () => {
      for (const exporter of exporters) exporter.prepareForShutdown();
      return loggerProvider.shutdown().catch((e: unknown) => health.recordSignalExportError('logs', e));
    },
  };
}

/** The stuck-request warning as a log record in the request's own trace, so Loki links it to Tempo. */
export function emitStuckRequest(logger: Logger, info: StuckRequestInfo, stuckMs: number): void {
  logger.emit({
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    body: `request still running after ${info.elapsedMs} ms: ${info.method} ${info.route}`,
    attributes: {
      'lgtm_apm.event': 'stuck_request',
      'http.request.method': info.method,
      'http.route': info.route,
      'lgtm_apm.elapsed_ms': info.elapsedMs,
      'lgtm_apm.stuck_request_ms': stuckMs,
    },
    context: trace.setSpan(ROOT_CONTEXT, info.span),
  });
}
