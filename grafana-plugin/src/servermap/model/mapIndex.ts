import { runToEnd } from '../../shared/slices';
import { type ServerMap, type ServerMapEdge, type ServerMapNode } from './types';

/** A map's nodes and links by id. */
export interface MapIndex {
  nodes: Map<string, ServerMapNode>;
  edges: Map<string, ServerMapEdge>;
}

/** Kept per map object, so a map rebuilt from the worker's reply comes with its index already built. */
const indexes = new WeakMap<ServerMap, MapIndex>();

/** Entries added between two points where a sliced build may pause. */
const ENTRIES_PER_STEP = 1024;

/**
 * The index as steps, for a sliced build (the map worker's client runs it after rebuilding the map: 35,000
 * entries were ~40 ms in the task that rendered the map at 50,000 links).
 */
export function* mapIndexSteps(map: ServerMap): Generator<void, MapIndex> {
  const kept = indexes.get(map);
  if (kept) {
    return kept;
  }
  const index: MapIndex = { nodes: new Map(), edges: new Map() };
  for (let i = 0; i < map.nodes.length; i++) {
    if (i % ENTRIES_PER_STEP === ENTRIES_PER_STEP - 1) {
      yield;
    }
    index.nodes.set(map.nodes[i]!.id, map.nodes[i]!);
  }
  for (let i = 0; i < map.edges.length; i++) {
    if (i % ENTRIES_PER_STEP === ENTRIES_PER_STEP - 1) {
      yield;
    }
    index.edges.set(map.edges[i]!.id, map.edges[i]!);
  }
  indexes.set(map, index);
  return index;
}

/** The map's index: the one built ahead, else built now. */
export function mapIndex(map: ServerMap): MapIndex {
  return runToEnd(mapIndexSteps(map));
}

/**
 * `to` holds the same node and link objects as `from` (a refresh that put new numbers into them, see
 * refillMapInPlace): it gets `from`'s index instead of a new one.
 */
export function shareIndex(from: ServerMap, to: ServerMap): void {
  const kept = indexes.get(from);
  if (kept) {
    indexes.set(to, kept);
  }
}
