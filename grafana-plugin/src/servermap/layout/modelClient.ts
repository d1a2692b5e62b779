import { type BuildOptions, type BuildResult, type MapFilter } from '../model';
import { type PackedFrames, transferablesOf } from '../model/packFrames';
import { unpackMap } from '../model/packMap';
import { rememberLayout, lookupLayoutKeys } from './layout';
import { releaseWorker, takeWorker, markWorkerUnavailable } from './layoutClient';
import { layoutKeyHash, type ModelReply, type ModelRequest } from './modelProtocol';
import { unpackLayout } from './packLayout';

export interface ModelJobResult {
  result: BuildResult;
  /** The model build in the worker (unpack + build). */
  modelMs: number;
  /** Main thread: rebuilding the map (and the layout) from the reply. */
  unpackMs: number;
  /** The layout key the worker laid out (already in the page's layout cache), if it laid one out. */
  layoutKey?: string;
}

export interface ModelJob {
  promise: Promise<ModelJobResult>;
  /** Stops the job (terminates its worker); the promise then never settles. */
  cancel(): void;
}

let nextId = 1;

/** Counters for tests and the bench. */
export const modelWorkerStats = {
  started: 0,
  done: 0,
  failed: 0,
  /** The latest job: packing the frames, posting, the reply's arrival, and rebuilding the map from it. */
  last: { packMs: 0, postedAt: 0, replyAt: 0, unpackMs: 0, modelMs: 0 },
};

/**
 * Builds the model from packed frames in a worker and, with `layout`, lays the filtered map out there too (the
 * layout goes into the page-wide cache, where useMapLayout finds it). Rejects when no worker can run it; the
 * caller then builds the model on the main thread.
 */
export function startModelBuild(
  frames: PackedFrames,
  options: Partial<BuildOptions>,
  layout?: { filter: MapFilter; all: boolean }
): ModelJob {
  modelWorkerStats.started++;
  let worker: Worker;
  try {
    worker = takeWorker();
  } catch (err) {
    modelWorkerStats.failed++;
    return { promise: Promise.reject(err), cancel: () => {} };
  }
  const id = nextId++;
  let settled = false;
  const finish = () => {
    settled = true;
    worker.onmessage = null;
    worker.onerror = null;
  };
  const promise = new Promise<ModelJobResult>((resolve, reject) => {
    worker.onmessage = (ev: MessageEvent<ModelReply>) => {
      const reply = ev.data;
      if (reply?.id !== id) {
        return;
      }
      modelWorkerStats.last.replyAt = performance.now();
      finish();
      releaseWorker(worker);
      if (reply.type !== 'model-done') {
        modelWorkerStats.failed++;
        reject(new Error(reply.type === 'error' ? reply.message : 'map worker: unexpected reply'));
        return;
      }
      try {
        const t0 = performance.now();
        const result: BuildResult = reply.result.ok ? { ok: true, map: unpackMap(reply.result.map) } : reply.result;
        if (reply.layout) {
          rememberLayout(reply.layout.key, unpackLayout(reply.layout.layout), reply.layout.hidden);
        }
        const unpackMs = performance.now() - t0;
        modelWorkerStats.done++;
        modelWorkerStats.last.unpackMs = unpackMs;
        modelWorkerStats.last.modelMs = reply.modelMs;
        resolve({ result, modelMs: reply.modelMs, unpackMs, layoutKey: reply.layout?.key });
      } catch (err) {
        modelWorkerStats.failed++;
        reject(err);
      }
    };
    // A worker script that cannot load (404, a CSP without worker-src) fails here, before any message.
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      finish();
      worker.terminate();
      markWorkerUnavailable(`the map worker did not load${ev.message ? ` (${ev.message})` : ''}`);
      modelWorkerStats.failed++;
      reject(new Error(ev.message || 'map worker failed'));
    };
  });
  const request: ModelRequest = {
    type: 'model',
    id,
    frames,
    options,
    layout: layout && { ...layout, known: lookupLayoutKeys().map(layoutKeyHash) },
  };
  modelWorkerStats.last.postedAt = performance.now();
  try {
    worker.postMessage(request, transferablesOf(frames));
  } catch (err) {
    // Options that cannot be cloned (a query target holding a function): build where the panel is.
    finish();
    releaseWorker(worker);
    modelWorkerStats.failed++;
    return { promise: Promise.reject(err), cancel: () => {} };
  }
  return {
    promise,
    cancel: () => {
      if (!settled) {
        finish();
        // A model build cannot be interrupted inside the worker: the worker goes, the next job starts a new one.
        worker.terminate();
      }
    },
  };
}
