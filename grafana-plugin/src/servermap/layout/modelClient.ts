import { type BuildOptions, type BuildResult, type ExtraTopology, type FilteredMap, type MapFilter, type ServerMap } from '../model';
import { runInSlices, type SlicedJob } from '../../shared/slices';
import { transferablesOf } from '../model/packFrames';
import { type FramesForWorker } from '../model/refillFrames';
import { unpackMapInSlices, type PackedMap } from '../model/packMap';
import { refillMapSteps, rememberMapText } from '../model/refillMap';
import { rememberLayout, lookupLayoutKeys } from './layout';
import { releaseWorker, takeWorker, markWorkerUnavailable } from './layoutClient';
import { layoutKeyHash, type ModelReply, type ModelRequest, type PackedFiltered } from './modelProtocol';
import { unpackLayout } from './packLayout';

export interface ModelJobResult {
  result: BuildResult;
  /** The model build in the worker (unpack + build). */
  modelMs: number;
  /** Main thread: rebuilding the map (and the layout) from the reply. */
  unpackMs: number;
  /** The layout key the worker laid out (already in the page's layout cache), if it laid one out. */
  layoutKey?: string;
  /** The map after the request's layout filter, and its topology key (computed in the worker). */
  filtered?: { filtered: FilteredMap; topology: string };
}

/** The filtered map from the worker's indexes into `map`; throws on an index outside it. */
function pickFiltered(map: ServerMap, f: PackedFiltered): { filtered: FilteredMap; topology: string } {
  // A plain loop: Array.from with a mapping function was ≈ 0.5 ms of a 1,000-node refresh's reply → drawn.
  const pick = <T>(all: readonly T[], idx: Int32Array): T[] => {
    const picked: T[] = [];
    for (let k = 0; k < idx.length; k++) {
      const item = all[idx[k]!];
      if (item === undefined) {
        throw new Error('map worker: filtered index out of range');
      }
      picked.push(item);
    }
    return picked;
  };
  return {
    filtered: {
      nodes: pick(map.nodes, f.nodes),
      edges: pick(map.edges, f.edges),
      hiddenByLimit: f.hiddenByLimit,
      hiddenByFilter: f.hiddenByFilter,
    },
    topology: f.topology,
  };
}

export interface ModelJob {
  promise: Promise<ModelJobResult>;
  /** Stops the job (terminates its worker); the promise then never settles. */
  cancel(): void;
}

let nextId = 1;

/**
 * The frames shape each worker was last asked to keep (a worker keeps one, whichever panel sent it): a refill
 * goes as numbers only to a worker that holds its shape, else with the structure again (the panel's copy).
 */
const keptBy = new WeakMap<Worker, number>();

/** Hashes of the page's layout keys (hundreds of KB each for a large map): each hashed once, not per request. */
const keyHashes = new Map<string, number>();

function knownLayoutHashes(): number[] {
  const keys = lookupLayoutKeys();
  const hashes = keys.map((key) => {
    let h = keyHashes.get(key);
    if (h === undefined) {
      h = layoutKeyHash(key);
      keyHashes.set(key, h);
    }
    return h;
  });
  if (keyHashes.size > keys.length) {
    // Keys the layout cache dropped.
    const live = new Set(keys);
    for (const key of keyHashes.keys()) {
      if (!live.has(key)) {
        keyHashes.delete(key);
      }
    }
  }
  return hashes;
}

/** The request's frames for this worker, and what to transfer with them. */
function framesMessage(input: FramesForWorker, worker: Worker): Pick<ModelRequest, 'frames' | 'keepShape'> & { transfer: ArrayBuffer[] } {
  if ('numbers' in input) {
    const transfer = [input.numbers.buffer as ArrayBuffer];
    return keptBy.get(worker) === input.shape.id
      ? { frames: { shape: input.shape.id, numbers: input.numbers }, transfer }
      : { frames: { ...input.shape.structure, numbers: input.numbers }, keepShape: input.shape.id, transfer };
  }
  return { frames: input.packed, keepShape: input.shape?.id, transfer: transferablesOf(input.packed) };
}

/** Counters for tests and the bench. */
export const modelWorkerStats = {
  started: 0,
  done: 0,
  failed: 0,
  /** Jobs whose frames went as numbers only (the worker kept their structure). */
  numbersOnly: 0,
  /** Replies read by the previous map's records (same topology: refillMapInPlace) instead of a rebuilt map. */
  mapsRefilled: 0,
  /**
   * The latest job: when the panel started packing its frames (after the render that brought them), packing
   * them (or refilling a kept shape: `refilled`), posting, the reply's arrival, and rebuilding the map from it.
   */
  last: { packStartAt: 0, packMs: 0, packSlices: 0, refilled: false, postedAt: 0, replyAt: 0, unpackMs: 0, modelMs: 0, mapRefilled: false },
};

/**
 * Builds the model from packed frames in a worker and, with `layout`, lays the filtered map out there too (the
 * layout goes into the page-wide cache, where useMapLayout finds it). Rejects when no worker can run it; the
 * caller then builds the model on the main thread. `previous`: the map this caller got from its last job (a map
 * from a reply): a reply with the same topology is read by that map's records (refillMapInPlace) instead of
 * rebuilding them.
 */
export function startModelBuild(
  frames: FramesForWorker,
  options: Partial<BuildOptions>,
  layout?: { filter: MapFilter; all: boolean; extra?: ExtraTopology },
  previous?: ServerMap
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
  let sliced: Pick<SlicedJob<unknown>, 'cancel'> | undefined;
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
      const fail = (err: unknown) => {
        modelWorkerStats.failed++;
        reject(err);
      };
      if (!reply.result.ok) {
        modelWorkerStats.done++;
        resolve({ result: reply.result, modelMs: reply.modelMs, unpackMs: 0 });
        return;
      }
      const packedLayout = reply.layout;
      const packedFiltered = reply.filtered;
      const deliver = (map: ServerMap, busyMs: number, t0: number) => {
        try {
          if (packedLayout) {
            rememberLayout(packedLayout.key, unpackLayout(packedLayout.layout), packedLayout.hidden);
          }
          const filtered = packedFiltered ? pickFiltered(map, packedFiltered) : undefined;
          const unpackMs = busyMs + performance.now() - t0;
          modelWorkerStats.done++;
          modelWorkerStats.last.unpackMs = unpackMs;
          modelWorkerStats.last.modelMs = reply.modelMs;
          resolve({ result: { ok: true, map }, modelMs: reply.modelMs, unpackMs, layoutKey: packedLayout?.key, filtered });
        } catch (err) {
          fail(err);
        }
      };
      const packedMap: PackedMap = reply.result.map;
      const rebuild = () => {
        // Rebuilt in slices: a large map is thousands of objects, more than one frame's worth of work.
        const unpacking = unpackMapInSlices(packedMap, packedFiltered);
        sliced = unpacking;
        unpacking.promise.then((map) => {
          rememberMapText(map, packedMap);
          deliver(map, unpacking.stats.busyMs, performance.now());
        }, fail);
      };
      modelWorkerStats.last.mapRefilled = false;
      if (!previous) {
        rebuild();
        return;
      }
      // The same map with new numbers (a refresh): the previous map's records are kept and pointed at the reply's
      // numbers, allocating next to nothing. Nothing is read ahead: the scene reads the few numbers it shows
      // straight from the reply (shownNumbers), and the tooltip and details build a record's statistics when
      // they show it. Another map: rebuilt.
      const refilling = runInSlices(refillMapSteps(previous, packedMap));
      sliced = refilling;
      refilling.promise.then((refilled) => {
        if (!refilled) {
          rebuild();
          return;
        }
        modelWorkerStats.last.mapRefilled = true;
        modelWorkerStats.mapsRefilled++;
        deliver(refilled, refilling.stats.busyMs, performance.now());
      }, fail);
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
  const { transfer, ...message } = framesMessage(frames, worker);
  const request: ModelRequest = {
    type: 'model',
    id,
    ...message,
    options,
    layout: layout && { ...layout, known: knownLayoutHashes() },
  };
  modelWorkerStats.last.postedAt = performance.now();
  try {
    worker.postMessage(request, transfer);
    if (request.keepShape !== undefined) {
      keptBy.set(worker, request.keepShape);
    } else if ('numbers' in frames) {
      modelWorkerStats.numbersOnly++;
    }
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
      sliced?.cancel();
      if (!settled) {
        finish();
        // A model build cannot be interrupted inside the worker: the worker goes, the next job starts a new one.
        worker.terminate();
      }
    },
  };
}
