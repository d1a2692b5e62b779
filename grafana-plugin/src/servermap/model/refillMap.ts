import { runToEnd } from '../../shared/slices';
import { shareIndex } from './mapIndex';
import { NODE_NUMBERS, NodeAt, checkBucketRefs, numberColumnsFit, readAheadSteps, replyNumbers, type PackedMap, type ReadAhead } from './packMap';
import { isPackedStrings, type PackedStrings } from './packStrings';
import { attachRecords, recordsOf } from './recordsFromReply';
import { type ServerMap } from './types';

/**
 * A dashboard refresh mostly rebuilds the same map with new numbers. Rebuilding its records from the worker's
 * reply (thousands of nodes and links, their ids and names cut out of the reply's text, the index by id) and then
 * the scene's items costs the main thread more than the numbers themselves. So a map rebuilt from a reply remembers
 * the reply's text (strings, ids, names, ends, kinds: everything but numbers); a later reply with exactly that text
 * (compared whole, not sampled) is the same nodes and links in the same order, and the map's records are pointed
 * at its numbers (they read them on first use, recordsFromReply.ts): no record, string or index is rebuilt.
 */
interface MapText {
  input: ServerMap['input'];
  strings: PackedStrings;
  nodeText: Int32Array;
  edgeText: Int32Array;
  nodeKinds: Uint8Array;
}

const textOf = new WeakMap<ServerMap, MapText>();

/** Remembers what `map` (just rebuilt from `p`) was built from, for refillMapInPlace. */
export function rememberMapText(map: ServerMap, p: PackedMap): void {
  textOf.set(map, { input: p.input, strings: p.strings, nodeText: p.nodeText, edgeText: p.edgeText, nodeKinds: p.nodeKinds });
}

function sameArray(a: ArrayLike<number>, b: unknown): boolean {
  if (!ArrayBuffer.isView(b) || a.length !== (b as unknown as ArrayLike<number>).length) {
    return false;
  }
  const c = b as unknown as ArrayLike<number>;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== c[i]) {
      return false;
    }
  }
  return true;
}

function sameText(a: PackedStrings, b: unknown): boolean {
  return isPackedStrings(b) && a.text === b.text && sameArray(a.bounds, b.bounds);
}

/** refillMapSteps run to its end (tests, small maps). */
export function refillMapInPlace(previous: ServerMap, p: PackedMap, readAhead?: ReadAhead): ServerMap | undefined {
  return runToEnd(refillMapSteps(previous, p, readAhead));
}

/**
 * When `p` is `previous`'s map with other numbers (the same text, see above): points `previous`'s records at
 * `p`'s numbers, writes the nodes' instance counts, reads ahead the numbers of the records about to be drawn, and
 * returns a new map object over the same nodes and links, with the reply's warnings and `previous`'s index by id.
 * Otherwise (not rebuilt from a reply, another topology or order, an instance count that appeared or went away,
 * arrays of the wrong size) returns undefined and changes nothing: the caller rebuilds the map. Everything is
 * checked before anything changes (a malformed reply throws, as a rebuild would); from the first pause on, every
 * record reads the new reply (numbers and instance counts alike), whether or not the refill is run to its end.
 */
export function* refillMapSteps(
  previous: ServerMap,
  p: PackedMap,
  readAhead?: ReadAhead
): Generator<void, ServerMap | undefined> {
  const kept = textOf.get(previous);
  const records = recordsOf(previous);
  const nodeCount = previous.nodes.length;
  const edgeCount = previous.edges.length;
  const count = nodeCount + edgeCount;
  if (
    !kept ||
    !records ||
    p.input !== kept.input ||
    !sameText(kept.strings, p.strings) ||
    !sameArray(kept.nodeText, p.nodeText) ||
    !sameArray(kept.edgeText, p.edgeText) ||
    !sameArray(kept.nodeKinds, p.nodeKinds) ||
    !numberColumnsFit(p, nodeCount, edgeCount) ||
    !Array.isArray(p.warnings)
  ) {
    return undefined;
  }
  // A node's instance count is its own property (present or not): checked before anything changes.
  for (let i = 0; i < nodeCount; i++) {
    if ((previous.nodes[i]!.instances === undefined) !== Number.isNaN(p.nodeNumbers[i * NODE_NUMBERS + NodeAt.instances]!)) {
      return undefined;
    }
  }
  checkBucketRefs(p, count);
  // The records' numbers and the nodes' instance counts switch to the new reply in one step, with no pause
  // between them: a refill cancelled at a pause (newer frames arrived) leaves every record reading one reply,
  // never numbers of the new one beside instance counts of the old (one write per node: cheap even at 15,000).
  records.repoint(replyNumbers(p));
  for (let i = 0; i < nodeCount; i++) {
    const instances = p.nodeNumbers[i * NODE_NUMBERS + NodeAt.instances]!;
    if (!Number.isNaN(instances)) {
      previous.nodes[i]!.instances = instances;
    }
  }
  yield* readAheadSteps(records, nodeCount, edgeCount, readAhead);
  const map: ServerMap = { nodes: previous.nodes, edges: previous.edges, input: p.input, warnings: p.warnings };
  textOf.set(map, kept);
  shareIndex(previous, map);
  attachRecords(map, records);
  return map;
}
