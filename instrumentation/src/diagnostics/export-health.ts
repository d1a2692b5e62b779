import { type DiagLogger } from '@opentelemetry/api';
import { type Warner } from './warner.ts';

/**
 * Counts what the SDK loses and turns it into at most one warning per minute per kind.
 * The SDK reports queue overflow only through `diag.warn("Dropped N spans because maxQueueSize reached")`
 * and export failures through the global error handler, so both are routed here.
 */
const SIGNAL_ORDER = ['traces', 'metrics', 'logs'];

export class ExportHealth {
  droppedSpans = 0;
  failedExports = 0;
  /** Spans in batches the backend did not accept. */
  lostSpans = 0;
  readonly #warner: Warner;
  /**
   * While the kit shuts down, failures are collected per signal and reported as one line at the end
   * (endShutdown): at exit every signal's last export fails the same way, and four lines, some twice, for
   * one dead backend is noise. After that line, late answers are not reported again.
   */
  #closing: Map<string, string> | undefined;
  #closed = false;

  constructor(warner: Warner) {
    this.#warner = warner;
  }

  beginShutdown(): void {
    this.#closing ??= new Map();
  }

  /** Prints the one shutdown line, if anything failed or the deadline cut the flush short. */
  endShutdown(timedOutAfterMs: number | undefined): void {
    if (this.#closed || !this.#closing) return;
    this.#closed = true;
    // In a fixed order, whichever failed first: the line reads the same in every run.
    const failed = [...this.#closing]
      .sort(([a], [b]) => SIGNAL_ORDER.indexOf(a) - SIGNAL_ORDER.indexOf(b))
      .map(([signal, reason]) => `${signal} (${reason})`);
    this.#closing = undefined;
    const parts: string[] = [];
    if (failed.length) parts.push(`could not deliver the last ${failed.join(', ')}`);
    if (timedOutAfterMs !== undefined)
      parts.push(
        `stopped waiting after ${timedOutAfterMs} ms (LGTM_APM_SHUTDOWN_TIMEOUT_MS); what was still being sent is lost`,
      );
    if (parts.length) this.#warner.warn('shutdown', `shutdown: ${parts.join('; ')}. The app is unaffected`);
  }

  /** True (and the failure noted) when the kit is shutting down and lines are held for the summary. */
  #held(signal: string, error: unknown): boolean {
    if (this.#closed) return true;
    if (!this.#closing) return false;
    if (!this.#closing.has(signal)) {
      const text = error instanceof Error ? error.message : String(error);
      this.#closing.set(signal, redactSecretsInText(text));
    }
    return true;
  }

  recordDroppedSpans(count: number): void {
    this.droppedSpans += count;
    if (this.#held('traces', 'export queue full')) return;
    this.#warner.warn(
      'dropped-spans',
      `dropped ${count} spans because the export queue was full (total ${this.droppedSpans}); ` +
        'the trace backend is slow or unreachable, or OTEL_BSP_MAX_QUEUE_SIZE is too small',
    );
  }

  recordLostSpans(count: number): void {
    this.lostSpans += count;
  }

  /** Spans the process.exit() hand-off could not deliver (export/exit-handoff.ts). */
  recordExitFlushFailure(count: number, reason: string): void {
    this.recordLostSpans(count);
    if (this.#held('traces', `${count} spans queued at process.exit() were not exported: ${reason}`)) return;
    this.#warner.warn(
      'exit-flush',
      `${count} spans queued at process.exit() were not exported: ${redactSecretsInText(reason)}`,
    );
  }

  recordExportError(error: unknown): void {
    this.failedExports += 1;
    if (this.#held('traces', error)) return;
    const text = error instanceof Error ? error.message : String(error);
    this.#warner.warn(
      'export-failed',
      `export failed (${this.failedExports} failed exports, ${this.lostSpans} spans lost so far): ${redactSecretsInText(text)}. ` +
        'The app is unaffected; check the OTLP endpoint (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and the backend',
    );
  }

  /** Metrics and logs failures, reported apart from traces so the warning names the right endpoint. */
  failedSignalExports = { metrics: 0, logs: 0 };
  /** Log records not exported: queue full (backend slow or down) or batch refused. */
  droppedLogs = 0;

  recordSignalExportError(signal: 'metrics' | 'logs', error: unknown): void {
    this.failedSignalExports[signal] += 1;
    if (this.#held(signal, error)) return;
    const text = error instanceof Error ? error.message : String(error);
    const lost = signal === 'logs' ? `, ${this.droppedLogs} log records dropped so far` : '';
    this.#warner.warn(
      `export-failed-${signal}`,
      `${signal} export failed (${this.failedSignalExports[signal]} failed exports${lost}): ${redactSecretsInText(text)}. ` +
        `The app is unaffected; check OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_ENDPOINT and the backend`,
    );
  }

  /** Records in a batch the logs backend did not take: counted in the logs failure line, not a line of their own. */
  recordLostLogs(count: number, error: unknown): void {
    this.droppedLogs += count;
    this.recordSignalExportError('logs', error);
  }

  recordDroppedLogs(count: number, reason: string): void {
    this.droppedLogs += count;
    if (this.#held('logs', reason)) return;
    this.#warner.warn(
      'dropped-logs',
      `dropped log records: ${reason} (${this.droppedLogs} dropped in total); stdout logging is unaffected`,
    );
  }

  /** A diag logger that keeps SDK chatter off the app's stderr except for warnings worth a human's time. */
  diagLogger(verbose: boolean): DiagLogger {
    const forward =
      (level: string) =>
      (message: string, ...args: unknown[]) => {
        const dropped = /^Dropped (\d+) (spans|logs|log records)/.exec(message);
        if (dropped) {
          this.recordDroppedSpans(Number(dropped[1]));
          return;
        }
        // The metrics reader's own failure line ("metrics export timed out") is the same problem as the
        // kit's "metrics export failed": counted under that one kind, one line a minute covers both.
        if (message.startsWith('PeriodicExportingMetricReader:')) {
          this.recordSignalExportError(
            'metrics',
            new Error(message.replace('PeriodicExportingMetricReader: ', '')),
          );
          return;
        }
        // A batch larger than the queue: the configuration already reported it (config/parse.ts batchSizes).
        if (/^Batch(Span|LogRecord)Processor: maxExportBatchSize/.test(message)) return;
        // The SDK's own lines while shutting down repeat what the shutdown line says (export timed out).
        if (this.#closing || this.#closed) return;
        const rest = args.length
          ? ' ' + args.map((a) => (a instanceof Error ? a.message : safeString(a))).join(' ')
          : '';
        this.#warner.warn(
          `diag-${level}-${message.slice(0, 60)}`,
          `${level}: ${redactSecretsInText(message + rest)}`,
        );
      };
    const silent = () => {};
    return {
      error: forward('error'),
      warn: forward('warn'),
      info: verbose ? forward('info') : silent,
      debug: verbose ? forward('debug') : silent,
      verbose: verbose ? forward('verbose') : silent,
    };
  }
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Error texts can echo URLs with credentials (e.g. an endpoint with user:password@). */
export function redactSecretsInText(text: string): string {
  return text.replace(/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1REDACTED:REDACTED@');
}
