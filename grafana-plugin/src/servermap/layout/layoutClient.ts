import { budgetedLayout, type BudgetedLayout, type BudgetInput } from './budget';
import { createLayoutWorker } from './createLayoutWorker';
import { type LayoutReply, type LayoutRequest } from './protocol';
import { type LayoutEdge, type LayoutNode, type LayoutProgress } from './types';

export interface LayoutJobResult extends BudgetedLayout {
  where: 'worker' | 'main';
  /** Set when the worker could not be used and the layout ran on the main thread. */
  fallbackNote?: string;
}

export interface LayoutJob {
  promise: Promise<LayoutJobResult>;
  /** Stops the layout (terminates its worker); the promise then never settles. */
  cancel(): void;
}

/**
 * One idle worker is kept for the next layout (starting one costs a script load and compile); a running layout
 * has a worker of its own, so cancelling terminates only that one.
 */
let idle: Worker | undefined;
let nextId = 1;
/** Why workers are not used on this page any more (the first failure is remembered, not retried per layout). */
let unavailable: string | undefined;
/** Counters for tests and the bench: layouts run in a worker, on the main thread as a fallback, cancelled. */
export const layoutWorkerStats = {
  started: 0,
  workerDone: 0,
  fallbacks: 0,
  cancelled: 0,
  workersCreated: 0,
  /** The latest worker layout: when it was posted, first heard of, and answered (performance.now()). */
  last: { postedAt: 0, firstReplyAt: 0, doneAt: 0 },
};

/** Why no worker is used on this page (undefined while workers work). */
export function workerUnavailable(): string | undefined {
  return unavailable;
}

/** A worker that failed to load: the page stops using workers (the first failure is not retried per job). */
export function markWorkerUnavailable(reason: string): void {
  unavailable ??= reason;
}

/**
 * A worker for one job (the idle one, or a new one); throws, and marks workers unavailable, when none can start.
 * The model build (modelClient.ts) shares the idle worker with the layouts.
 */
export function takeWorker(): Worker {
  try {
    return idleOrNewWorker();
  } catch (err) {
    markWorkerUnavailable(`the Web Worker could not start (${err instanceof Error ? err.message : String(err)})`);
    throw err;
  }
}

function idleOrNewWorker(): Worker {
  if (idle) {
    const w = idle;
    idle = undefined;
    return w;
  }
  const w = createLayoutWorker();
  layoutWorkerStats.workersCreated++;
  return w;
}

/** Gives a worker back after its job (kept as the idle worker, or terminated when there is one). */
export function releaseWorker(w: Worker) {
  if (idle) {
    w.terminate();
  } else {
    idle = w;
  }
}

/**
 * Starts the idle worker ahead of the first large layout (the panel calls this while its queries run), so its
 * script is fetched and compiled before the data arrives.
 */
export function prewarmLayoutWorker(): void {
  if (idle || unavailable) {
    return;
  }
  try {
    idle = createLayoutWorker();
    layoutWorkerStats.workersCreated++;
  } catch (err) {
    unavailable = `the Web Worker could not start (${err instanceof Error ? err.message : String(err)})`;
  }
}

function onMainThread<N extends LayoutNode, E extends LayoutEdge>(
  input: BudgetInput<N, E>,
  reason: string,
  onProgress?: (p: LayoutProgress) => void
): LayoutJob {
  let cancelled = false;
  layoutWorkerStats.fallbacks++;
  const promise = new Promise<LayoutJobResult>((resolve, reject) => {
    // After the current task, so the panel first shows that it is laying out.
    setTimeout(() => {
      if (cancelled) {
        return;
      }
      try {
        resolve({
          ...budgetedLayout(input, onProgress),
          where: 'main',
          fallbackNote: `Layout ran on the main thread: ${reason}`,
        });
      } catch (err) {
        reject(err);
      }
    }, 0);
  });
  return {
    promise,
    cancel: () => {
      cancelled = true;
    },
  };
}

/**
 * Lays a map out in the layout worker (budgeted when `input.budgetMs` is set), with progress; falls back to the
 * main thread, with a note, where no worker can start.
 */
export function startLayout<N extends LayoutNode, E extends LayoutEdge>(
  input: BudgetInput<N, E>,
  onProgress?: (p: LayoutProgress) => void
): LayoutJob {
  layoutWorkerStats.started++;
  if (unavailable) {
    return onMainThread(input, unavailable, onProgress);
  }
  let worker: Worker;
  try {
    worker = takeWorker();
  } catch {
    return onMainThread(input, unavailable ?? 'the Web Worker could not start', onProgress);
  }
  const id = nextId++;
  let settled = false;
  let heard = false;
  let fallback: LayoutJob | undefined;
  const promise = new Promise<LayoutJobResult>((resolve, reject) => {
    const finish = () => {
      settled = true;
      worker.onmessage = null;
      worker.onerror = null;
    };
    worker.onmessage = (ev: MessageEvent<LayoutReply>) => {
      const reply = ev.data;
      if (!heard) {
        layoutWorkerStats.last.firstReplyAt = performance.now();
      }
      heard = true;
      if (reply?.id !== id) {
        return;
      }
      if (reply.type === 'progress') {
        onProgress?.(reply.progress);
      } else if (reply.type === 'done') {
        finish();
        layoutWorkerStats.workerDone++;
        layoutWorkerStats.last.doneAt = performance.now();
        releaseWorker(worker);
        resolve({ ...reply.result, where: 'worker' });
      } else {
        finish();
        releaseWorker(worker);
        reject(new Error(reply.message));
      }
    };
    // A worker script that cannot load (404, a CSP without worker-src) fails here, before any message.
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      finish();
      worker.terminate();
      if (!heard) {
        unavailable = `the layout worker did not load${ev.message ? ` (${ev.message})` : ''}`;
        fallback = onMainThread(input, unavailable, onProgress);
        fallback.promise.then(resolve, reject);
      } else {
        reject(new Error(ev.message || 'layout worker failed'));
      }
    };
  });
  const request: LayoutRequest = {
    type: 'layout',
    id,
    // Only what the layout reads crosses to the worker (a node's stats and histograms would cost more to copy
    // than to lay out).
    input: {
      nodes: input.nodes.map((n) => ({ id: n.id })),
      edges: input.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
      weights: input.weights,
      edgeWeights: input.edgeWeights,
      pinned: input.pinned,
      budgetMs: input.budgetMs,
    },
  };
  layoutWorkerStats.last = { postedAt: performance.now(), firstReplyAt: 0, doneAt: 0 };
  worker.postMessage(request);
  return {
    promise,
    cancel: () => {
      fallback?.cancel();
      if (!settled) {
        settled = true;
        layoutWorkerStats.cancelled++;
        worker.onmessage = null;
        worker.onerror = null;
        // The layout cannot be interrupted inside the worker: the worker goes, the next layout starts a new one.
        worker.terminate();
      }
    },
  };
}
