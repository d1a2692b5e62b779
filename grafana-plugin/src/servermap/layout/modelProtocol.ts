import { buildServerMap, filterMap, withExtraTopology, type BuildOptions, type ExtraTopology, type MapFilter } from '../model';
import { isPacked, isTyped, unpackFrames, type PackedFrames } from '../model/packFrames';
import { packMap, packedMapTransferables, type PackedMap } from '../model/packMap';
import { budgetedLayout } from './budget';
import { topologyKey } from './layout';
import { laidOutInWorker, layoutInputOf, layoutKey, pinnedNodeIds } from './layoutInput';
import { packLayout, packedLayoutTransferables, type PackedLayout } from './packLayout';

/**
 * Main thread → map worker: build the model from these frames and, when `layout` is given and the filtered map
 * is large, lay it out too, so a large map's first paint needs one round trip and no model build on the main
 * thread. The options are plain data (the panel's query targets reduced to what role detection reads).
 */
export interface ModelRequest {
  type: 'model';
  id: number;
  /** The frames packed, or only their numbers for a structure the worker kept (see refillFrames.ts). */
  frames: PackedFrames | RefilledFrames;
  /** Keep these packed frames' structure under this id: the next request may then send only numbers. */
  keepShape?: number;
  options: Partial<BuildOptions>;
  layout?: {
    filter: MapFilter;
    all: boolean;
    /** Hashes (layoutKeyHash) of the layout keys the page has already: those are not laid out again. */
    known: number[];
    /**
     * Lay out the map with these nodes and links added (an overlay's, e.g. compare's union); no filtered map is
     * sent back then, since it would be of the larger map.
     */
    extra?: ExtraTopology;
  };
}

/** A refresh's numbers, in the packed order of the frames the worker kept as `shape`. */
export interface RefilledFrames {
  shape: number;
  numbers: Float64Array;
}

/** What a map worker keeps between requests: the structure of the last frames it was asked to keep. */
export interface FramesMemory {
  kept?: { shape: number; frames: PackedFrames };
}

/** The request's frames: as sent, or the kept structure with the sent numbers; throws when they do not fit. */
function framesOf(req: ModelRequest, memory: FramesMemory): PackedFrames {
  const refill = req.frames as Partial<RefilledFrames> | undefined;
  if (typeof refill?.shape === 'number') {
    const kept = memory.kept;
    if (!kept || kept.shape !== refill.shape) {
      throw new Error(`map worker: frames ${refill.shape} are not kept here`);
    }
    const numbers = refill.numbers;
    if (!isTyped(numbers, 'Float64Array') || numbers!.length !== kept.frames.numbers.length) {
      throw new Error('map worker: the numbers do not fit the kept frames');
    }
    return { ...kept.frames, numbers: numbers! };
  }
  if (req.keepShape !== undefined && isPacked(req.frames)) {
    memory.kept = { shape: req.keepShape, frames: req.frames };
  }
  return req.frames as PackedFrames;
}

/** The layout of the filtered map, as budgetedLayout returned it, with its positions packed. */
export interface PackedBudgetedLayout {
  key: string;
  layout: PackedLayout;
  hidden: number;
}

/**
 * The map after the request's filter, as indexes into the map's nodes and links (the panel takes the same
 * objects from the map it rebuilt, instead of filtering and keying it again on the main thread).
 */
export interface PackedFiltered {
  nodes: Int32Array;
  edges: Int32Array;
  hiddenByLimit: number;
  hiddenByFilter: number;
  /** topologyKey of the filtered map. */
  topology: string;
}

/** BuildResult with the map packed (see packMap.ts). */
export type PackedBuildResult = { ok: true; map: PackedMap } | { ok: false; error: string; warnings: string[] };

export type ModelReply =
  | {
      type: 'model-done';
      id: number;
      result: PackedBuildResult;
      /** Time to unpack the frames and build the model in the worker. */
      modelMs: number;
      layout?: PackedBudgetedLayout;
      filtered?: PackedFiltered;
    }
  | { type: 'error'; id: number; message: string };

/**
 * FNV-1a over a layout key: a layout key names every node and link (hundreds of KB for a large map), too much
 * to send back and forth; a collision only makes the worker skip a layout the panel then runs itself.
 */
export function layoutKeyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Where each of `part` (a filtered subsequence of `all`, same objects, same order) sits in `all`. */
function indexesOf<T>(all: readonly T[], part: readonly T[]): Int32Array {
  const out = new Int32Array(part.length);
  let j = 0;
  for (let i = 0; i < all.length && j < part.length; i++) {
    if (all[i] === part[j]) {
      out[j++] = i;
    }
  }
  if (j !== part.length) {
    throw new Error('filtered map is not a subsequence of the map');
  }
  return out;
}

/**
 * What the worker does with a model request; a plain function so unit tests run it without a Worker. `memory`
 * is the worker's own (one per worker): the frames structure it was asked to keep.
 */
export function answerModelRequest(
  req: ModelRequest,
  post: (reply: ModelReply, transfer: ArrayBuffer[]) => void,
  memory: FramesMemory = {}
): void {
  const t0 = performance.now();
  let result: ReturnType<typeof buildServerMap>;
  try {
    result = buildServerMap(unpackFrames(framesOf(req, memory)), req.options);
  } catch (err) {
    post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) }, []);
    return;
  }
  const modelMs = performance.now() - t0;
  let layout: PackedBudgetedLayout | undefined;
  let packedFiltered: PackedFiltered | undefined;
  if (result.ok && req.layout) {
    try {
      const extra = req.layout.extra;
      const map = extra ? withExtraTopology(result.map, extra) : result.map;
      const filtered = filterMap(map, req.layout.filter);
      const topology = topologyKey(filtered.nodes, filtered.edges);
      packedFiltered = extra
        ? undefined
        : {
            nodes: indexesOf(map.nodes, filtered.nodes),
            edges: indexesOf(map.edges, filtered.edges),
            hiddenByLimit: filtered.hiddenByLimit,
            hiddenByFilter: filtered.hiddenByFilter,
            topology,
          };
      if (laidOutInWorker(filtered)) {
        const key = layoutKey(topology, req.layout.all);
        if (!req.layout.known.includes(layoutKeyHash(key))) {
          const input = layoutInputOf(filtered, pinnedNodeIds(filtered.nodes, req.layout.filter.focus), req.layout.all);
          const laid = budgetedLayout(input);
          layout = { key, layout: packLayout(laid.layout), hidden: laid.hidden };
        }
      }
    } catch {
      // The panel filters and lays the map out itself then (and reports a failure as for its own layouts).
      layout = undefined;
      packedFiltered = undefined;
    }
  }
  const transfer: ArrayBuffer[] = layout ? packedLayoutTransferables(layout.layout) : [];
  if (packedFiltered) {
    transfer.push(packedFiltered.nodes.buffer as ArrayBuffer, packedFiltered.edges.buffer as ArrayBuffer);
  }
  if (result.ok) {
    const map = packMap(result.map);
    transfer.push(...packedMapTransferables(map));
    post({ type: 'model-done', id: req.id, result: { ok: true, map }, modelMs, layout, filtered: packedFiltered }, transfer);
  } else {
    post({ type: 'model-done', id: req.id, result, modelMs, layout }, transfer);
  }
}
