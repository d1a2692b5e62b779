import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { buildServerMap, type BuildOptions, type BuildResult, type ExtraTopology, type FilteredMap, type FrameLike, type MapFilter, type ServerMap } from './model';
import { framesSize } from './model/packFrames';
import { framesForWorkerInSlices, type FramesShape } from './model/refillFrames';
import { prewarmLayoutWorker, workerUnavailable } from './layout/layoutClient';
import { type ModelJob, modelWorkerStats, startModelBuild } from './layout/modelClient';
import { warmNumberFormat } from './render/format';

/**
 * Inputs from this size (framesSize: ~280 nodes of per-series or table frames) build their model in the map
 * worker; smaller ones during the render (a few ms, less than the worker's round trip and a "Building…" frame).
 */
export const MODEL_IN_WORKER_MIN_SIZE = 45_000;

export interface BuiltModel {
  result: BuildResult;
  /** Model build time (in the worker, or on the main thread). */
  ms: number;
  where: 'main' | 'worker';
  /** Main thread: packing the frames for the worker, and rebuilding the map from its reply. */
  packMs?: number;
  unpackMs?: number;
  /** The layout key the worker laid out with the model (now in the page's layout cache). */
  layoutKey?: string;
  /**
   * The map after `filter` (the layout filter the build was asked with, the same object) and its topology key,
   * computed in the worker: the panel uses them while its filter is still that object.
   */
  prefiltered?: { filter: MapFilter; filtered: FilteredMap; topology: string };
  /** No map yet: the first worker build is running (later builds keep the previous map meanwhile). */
  pending: boolean;
}

/** No map yet: the first worker build is running. */
const FIRST_BUILD: BuiltModel = {
  result: { ok: false, error: 'Building the map…', warnings: [] },
  ms: 0,
  where: 'worker',
  pending: true,
};

function buildHere(series: readonly FrameLike[] | undefined, options: Partial<BuildOptions>): BuiltModel {
  const t0 = performance.now();
  const result = buildServerMap(series, options);
  return { result, ms: performance.now() - t0, where: 'main', pending: false };
}

/** Only what role detection reads of the panel's queries crosses to the worker (targets may hold anything). */
function cloneableOptions(options: Partial<BuildOptions>): Partial<BuildOptions> {
  return { ...options, queries: options.queries?.map((q) => ({ refId: q.refId, expr: q.expr, hide: q.hide })) };
}

/**
 * The server-map model of the panel's frames: built during the render for small inputs, in the map worker for
 * large ones (with the filtered map's layout when `layoutFor` is given, so a large first paint is one round
 * trip). While a worker build runs, the previous map stays (a refresh keeps what is on screen).
 * `options` must be memoised: a new object builds again.
 */
export function useServerMapModel(
  series: readonly FrameLike[] | undefined,
  options: Partial<BuildOptions>,
  layoutFor?: { filter: MapFilter; all: boolean; extra?: ExtraTopology }
): BuiltModel {
  const large = useMemo(
    () => typeof Worker !== 'undefined' && !workerUnavailable() && framesSize(series, MODEL_IN_WORKER_MIN_SIZE) >= MODEL_IN_WORKER_MIN_SIZE,
    [series]
  );
  const here = useMemo(() => (large ? undefined : buildHere(series, options)), [large, series, options]);
  const [fromWorker, setFromWorker] = useState<{ series: typeof series; options: typeof options; built: BuiltModel }>();
  const layoutRef = useRef(layoutFor);
  // The structure of the frames last packed: a refresh with the same series sends only their numbers.
  const shapeRef = useRef<FramesShape>();
  // The map of the last worker build: a reply with the same topology is read by its records (refillMap.ts).
  const mapRef = useRef<ServerMap>();
  useLayoutEffect(() => {
    layoutRef.current = layoutFor;
  });
  useEffect(() => {
    if (!large) {
      return;
    }
    const done = (built: BuiltModel) => {
      mapRef.current = built.where === 'worker' && built.result.ok ? built.result.map : undefined;
      setFromWorker({ series, options, built });
    };
    // The worker's script loads and compiles while the frames are packed.
    prewarmLayoutWorker();
    // In a task of its own (not this commit's, nor a packing slice), while the worker builds: the first number
    // formatting of the page would otherwise land in the task that renders the map.
    const warming = setTimeout(warmNumberFormat, 0);
    let job: ModelJob | undefined;
    // Packed in slices between frames (a few hundred ms for a large input on a busy machine), or only their
    // numbers copied when the series are those of the last pack, then posted.
    modelWorkerStats.last.packStartAt = performance.now();
    const packing = framesForWorkerInSlices(series ?? [], shapeRef.current);
    packing.promise.then(
      (frames) => {
        const packMs = packing.stats.busyMs;
        modelWorkerStats.last.packMs = packMs;
        modelWorkerStats.last.packSlices = packing.stats.slices;
        modelWorkerStats.last.refilled = 'numbers' in frames;
        if ('packed' in frames) {
          shapeRef.current = frames.shape;
        }
        const layoutFor = layoutRef.current;
        job = startModelBuild(frames, cloneableOptions(options), layoutFor, mapRef.current);
        job.promise.then(
          (r) =>
            done({
              result: r.result,
              ms: r.modelMs,
              where: 'worker',
              packMs,
              unpackMs: r.unpackMs,
              layoutKey: r.layoutKey,
              prefiltered: r.filtered && layoutFor ? { filter: layoutFor.filter, ...r.filtered } : undefined,
              pending: false,
            }),
          () => done(buildHere(series, options))
        );
      },
      // A frame the packer cannot read: the model build reports it (as an error result) on the main thread.
      () => done(buildHere(series, options))
    );
    return () => {
      clearTimeout(warming);
      packing.cancel();
      job?.cancel();
    };
  }, [large, series, options]);

  // While newer frames are built, the previous map is returned as it was (the same object), so nothing that
  // depends on it (filter, scene, timings, the draw) runs again before the new map arrives.
  return here ?? fromWorker?.built ?? FIRST_BUILD;
}
