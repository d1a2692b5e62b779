import {
  logs,
  SeverityNumber,
  trace,
  ROOT_CONTEXT,
  type Logger,
  type LoggerProvider,
} from '@opentelemetry/api';
import { type KitConfig } from '../config/config.ts';
import { type ExportHealth } from '../diagnostics/export-health.ts';
import { type StuckRequestInfo } from '../active-requests/processor.ts';
import { WorkerLoggerProvider } from './api-logger.ts';
import { PinoLogHook } from './pino-hook.ts';
import { LogWorkerClient } from './worker-client.ts';
import { type ExportWorkerHost } from '../export/worker-host.ts';

export interface LogsPipeline {
  /** The global OTel LoggerProvider; its records go to the logs worker. */
  loggerProvider: LoggerProvider;
  /** The kit's own logger (stuck-request warnings), on the same pipeline as the app's pino records. */
  kitLogger: Logger;
  /** Tees pino's lines to the worker (to pass to registerInstrumentations). */
  hook: PinoLogHook;
  /** Package names for the ESM loader hook. */
  moduleNames: string[];
  forceFlush(): Promise<void>;
  /** process.exit(): posts what is still waiting to the export worker; true if the worker has records. */
  handOffAtExit(): boolean;
  shutdown(): Promise<void>;
}

/**
 * pino lines (through `hook`) and Logs API records (through the global provider) → a worker thread that
 * parses, redacts, batches and exports them over OTLP http/protobuf to Loki (README "Logs" says why a
 * worker and not the instrumentation's in-thread sending). The main thread keeps only a bounded array of
 * serialized lines.
 */
export function startLogs(config: KitConfig, host: ExportWorkerHost, health: ExportHealth): LogsPipeline {
  const client = new LogWorkerClient({
    config: config.logs,
    host,
    flushTimeoutMs: config.shutdownTimeoutMs,
    events: {
      onDropped: (count, reason) => health.recordDroppedLogs(count, reason),
      // A batch the backend refused is one problem: the failure line counts its records.
      onLost: (count, error) => health.recordLostLogs(count, error),
      onExportError: (error) => health.recordSignalExportError('logs', error),
      onWorkerFailed: (error) =>
        health.recordSignalExportError(
          'logs',
          new Error(`the logs worker stopped, logs are no longer sent: ${error.message}`),
        ),
    },
  });
  let pinoHooked = false;
  const hook = new PinoLogHook(client, () => (pinoHooked = true));
  const loggerProvider = new WorkerLoggerProvider(client, () => pinoHooked);
  logs.setGlobalLoggerProvider(loggerProvider);
  return {
    loggerProvider,
    kitLogger: loggerProvider.getLogger('@lgtm-apm/instrumentation', '0.1.0'),
    hook,
    moduleNames: ['pino'],
    forceFlush: () => client.flush(),
    handOffAtExit: () => client.handOffAtExit(),
    shutdown: () => client.shutdown(),
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
