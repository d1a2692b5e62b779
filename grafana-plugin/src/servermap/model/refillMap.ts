import { runToEnd } from '../../shared/slices';
import { shareIndex } from './mapIndex';
import { NODE_NUMBERS, STATS_NUMBERS, readStats, type PackedMap } from './packMap';
import { isPackedStrings, type PackedStrings } from './packStrings';
import { type ServerMap } from './types';

/**
 * A dashboard refresh mostly rebuilds the same map with new numbers. Rebuilding its objects from the worker's
 * reply (thousands of nodes, links, statistics and bucket pairs, their ids and names cut out of the reply's text,
 * the index by id) and then the scene's items costs the main thread more than the numbers themselves, and what it
 * allocates is what young-generation GCs then copy. So a map rebuilt from a reply remembers the reply's text (ids,
 * names, ends, kinds: everything but numbers); a later reply with exactly that text (compared whole, not
 * sampled) is the same nodes and links in the same order, and its numbers are written into the map's objects.
 */
interface MapText {
  input: ServerMap['input'];
  nodeText: PackedStrings;
  edgeText: PackedStrings;
  nodeKinds: Uint8Array;
}

const textOf = new WeakMap<ServerMap, MapText>();

/** Remembers what `map` (just rebuilt from `p`) was built from, for refillMapInPlace. */
export function rememberMapText(map: ServerMap, p: PackedMap): void {
  textOf.set(map, { input: p.input, nodeText: p.nodeText, edgeText: p.edgeText, nodeKinds: p.nodeKinds });
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) {
    return false;
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

function sameText(a: PackedStrings, b: unknown): boolean {
  return isPackedStrings(b) && a.text === b.text && sameArray(a.bounds, b.bounds);
}

/**
 * When `p` is `previous`'s map with other numbers (the same text, see above): writes them into `previous`'s
 * nodes, links and their statistics (the objects stay; a statistics object gains or loses a value only as a new
 * object) and returns a new map object over the same nodes and links, with the reply's warnings and `previous`'s
 * index by id. Otherwise (no remembered text, another topology or order, an instance count that appeared or went
 * away, arrays of the wrong size) returns undefined and changes nothing: the caller rebuilds the map.
 */
export function refillMapInPlace(previous: ServerMap, p: PackedMap): ServerMap | undefined {
  return runToEnd(refillMapSteps(previous, p));
}

/** Records written between two points where a sliced refill may pause. */
const RECORDS_PER_STEP = 1024;

/**
 * refillMapInPlace as steps, for runInSlices (35,000 records of a 20,000-link map are tens of ms). Everything is
 * checked before the first pause; while it runs, the map's records are each old or new (a record is written
 * whole between two pauses), and the scene drawn is untouched until the new map is rendered.
 */
export function* refillMapSteps(previous: ServerMap, p: PackedMap): Generator<void, ServerMap | undefined> {
  const kept = textOf.get(previous);
  const nodeCount = previous.nodes.length;
  const records = nodeCount + previous.edges.length;
  if (
    !kept ||
    p.input !== kept.input ||
    !sameText(kept.nodeText, p.nodeText) ||
    !sameText(kept.edgeText, p.edgeText) ||
    !ArrayBuffer.isView(p.nodeKinds) ||
    !sameArray(kept.nodeKinds, p.nodeKinds) ||
    p.nodeNumbers?.length !== nodeCount * NODE_NUMBERS ||
    p.stats?.length !== records * STATS_NUMBERS ||
    p.bucketRefs?.length !== records * 2 ||
    !Array.isArray(p.warnings)
  ) {
    return undefined;
  }
  // Checked before anything is written: a node's instance count is its own property (present or not).
  for (let i = 0; i < nodeCount; i++) {
    if ((previous.nodes[i]!.instances === undefined) !== Number.isNaN(p.nodeNumbers[i * NODE_NUMBERS]!)) {
      return undefined;
    }
  }
  for (let i = 0; i < nodeCount; i++) {
    if (i % RECORDS_PER_STEP === RECORDS_PER_STEP - 1) {
      yield;
    }
    const node = previous.nodes[i]!;
    node.inbound = readStats(p, i, node.inbound);
    const instances = p.nodeNumbers[i * NODE_NUMBERS]!;
    if (!Number.isNaN(instances)) {
      node.instances = instances;
    }
    const errors = p.nodeNumbers[i * NODE_NUMBERS + 2]!;
    // As unpackMap builds it: `errors` always a key, undefined when unknown.
    node.outbound.calls = p.nodeNumbers[i * NODE_NUMBERS + 1]!;
    node.outbound.errors = Number.isNaN(errors) ? undefined : errors;
  }
  for (let i = 0; i < previous.edges.length; i++) {
    if (i % RECORDS_PER_STEP === RECORDS_PER_STEP - 1) {
      yield;
    }
    const edge = previous.edges[i]!;
    edge.stats = readStats(p, nodeCount + i, edge.stats);
  }
  const map: ServerMap = { nodes: previous.nodes, edges: previous.edges, input: p.input, warnings: p.warnings };
  textOf.set(map, kept);
  shareIndex(previous, map);
  return map;
}
