/**
 * SIGTERM/SIGINT: flush what is queued, then behave exactly as the app would without the kit.
 * - The app has its own handler: it owns the shutdown; the kit only starts a flush and never exits.
 * - It has none: Node's default is to die by the signal, so after the kit's shutdown (bounded by the
 *   timeout) the kit removes itself and re-raises the same signal, giving the same exit status as before.
 * A second signal while flushing re-raises at once (Ctrl-C twice must always work).
 */
export interface SignalActions {
  /** The app handles the signal: flush, and keep running. */
  flush(): Promise<void>;
  /** Nobody else does: stop the kit (itself bounded by the timeout), the process dies next. */
  shutdown(): Promise<void>;
  /**
   * The backstop re-raises before shutdown() settled (a starved machine can delay the kit's own deadline past
   * it). Death by a signal emits no 'exit' event, so this is the last chance to print the shutdown line.
   */
  abandon(waitedMs: number): void;
}

/** The re-raise waits this much past the timeout at most, so the kit's own shutdown line comes first. */
const BACKSTOP_MARGIN_MS = 250;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export function installSignalHandlers(actions: SignalActions, timeoutMs: number): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of SIGNALS) {
    let flushing = false;
    const handler = (): void => {
      const appHandlers = process.listeners(signal).filter((l) => l !== handler);
      if (appHandlers.length > 0) {
        void actions.flush().catch(() => {});
        return;
      }
      if (flushing) {
        reRaise(signal, handler);
        return;
      }
      flushing = true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs + BACKSTOP_MARGIN_MS);
      });
      const startedAt = Date.now();
      let settled = false;
      const shutdown = actions.shutdown().then(
        () => void (settled = true),
        () => void (settled = true),
      );
      void Promise.race([shutdown, timeout]).then(() => {
        clearTimeout(timer);
        if (!settled) actions.abandon(Date.now() - startedAt);
        reRaise(signal, handler);
      });
    };
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
  return () => {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
  };
}

function reRaise(signal: NodeJS.Signals, handler: () => void): void {
  process.removeListener(signal, handler);
  // If the app added a handler meanwhile, it now owns the signal; otherwise Node's default applies.
  process.kill(process.pid, signal);
}
