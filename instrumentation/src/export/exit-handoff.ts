import { type BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { type ExportHealth } from '../diagnostics/export-health.ts';
import { type WorkerSpanExporter } from '../tracing/worker-span-exporter.ts';
import { type ExportWorkerHost } from './worker-host.ts';

export interface ExitHandOffParts {
  traces: Array<{ processor: BatchSpanProcessor; exporter: WorkerSpanExporter }>;
  metrics: { handOffAtExit(): boolean } | undefined;
  logs: { handOffAtExit(): boolean } | undefined;
}

/**
 * process.exit() (or the end of an `exit` listener): no asynchronous work can run any more. Everything
 * queued — spans, log records, the metrics' current values — is posted to the export worker, and this
 * thread blocks (Atomics.wait) until the worker has exported it or LGTM_APM_SHUTDOWN_TIMEOUT_MS has passed;
 * what is still being sent then is lost, and said so in one line. A process with nothing queued pays
 * nothing. Each final export has a short timeout (FINAL_EXPORT_TIMEOUT_MS) and no retry, so the wait is
 * normally well under a second even with a dead backend; the deadline matters when the machine is so busy
 * that the worker (started now, if it was not running) gets little CPU.
 */
export function handOffAtExit(
  parts: ExitHandOffParts,
  host: ExportWorkerHost,
  health: ExportHealth,
  shutdownTimeoutMs: number,
): void {
  let spans = 0;
  for (const { processor, exporter } of parts.traces) spans += handOffSpans(processor, exporter);
  const metrics = parts.metrics?.handOffAtExit() ?? false;
  const logs = parts.logs?.handOffAtExit() ?? false;
  if (!spans && !metrics && !logs) return;
  health.beginShutdown();
  const outcome = host.flushAtExit(shutdownTimeoutMs);
  if ('reason' in outcome) {
    const timedOut = 'timedOut' in outcome;
    if (spans && !timedOut) health.recordExitFlushFailure(spans, outcome.reason);
    health.endShutdown(timedOut ? shutdownTimeoutMs : undefined);
    return;
  }
  const { traces: tracesFailure, metrics: metricsFailure, logs: logsFailure } = outcome.report;
  if (tracesFailure !== undefined) health.recordExitFlushFailure(spans, tracesFailure);
  if (metricsFailure !== undefined) health.recordSignalExportError('metrics', new Error(metricsFailure));
  if (logsFailure !== undefined) health.recordSignalExportError('logs', new Error(logsFailure));
}

/**
 * Posts the spans a batch processor still holds; returns how many are waiting for the worker. Normally its
 * forceFlush() hands them to the exporter at once (synchronously). But while the resource's asynchronous
 * detectors have not settled — an app that exits within milliseconds of starting — it defers the hand-over
 * to a promise that would never run, so then the queue is taken directly (the SDK's own field; if it is
 * ever renamed, this degrades to losing those spans).
 */
function handOffSpans(processor: BatchSpanProcessor, exporter: WorkerSpanExporter): number {
  exporter.prepareForShutdown();
  const queue = (processor as unknown as { _finishedSpans?: unknown })._finishedSpans;
  if (Array.isArray(queue) && queue.some((span: ReadableSpan) => span.resource?.asyncAttributesPending))
    exporter.export(queue.splice(0) as ReadableSpan[], () => {});
  else processor.forceFlush().catch(() => {});
  return exporter.waitingSpans;
}
