import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { type LazySpanExporter } from '../tracing/lazy-span-exporter.ts';
import { toHandOff } from './exit-handoff.ts';
import { FINAL_EXPORT_TIMEOUT_MS } from './final-export.ts';

/** How long an exiting app may wait for its last spans: child start-up plus one final export. */
export const EXIT_FLUSH_BUDGET_MS = 2000 + FINAL_EXPORT_TIMEOUT_MS;

export type ExitFlushResult = { ok: true } | { ok: false; reason: string };

/**
 * The spans a batch processor still holds, taken synchronously. Normally its forceFlush() hands them to
 * the exporter at once. But while the resource's asynchronous detectors (host id, container id) have not
 * settled — an app that exits within milliseconds of starting — it defers the hand-over to a promise that
 * would never run, so then the queue is taken directly (the SDK's own field; if it is ever renamed, this
 * degrades to losing those spans, as before).
 */
export function takeQueuedSpans(processor: BatchSpanProcessor, exporter: LazySpanExporter): ReadableSpan[] {
  exporter.captureForExit();
  const queue = (processor as unknown as { _finishedSpans?: unknown })._finishedSpans;
  if (Array.isArray(queue) && queue.some((span: ReadableSpan) => span.resource?.asyncAttributesPending))
    return [...exporter.takeCapturedForExit(), ...(queue.splice(0) as ReadableSpan[])];
  processor.forceFlush().catch(() => {});
  return exporter.takeCapturedForExit();
}

/**
 * Exports ended spans while the process is exiting (`process.exit()` or the end of an `exit` listener),
 * when no asynchronous work can run any more: a child process does the network I/O and this thread waits
 * for it, at most EXIT_FLUSH_BUDGET_MS. Only called with spans to send, so a quiet exit costs nothing.
 */
export function exportSpansAtExit(spans: readonly ReadableSpan[], senderDir: string = __dirname): ExitFlushResult {
  const sender = join(senderDir, 'exit-sender.cjs');
  if (!existsSync(sender)) return { ok: false, reason: `${sender} is missing` };
  // The child must not instrument itself: it inherits the app's environment for the exporter settings.
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const run = spawnSync(process.execPath, [sender], {
    input: JSON.stringify(toHandOff(spans)),
    env,
    timeout: EXIT_FLUSH_BUDGET_MS,
    stdio: ['pipe', 'ignore', 'pipe'],
    windowsHide: true,
  });
  if (run.error) return { ok: false, reason: run.error.message };
  if (run.status !== 0) return { ok: false, reason: run.stderr.toString().trim() || `sender exited ${run.status ?? run.signal}` };
  return { ok: true };
}
