import { type ChannelName } from './worker-protocol.ts';

/**
 * The shared memory through which the export worker answers the main thread while the main thread is
 * blocked in process.exit() (Atomics.wait): no message can be received then, so the outcome is written
 * here. Layout: Int32 [0] state (0 waiting, 1 done), Int32 [1] byte length of the report, then the report
 * as UTF-8 JSON (what failed, per signal), cut to fit.
 */
export type ExitReport = Partial<Record<ChannelName, string>>;

const HEADER_BYTES = 8;
const REPORT_BYTES = 4096;

export function createExitSignal(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER_BYTES + REPORT_BYTES);
}

/** Worker side: writes the report and wakes the main thread. */
export function signalExitDone(buffer: SharedArrayBuffer, report: ExitReport): void {
  const state = new Int32Array(buffer, 0, 2);
  const bytes = new Uint8Array(buffer, HEADER_BYTES);
  let text = JSON.stringify(report);
  let encoded = new TextEncoder().encode(text);
  if (encoded.length > bytes.length) {
    // Error texts are short; if they are not, the signals that failed still fit.
    text = JSON.stringify(Object.fromEntries(Object.keys(report).map((k) => [k, 'failed'])));
    encoded = new TextEncoder().encode(text);
  }
  bytes.set(encoded);
  Atomics.store(state, 1, encoded.length);
  Atomics.store(state, 0, 1);
  Atomics.notify(state, 0);
}

/**
 * Main side: blocks this thread until the worker is done or `timeoutMs` has passed. Returns the report, or
 * `undefined` when the deadline came first.
 */
export function waitForExitDone(buffer: SharedArrayBuffer, timeoutMs: number): ExitReport | undefined {
  const state = new Int32Array(buffer, 0, 2);
  const deadline = Date.now() + timeoutMs;
  // Atomics.wait can return early only when notified; the loop guards against a spurious 'ok'.
  while (Atomics.load(state, 0) === 0) {
    const left = deadline - Date.now();
    if (left <= 0) return undefined;
    Atomics.wait(state, 0, 0, left);
  }
  const length = Atomics.load(state, 1);
  try {
    return JSON.parse(
      new TextDecoder().decode(new Uint8Array(buffer, HEADER_BYTES, length).slice()),
    ) as ExitReport;
  } catch {
    return {};
  }
}
