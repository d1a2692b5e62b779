import { runInSlices, runToEnd, type SlicedJob } from '../../shared/slices';
import { isPackedStrings, packStrings, packedStringAtRequired, packedStringCount, packedStringsTransferable, type PackedStrings } from './packStrings';
import { mapIndexSteps } from './mapIndex';
import { isTyped } from './packFrames';
import { attachRecords, recordsFromReply, type RecordFactories, type RecordNumbers } from './recordsFromReply';
import { type NodeKind, type ServerMap, type ServerMapEdge, type ServerMapNode, type TrafficStats } from './types';

/**
 * A ServerMap in columns, for the way back from the map worker: a structured clone of the map's objects (one per
 * node, link, statistics, histogram and bucket pair) costs the main thread 100 ms at 1,000 nodes and about a
 * second at 20,000 links; numbers in transferable Float64Arrays (NaN = absent) and strings in one string cost a
 * few ms to rebuild. The same TrafficStats fields as types.ts; a field added there must be added here (the
 * round-trip tests compare whole maps, numbers included: plainMap in test/fixtures/workerCrossing.ts).
 */
export interface PackedMap {
  input: ServerMap['input'];
  warnings: string[];
  /**
   * Every distinct id, name, namespace, system and connection type once (packStrings.ts); the records refer to
   * them by index. Rebuilt, each is one string shared by all that refer to it: a link's ends are its nodes' id
   * strings, a connection type one string for every link of that type (20,000 links, 15,313 nodes: ~35,000 strings
   * alive instead of ~91,000, measured in Node; each one a copy for the young generation's GC).
   */
  strings: PackedStrings;
  /** Per node: id, name, namespace, system, as indexes into `strings` (-1 = absent). */
  nodeText: Int32Array;
  nodeKinds: Uint8Array;
  /** Per node: instances, outbound calls, outbound errors. */
  nodeNumbers: Float64Array;
  /** Per link: id, source, target, connection type, as indexes into `strings`. */
  edgeText: Int32Array;
  /** STATS_NUMBERS per node (inbound), then per link. */
  stats: Float64Array;
  /** Per stats record: first bucket pair and pair count (-1 = no buckets). */
  bucketRefs: Int32Array;
  /** Bucket pairs: upper bound (s), cumulative count; a record's buckets are a view into this (bucketPairs.ts). */
  buckets: Float64Array;
}

const KINDS: readonly NodeKind[] = ['user', 'service', 'database', 'cache', 'messaging', 'external'];
const NODE_TEXT = 4;
/** Places in a node's NODE_NUMBERS numbers (writer and every reader use these names). */
export const NodeAt = { instances: 0, outboundCalls: 1, outboundErrors: 2 } as const;
export const NODE_NUMBERS = 3;
const EDGE_TEXT = 4;
/**
 * Places in a record's STATS_NUMBERS numbers: written by writeStats, read whole by readStats and in part by
 * replyNumbers' `shown` (the scene's numbers), so the three cannot drift apart.
 */
const StatsAt = {
  calls: 0,
  errors: 1,
  errorRate: 2,
  avgMs: 3,
  avgApproximate: 4,
  p50Ms: 5,
  p95Ms: 6,
  p99Ms: 7,
  apdex: 8,
  apdexApproximate: 9,
  ratePerSecond: 10,
  le1s: 11,
  le3s: 12,
  le5s: 13,
  slow: 14,
  error: 15,
  histogramApproximate: 16,
} as const;
export const STATS_NUMBERS = 17;

const num = (v: number | undefined): number => (v === undefined ? Number.NaN : v);
const flag = (v: boolean | undefined): number => (v === undefined ? Number.NaN : v ? 1 : 0);
const opt = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);
const optFlag = (v: number): boolean | undefined => (Number.isNaN(v) ? undefined : v === 1);

function writeStats(s: TrafficStats, out: Float64Array, at: number): void {
  const o = at * STATS_NUMBERS;
  out[o + StatsAt.calls] = s.calls;
  out[o + StatsAt.errors] = num(s.errors);
  out[o + StatsAt.errorRate] = num(s.errorRate);
  out[o + StatsAt.avgMs] = num(s.avgMs);
  out[o + StatsAt.avgApproximate] = flag(s.avgApproximate);
  out[o + StatsAt.p50Ms] = num(s.p50Ms);
  out[o + StatsAt.p95Ms] = num(s.p95Ms);
  out[o + StatsAt.p99Ms] = num(s.p99Ms);
  out[o + StatsAt.apdex] = num(s.apdex);
  out[o + StatsAt.apdexApproximate] = flag(s.apdexApproximate);
  out[o + StatsAt.ratePerSecond] = num(s.ratePerSecond);
  const h = s.histogram;
  out[o + StatsAt.le1s] = h ? h.le1s : Number.NaN;
  out[o + StatsAt.le3s] = num(h?.le3s);
  out[o + StatsAt.le5s] = num(h?.le5s);
  out[o + StatsAt.slow] = num(h?.slow);
  out[o + StatsAt.error] = num(h?.error);
  out[o + StatsAt.histogramApproximate] = flag(h?.approximate);
}

/**
 * One record's statistics (read when first asked for: recordsFromReply.ts), every field in one literal: the object
 * gets its final shape at once (fields added one by one spill into a property array of its own). Absent fields
 * are undefined, as readers (and toEqual) treat a missing one. The buckets are a view into the reply's buffer.
 */
function readStats(p: PackedMap, at: number): TrafficStats {
  const v = p.stats;
  const o = at * STATS_NUMBERS;
  const first = p.bucketRefs[at * 2]!;
  let buckets: Float64Array | undefined;
  if (first >= 0) {
    const end = first + p.bucketRefs[at * 2 + 1]!;
    // A view made with this realm's Float64Array (subarray would take the message's: another realm under Jest).
    buckets = new Float64Array(p.buckets.buffer, p.buckets.byteOffset + first * 16, (end - first) * 2);
  }
  return {
    calls: v[o + StatsAt.calls]!,
    errors: opt(v[o + StatsAt.errors]!),
    errorRate: opt(v[o + StatsAt.errorRate]!),
    avgMs: opt(v[o + StatsAt.avgMs]!),
    avgApproximate: optFlag(v[o + StatsAt.avgApproximate]!),
    p50Ms: opt(v[o + StatsAt.p50Ms]!),
    p95Ms: opt(v[o + StatsAt.p95Ms]!),
    p99Ms: opt(v[o + StatsAt.p99Ms]!),
    apdex: opt(v[o + StatsAt.apdex]!),
    apdexApproximate: optFlag(v[o + StatsAt.apdexApproximate]!),
    ratePerSecond: opt(v[o + StatsAt.ratePerSecond]!),
    histogram: Number.isNaN(v[o + StatsAt.le1s]!)
      ? undefined
      : {
          le1s: v[o + StatsAt.le1s]!,
          le3s: v[o + StatsAt.le3s]!,
          le5s: v[o + StatsAt.le5s]!,
          slow: v[o + StatsAt.slow]!,
          error: v[o + StatsAt.error]!,
          approximate: v[o + StatsAt.histogramApproximate] === 1,
        },
    buckets,
  };
}

/** Each distinct string once, and where each one is. */
function stringTable(): { ref: (s: string | undefined) => number; list: string[] } {
  const at = new Map<string, number>();
  const list: string[] = [];
  const ref = (s: string | undefined): number => {
    if (s === undefined) {
      return -1;
    }
    let i = at.get(s);
    if (i === undefined) {
      i = list.length;
      list.push(s);
      at.set(s, i);
    }
    return i;
  };
  return { ref, list };
}

export function packMap(map: ServerMap): PackedMap {
  const records = map.nodes.length + map.edges.length;
  const all: TrafficStats[] = [...map.nodes.map((n) => n.inbound), ...map.edges.map((e) => e.stats)];
  const pairs = all.reduce((n, s) => n + (s.buckets ? s.buckets.length / 2 : 0), 0);
  const strings = stringTable();
  const p: PackedMap = {
    input: map.input,
    warnings: map.warnings,
    strings: { text: '', bounds: new Int32Array(0) },
    nodeText: new Int32Array(map.nodes.length * NODE_TEXT),
    nodeKinds: new Uint8Array(map.nodes.length),
    nodeNumbers: new Float64Array(map.nodes.length * NODE_NUMBERS),
    edgeText: new Int32Array(map.edges.length * EDGE_TEXT),
    stats: new Float64Array(records * STATS_NUMBERS),
    bucketRefs: new Int32Array(records * 2),
    buckets: new Float64Array(pairs * 2),
  };
  map.nodes.forEach((n, i) => {
    p.nodeText[i * NODE_TEXT] = strings.ref(n.id);
    p.nodeText[i * NODE_TEXT + 1] = strings.ref(n.name);
    p.nodeText[i * NODE_TEXT + 2] = strings.ref(n.namespace);
    p.nodeText[i * NODE_TEXT + 3] = strings.ref(n.system);
    p.nodeKinds[i] = KINDS.indexOf(n.kind);
    p.nodeNumbers[i * NODE_NUMBERS + NodeAt.instances] = num(n.instances);
    p.nodeNumbers[i * NODE_NUMBERS + NodeAt.outboundCalls] = n.outbound.calls;
    p.nodeNumbers[i * NODE_NUMBERS + NodeAt.outboundErrors] = num(n.outbound.errors);
  });
  map.edges.forEach((e, i) => {
    p.edgeText[i * EDGE_TEXT] = strings.ref(e.id);
    p.edgeText[i * EDGE_TEXT + 1] = strings.ref(e.source);
    p.edgeText[i * EDGE_TEXT + 2] = strings.ref(e.target);
    p.edgeText[i * EDGE_TEXT + 3] = strings.ref(e.connectionType);
  });
  let pair = 0;
  all.forEach((s, i) => {
    writeStats(s, p.stats, i);
    if (s.buckets) {
      p.bucketRefs[i * 2] = pair;
      p.bucketRefs[i * 2 + 1] = s.buckets.length / 2;
      p.buckets.set(s.buckets, pair * 2);
      pair += s.buckets.length / 2;
    } else {
      p.bucketRefs[i * 2] = -1;
    }
  });
  p.strings = packStrings(strings.list);
  return p;
}

export function packedMapTransferables(p: PackedMap): ArrayBuffer[] {
  return [
    ...[p.nodeText, p.nodeKinds, p.nodeNumbers, p.edgeText, p.stats, p.bucketRefs, p.buckets].map((a) => a.buffer as ArrayBuffer),
    packedStringsTransferable(p.strings),
  ];
}

/** The map again; throws on a message whose arrays do not agree in size (never a half-read map). */
export function unpackMap(p: PackedMap): ServerMap {
  return runToEnd(unpackSteps(p));
}

/**
 * unpackMap in slices between the page's tasks (a 20,000-link map takes ~100 ms or more to rebuild). The records'
 * numbers are read from the reply when first used (recordsFromReply.ts).
 */
export function unpackMapInSlices(p: PackedMap, readAhead?: ReadAhead): SlicedJob<ServerMap> {
  return runInSlices(unpackSteps(p, readAhead));
}

/**
 * Nodes and links (indexes into the map) whose numbers the rebuild reads in its slices: the ones about to be
 * drawn (the worker's filtered map), so the task that builds or refreshes their scene does not read them first.
 */
export interface ReadAhead {
  nodes: ArrayLike<number>;
  edges: ArrayLike<number>;
}

/** Nodes or links rebuilt between two points where the rebuild may pause. */
const RECORDS_PER_STEP = 256;

function* unpackSteps(p: PackedMap, readAhead?: ReadAhead): Generator<void, ServerMap> {
  const nodeCount = p.nodeKinds?.length;
  const edgeCount = (p.edgeText?.length ?? Number.NaN) / EDGE_TEXT;
  if (
    !isPackedStrings(p.strings) ||
    nodeCount === undefined ||
    !isTyped(p.nodeText, 'Int32Array') ||
    !isTyped(p.edgeText, 'Int32Array') ||
    !Number.isInteger(edgeCount) ||
    p.nodeText.length !== nodeCount * NODE_TEXT ||
    !numberColumnsFit(p, nodeCount, edgeCount)
  ) {
    throw new Error('packed map: malformed message');
  }
  // Each distinct string cut out of the message once, when first referred to.
  const cut: Array<string | undefined> = new Array(packedStringCount(p.strings));
  const text = (k: number): string | undefined => (k === -1 ? undefined : (cut[k] ??= packedStringAtRequired(p.strings, k)));
  const required = (k: number): string => {
    const s = text(k);
    if (s === undefined) {
      throw new Error('packed map: a required string is absent');
    }
    return s;
  };
  const records = recordsFromReply(replyNumbers(p));
  checkBucketRefs(p, nodeCount + edgeCount);
  const nodes: ServerMapNode[] = new Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    if (i % RECORDS_PER_STEP === RECORDS_PER_STEP - 1) {
      yield;
    }
    const kind = KINDS[p.nodeKinds[i]!];
    if (!kind) {
      throw new Error(`packed map: unknown node kind ${p.nodeKinds[i]}`);
    }
    const o = i * NODE_TEXT;
    nodes[i] = records.node(
      i,
      required(p.nodeText[o]!),
      required(p.nodeText[o + 1]!),
      text(p.nodeText[o + 2]!),
      kind,
      text(p.nodeText[o + 3]!),
      opt(p.nodeNumbers[i * NODE_NUMBERS + NodeAt.instances]!)
    );
  }
  const edges: ServerMapEdge[] = new Array(edgeCount);
  for (let i = 0; i < edgeCount; i++) {
    if (i % RECORDS_PER_STEP === RECORDS_PER_STEP - 1) {
      yield;
    }
    const o = i * EDGE_TEXT;
    edges[i] = records.edge(
      nodeCount + i,
      required(p.edgeText[o]!),
      required(p.edgeText[o + 1]!),
      required(p.edgeText[o + 2]!),
      required(p.edgeText[o + 3]!)
    );
  }
  yield* readAheadSteps(records, nodeCount, edgeCount, readAhead);
  const map: ServerMap = { nodes, edges, input: p.input, warnings: p.warnings };
  attachRecords(map, records);
  // The panel looks nodes and links up by id: built here, in the same slices, not in the render that shows the map.
  yield* mapIndexSteps(map);
  return map;
}

/** `p`'s number columns have the sizes `nodeCount` nodes and `edgeCount` links need (a rebuild and a refill check it). */
export function numberColumnsFit(p: PackedMap, nodeCount: number, edgeCount: number): boolean {
  return (
    isTyped(p.nodeNumbers, 'Float64Array') &&
    p.nodeNumbers.length === nodeCount * NODE_NUMBERS &&
    p.stats?.length === (nodeCount + edgeCount) * STATS_NUMBERS &&
    p.bucketRefs?.length === (nodeCount + edgeCount) * 2 &&
    isTyped(p.buckets, 'Float64Array')
  );
}

/** Where the records of a map rebuilt from `p` read their numbers. */
export function replyNumbers(p: PackedMap): RecordNumbers {
  return {
    stats: (at) => readStats(p, at),
    outbound: (i) => ({ calls: p.nodeNumbers[i * NODE_NUMBERS + NodeAt.outboundCalls]!, errors: opt(p.nodeNumbers[i * NODE_NUMBERS + NodeAt.outboundErrors]!) }),
    shown: (at, into) => {
      const o = at * STATS_NUMBERS;
      into.calls = p.stats[o + StatsAt.calls]!;
      into.errorRate = opt(p.stats[o + StatsAt.errorRate]!);
      into.avgMs = opt(p.stats[o + StatsAt.avgMs]!);
      into.avgApproximate = optFlag(p.stats[o + StatsAt.avgApproximate]!);
      into.ratePerSecond = opt(p.stats[o + StatsAt.ratePerSecond]!);
      return into;
    },
    outboundCalls: (i) => p.nodeNumbers[i * NODE_NUMBERS + NodeAt.outboundCalls]!,
  };
}

/** Every record's bucket refs checked up front: a malformed message fails here, not when a number is first read. */
export function checkBucketRefs(p: PackedMap, records: number): void {
  for (let at = 0; at < records; at++) {
    const first = p.bucketRefs[at * 2]!;
    const count = p.bucketRefs[at * 2 + 1]!;
    if (first >= 0 && (count < 0 || (first + count) * 2 > p.buckets.length)) {
      throw new Error('packed map: malformed message');
    }
  }
}

/** Reads the numbers of the records about to be drawn, in steps (see ReadAhead). */
export function* readAheadSteps(
  records: RecordFactories,
  nodeCount: number,
  edgeCount: number,
  readAhead: ReadAhead | undefined
): Generator<void, void> {
  if (!readAhead) {
    return;
  }
  // Indexes outside the map are left to whoever picks the filtered records (and fails on them). Walked in place,
  // not copied into one list first: a 1,000-node refresh reads ~4,000 records here.
  let k = 0;
  for (let i = 0; i < readAhead.nodes.length; i++) {
    const at = readAhead.nodes[i]!;
    if (at >= 0 && at < nodeCount) {
      if (++k % RECORDS_PER_STEP === 0) {
        yield;
      }
      records.readNumbers(at, true);
    }
  }
  for (let i = 0; i < readAhead.edges.length; i++) {
    const at = nodeCount + readAhead.edges[i]!;
    if (at >= nodeCount && at < nodeCount + edgeCount) {
      if (++k % RECORDS_PER_STEP === 0) {
        yield;
      }
      records.readNumbers(at, false);
    }
  }
}
