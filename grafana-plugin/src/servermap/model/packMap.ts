import { runInSlices, runToEnd, type SlicedJob } from '../../shared/slices';
import { isPackedStrings, packStrings, packedStringAt, packedStringAtRequired, packedStringCount, packedStringsTransferable, type PackedStrings } from './packStrings';
import { mapIndexSteps } from './mapIndex';
import { type NodeKind, type ServerMap, type ServerMapEdge, type ServerMapNode, type TrafficStats } from './types';

/**
 * A ServerMap in columns, for the way back from the map worker: a structured clone of the map's objects (one per
 * node, link, statistics, histogram and bucket pair) costs the main thread 100 ms at 1,000 nodes and about a
 * second at 20,000 links; numbers in transferable Float64Arrays (NaN = absent) and strings in plain arrays cost
 * a few ms to rebuild. The same TrafficStats fields as types.ts; a field added there must be added here (the
 * round-trip tests compare whole maps).
 */
export interface PackedMap {
  input: ServerMap['input'];
  warnings: string[];
  /** Per node: id, name, namespace, system (undefined when absent), as one string (packStrings.ts). */
  nodeText: PackedStrings;
  nodeKinds: Uint8Array;
  /** Per node: instances, outbound calls, outbound errors. */
  nodeNumbers: Float64Array;
  /** Per link: id, source, target, connection type. */
  edgeText: PackedStrings;
  /** STATS_NUMBERS per node (inbound), then per link. */
  stats: Float64Array;
  /** Per stats record: first bucket pair and pair count (-1 = no buckets). */
  bucketRefs: Int32Array;
  /** Bucket pairs: upper bound (s), cumulative count. */
  buckets: Float64Array;
}

const KINDS: readonly NodeKind[] = ['user', 'service', 'database', 'cache', 'messaging', 'external'];
const NODE_TEXT = 4;
export const NODE_NUMBERS = 3;
const EDGE_TEXT = 4;
export const STATS_NUMBERS = 17;

const num = (v: number | undefined): number => (v === undefined ? Number.NaN : v);
const flag = (v: boolean | undefined): number => (v === undefined ? Number.NaN : v ? 1 : 0);
const opt = (v: number): number | undefined => (Number.isNaN(v) ? undefined : v);

function writeStats(s: TrafficStats, out: Float64Array, at: number): void {
  const o = at * STATS_NUMBERS;
  out[o] = s.calls;
  out[o + 1] = num(s.errors);
  out[o + 2] = num(s.errorRate);
  out[o + 3] = num(s.avgMs);
  out[o + 4] = flag(s.avgApproximate);
  out[o + 5] = num(s.p50Ms);
  out[o + 6] = num(s.p95Ms);
  out[o + 7] = num(s.p99Ms);
  out[o + 8] = num(s.apdex);
  out[o + 9] = flag(s.apdexApproximate);
  out[o + 10] = num(s.ratePerSecond);
  const h = s.histogram;
  out[o + 11] = h ? h.le1s : Number.NaN;
  out[o + 12] = num(h?.le3s);
  out[o + 13] = num(h?.le5s);
  out[o + 14] = num(h?.slow);
  out[o + 15] = num(h?.error);
  out[o + 16] = flag(h?.approximate);
}

const absent = (v: number): boolean => Number.isNaN(v);

/**
 * `s` has a value exactly where stats record `at` has one (so its object can take the record's numbers as is).
 * Spelled out field by field, as writeStats and readStats: a table of keys read with computed names was a keyed
 * load and store per field, the slowest part of refilling 35,000 records.
 */
function samePresence(p: PackedMap, at: number, s: TrafficStats): boolean {
  const v = p.stats;
  const o = at * STATS_NUMBERS;
  return (
    (s.errors === undefined) === absent(v[o + 1]!) &&
    (s.errorRate === undefined) === absent(v[o + 2]!) &&
    (s.avgMs === undefined) === absent(v[o + 3]!) &&
    (s.avgApproximate === undefined) === absent(v[o + 4]!) &&
    (s.p50Ms === undefined) === absent(v[o + 5]!) &&
    (s.p95Ms === undefined) === absent(v[o + 6]!) &&
    (s.p99Ms === undefined) === absent(v[o + 7]!) &&
    (s.apdex === undefined) === absent(v[o + 8]!) &&
    (s.apdexApproximate === undefined) === absent(v[o + 9]!) &&
    (s.ratePerSecond === undefined) === absent(v[o + 10]!) &&
    (s.histogram === undefined) === absent(v[o + 11]!) &&
    (s.buckets === undefined) === p.bucketRefs[at * 2]! < 0
  );
}

/**
 * Stats record `at`. With `into` (a refresh of the same map, see refillMapInPlace): its numbers are written into
 * that object, its histogram and its bucket pairs (when as many) and `into` is returned, so a refresh allocates
 * almost nothing; when a value appeared or went away a new object is returned instead (never a stale field).
 */
export function readStats(p: PackedMap, at: number, into?: TrafficStats): TrafficStats {
  const v = p.stats;
  const o = at * STATS_NUMBERS;
  const s: TrafficStats = into && samePresence(p, at, into) ? into : { calls: 0 };
  s.calls = v[o]!;
  // In writeStats' order (a new object gets its fields in the order a direct build gives them).
  let x = v[o + 1]!;
  if (!absent(x)) {
    s.errors = x;
  }
  x = v[o + 2]!;
  if (!absent(x)) {
    s.errorRate = x;
  }
  x = v[o + 3]!;
  if (!absent(x)) {
    s.avgMs = x;
  }
  x = v[o + 4]!;
  if (!absent(x)) {
    s.avgApproximate = x === 1;
  }
  x = v[o + 5]!;
  if (!absent(x)) {
    s.p50Ms = x;
  }
  x = v[o + 6]!;
  if (!absent(x)) {
    s.p95Ms = x;
  }
  x = v[o + 7]!;
  if (!absent(x)) {
    s.p99Ms = x;
  }
  x = v[o + 8]!;
  if (!absent(x)) {
    s.apdex = x;
  }
  x = v[o + 9]!;
  if (!absent(x)) {
    s.apdexApproximate = x === 1;
  }
  x = v[o + 10]!;
  if (!absent(x)) {
    s.ratePerSecond = x;
  }
  if (!Number.isNaN(v[o + 11]!)) {
    const h = s.histogram ?? { le1s: 0, le3s: 0, le5s: 0, slow: 0, error: 0, approximate: false };
    h.le1s = v[o + 11]!;
    h.le3s = v[o + 12]!;
    h.le5s = v[o + 13]!;
    h.slow = v[o + 14]!;
    h.error = v[o + 15]!;
    h.approximate = v[o + 16] === 1;
    s.histogram = h;
  }
  const first = p.bucketRefs[at * 2]!;
  if (first >= 0) {
    const count = p.bucketRefs[at * 2 + 1]!;
    const kept = s.buckets;
    if (kept && kept.length === count) {
      for (let i = 0; i < count; i++) {
        const pair = kept[i]!;
        pair[0] = p.buckets[(first + i) * 2]!;
        pair[1] = p.buckets[(first + i) * 2 + 1]!;
      }
    } else {
      const buckets: Array<[number, number]> = new Array(count);
      for (let i = 0; i < count; i++) {
        buckets[i] = [p.buckets[(first + i) * 2]!, p.buckets[(first + i) * 2 + 1]!];
      }
      s.buckets = buckets;
    }
  }
  return s;
}

export function packMap(map: ServerMap): PackedMap {
  const records = map.nodes.length + map.edges.length;
  const all: TrafficStats[] = [...map.nodes.map((n) => n.inbound), ...map.edges.map((e) => e.stats)];
  const pairs = all.reduce((n, s) => n + (s.buckets?.length ?? 0), 0);
  const nodeText: Array<string | undefined> = new Array(map.nodes.length * NODE_TEXT);
  const edgeText: string[] = new Array(map.edges.length * EDGE_TEXT);
  const p: Omit<PackedMap, 'nodeText' | 'edgeText'> = {
    input: map.input,
    warnings: map.warnings,
    nodeKinds: new Uint8Array(map.nodes.length),
    nodeNumbers: new Float64Array(map.nodes.length * NODE_NUMBERS),
    stats: new Float64Array(records * STATS_NUMBERS),
    bucketRefs: new Int32Array(records * 2),
    buckets: new Float64Array(pairs * 2),
  };
  map.nodes.forEach((n, i) => {
    nodeText[i * NODE_TEXT] = n.id;
    nodeText[i * NODE_TEXT + 1] = n.name;
    nodeText[i * NODE_TEXT + 2] = n.namespace;
    nodeText[i * NODE_TEXT + 3] = n.system;
    p.nodeKinds[i] = KINDS.indexOf(n.kind);
    p.nodeNumbers[i * NODE_NUMBERS] = num(n.instances);
    p.nodeNumbers[i * NODE_NUMBERS + 1] = n.outbound.calls;
    p.nodeNumbers[i * NODE_NUMBERS + 2] = num(n.outbound.errors);
  });
  map.edges.forEach((e, i) => {
    edgeText[i * EDGE_TEXT] = e.id;
    edgeText[i * EDGE_TEXT + 1] = e.source;
    edgeText[i * EDGE_TEXT + 2] = e.target;
    edgeText[i * EDGE_TEXT + 3] = e.connectionType;
  });
  let pair = 0;
  all.forEach((s, i) => {
    writeStats(s, p.stats, i);
    if (s.buckets) {
      p.bucketRefs[i * 2] = pair;
      p.bucketRefs[i * 2 + 1] = s.buckets.length;
      for (const [le, count] of s.buckets) {
        p.buckets[pair * 2] = le;
        p.buckets[pair * 2 + 1] = count;
        pair++;
      }
    } else {
      p.bucketRefs[i * 2] = -1;
    }
  });
  return { ...p, nodeText: packStrings(nodeText), edgeText: packStrings(edgeText) };
}

export function packedMapTransferables(p: PackedMap): ArrayBuffer[] {
  return [
    ...[p.nodeKinds, p.nodeNumbers, p.stats, p.bucketRefs, p.buckets].map((a) => a.buffer as ArrayBuffer),
    packedStringsTransferable(p.nodeText),
    packedStringsTransferable(p.edgeText),
  ];
}

/** The map again; throws on a message whose arrays do not agree in size (never a half-read map). */
export function unpackMap(p: PackedMap): ServerMap {
  return runToEnd(unpackSteps(p));
}

/** unpackMap in slices between the page's tasks (a 20,000-link map takes ~100 ms or more to rebuild). */
export function unpackMapInSlices(p: PackedMap): SlicedJob<ServerMap> {
  return runInSlices(unpackSteps(p));
}

/** Nodes or links rebuilt between two points where the rebuild may pause. */
const RECORDS_PER_STEP = 256;

function* unpackSteps(p: PackedMap): Generator<void, ServerMap> {
  const nodeCount = p.nodeKinds?.length;
  if (!isPackedStrings(p.nodeText) || !isPackedStrings(p.edgeText)) {
    throw new Error('packed map: malformed message');
  }
  const edgeCount = packedStringCount(p.edgeText) / EDGE_TEXT;
  if (
    nodeCount === undefined ||
    !Number.isInteger(edgeCount) ||
    packedStringCount(p.nodeText) !== nodeCount * NODE_TEXT ||
    p.nodeNumbers.length !== nodeCount * NODE_NUMBERS ||
    p.stats.length !== (nodeCount + edgeCount) * STATS_NUMBERS ||
    p.bucketRefs.length !== (nodeCount + edgeCount) * 2
  ) {
    throw new Error('packed map: malformed message');
  }
  const nodes: ServerMapNode[] = new Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    if (i % RECORDS_PER_STEP === RECORDS_PER_STEP - 1) {
      yield;
    }
    const kind = KINDS[p.nodeKinds[i]!];
    if (!kind) {
      throw new Error(`packed map: unknown node kind ${p.nodeKinds[i]}`);
    }
    const node: ServerMapNode = {
      id: packedStringAtRequired(p.nodeText, i * NODE_TEXT),
      name: packedStringAtRequired(p.nodeText, i * NODE_TEXT + 1),
      namespace: packedStringAt(p.nodeText, i * NODE_TEXT + 2),
      kind,
      system: packedStringAt(p.nodeText, i * NODE_TEXT + 3),
      inbound: readStats(p, i),
      outbound: { calls: p.nodeNumbers[i * NODE_NUMBERS + 1]!, errors: opt(p.nodeNumbers[i * NODE_NUMBERS + 2]!) },
    };
    const instances = opt(p.nodeNumbers[i * NODE_NUMBERS]!);
    if (instances !== undefined) {
      node.instances = instances;
    }
    nodes[i] = node;
  }
  const edges: ServerMapEdge[] = new Array(edgeCount);
  for (let i = 0; i < edgeCount; i++) {
    if (i % RECORDS_PER_STEP === RECORDS_PER_STEP - 1) {
      yield;
    }
    edges[i] = {
      id: packedStringAtRequired(p.edgeText, i * EDGE_TEXT),
      source: packedStringAtRequired(p.edgeText, i * EDGE_TEXT + 1),
      target: packedStringAtRequired(p.edgeText, i * EDGE_TEXT + 2),
      connectionType: packedStringAtRequired(p.edgeText, i * EDGE_TEXT + 3),
      stats: readStats(p, nodeCount + i),
    };
  }
  const map: ServerMap = { nodes, edges, input: p.input, warnings: p.warnings };
  // The panel looks nodes and links up by id: built here, in the same slices, not in the render that shows the map.
  yield* mapIndexSteps(map);
  return map;
}
