/** A job run in slices between the page's other tasks; see runInSlices. */
export interface SlicedJob<T> {
  promise: Promise<T>;
  /** Stops it; the promise then never settles. */
  cancel(): void;
  /** Main-thread time spent in the slices, and how many there were. */
  stats: { busyMs: number; slices: number };
}

/**
 * Runs a generator (whose `yield`s mark where it may pause) in slices of about `sliceMs`, yielding to the page in
 * between, so long work on the main thread never becomes one long task that freezes the tab. A generator that
 * throws rejects the promise.
 */
export function runInSlices<T>(steps: Generator<void, T>, sliceMs = 8): SlicedJob<T> {
  let cancelled = false;
  const stats = { busyMs: 0, slices: 0 };
  // A message to itself, not setTimeout: nested timeouts are clamped to 4 ms each. Where there is no
  // MessageChannel (old test environments), a timeout does.
  const channel: Pick<MessageChannel, 'port1' | 'port2'> =
    typeof MessageChannel === 'function' ? new MessageChannel() : timeoutChannel();
  const promise = new Promise<T>((resolve, reject) => {
    const slice = () => {
      if (cancelled) {
        return;
      }
      const start = performance.now();
      stats.slices++;
      try {
        for (;;) {
          const step = steps.next();
          const now = performance.now();
          if (step.done) {
            stats.busyMs += now - start;
            channel.port1.close();
            resolve(step.value);
            return;
          }
          if (now - start >= sliceMs) {
            stats.busyMs += now - start;
            channel.port2.postMessage(null);
            return;
          }
        }
      } catch (err) {
        channel.port1.close();
        reject(err);
      }
    };
    channel.port1.onmessage = slice;
    slice();
  });
  return {
    promise,
    stats,
    cancel: () => {
      cancelled = true;
      channel.port1.close();
    },
  };
}

/** Runs the same generator to the end at once (tests, small inputs). */
export function runToEnd<T>(steps: Generator<void, T>): T {
  let step = steps.next();
  while (!step.done) {
    step = steps.next();
  }
  return step.value;
}

/** The part of a MessageChannel runInSlices uses, on setTimeout. */
function timeoutChannel(): Pick<MessageChannel, 'port1' | 'port2'> {
  let closed = false;
  const port1 = {
    onmessage: null as null | (() => void),
    close: () => {
      closed = true;
    },
  };
  const port2 = {
    postMessage: () => {
      setTimeout(() => !closed && port1.onmessage?.(), 0);
    },
  };
  return { port1, port2 } as unknown as Pick<MessageChannel, 'port1' | 'port2'>;
}
