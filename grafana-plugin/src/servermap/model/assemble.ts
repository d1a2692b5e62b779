import { type Buckets, addBuckets, apdex, estimateMeanMs, pinpointHistogram, quantileMs, totalCount } from './histogram';
import { packBuckets } from './bucketPairs';
import { kindFor, systemOf } from './classify';
import { type ServerMap, type ServerMapEdge, type ServerMapNode, type TrafficStats } from './types';

/** Per-edge raw numbers gathered from whichever input, before statistics are derived. */
export interface RawEdge {
  source: string;
  sourceName: string;
  sourceNamespace?: string;
  target: string;
  targetName: string;
  targetNamespace?: string;
  connectionType: string;
  calls: number;
  errors?: number;
  buckets?: Buckets;
  /** Exact average when the input has one (Tempo mainstat, or server-histogram sum / count). */
  avgMs?: number;
  /** Server-histogram `_sum` (seconds) and `_count` over the range, when those queries are present. */
  durationSumSeconds?: number;
  durationCount?: number;
}

export interface RawNodeInfo {
  instrumented?: boolean;
  /** Exact node stats from Tempo node frames (inbound). */
  calls?: number;
  errors?: number;
  avgMs?: number;
}

export interface AssembleInput {
  edges: RawEdge[];
  nodeInfo?: Map<string, RawNodeInfo>;
  /** Instance counts by service name. */
  instances?: Map<string, number>;
  rangeSeconds?: number;
  apdexThresholdSeconds: number;
  maxEdges: number;
  input: ServerMap['input'];
  warnings: string[];
}

export function statsFrom(
  calls: number,
  errors: number | undefined,
  buckets: Buckets | undefined,
  exactAvgMs: number | undefined,
  apdexT: number,
  rangeSeconds: number | undefined,
): TrafficStats {
  const boundedErrors = errors === undefined ? undefined : Math.min(Math.max(errors, 0), calls);
  const stats: TrafficStats = {
    calls,
    errors: boundedErrors,
    errorRate: boundedErrors === undefined || calls <= 0 ? undefined : boundedErrors / calls,
  };
  if (rangeSeconds !== undefined && rangeSeconds > 0) {
    stats.ratePerSecond = calls / rangeSeconds;
  }
  if (buckets && totalCount(buckets) > 0) {
    stats.buckets = packBuckets(buckets);
    stats.p50Ms = quantileMs(buckets, 0.5);
    stats.p95Ms = quantileMs(buckets, 0.95);
    stats.p99Ms = quantileMs(buckets, 0.99);
    stats.histogram = pinpointHistogram(buckets, boundedErrors);
    const a = apdex(buckets, apdexT);
    if (a) {
      stats.apdex = a.value;
      stats.apdexApproximate = a.approximate;
    }
    if (exactAvgMs === undefined) {
      stats.avgMs = estimateMeanMs(buckets);
      stats.avgApproximate = true;
    }
  }
  if (exactAvgMs !== undefined && Number.isFinite(exactAvgMs)) {
    stats.avgMs = exactAvgMs;
    stats.avgApproximate = false;
  }
  return stats;
}

/** Turns per-edge raw numbers into the map: nodes with kinds, inbound sums and derived statistics. */
export function assemble(input: AssembleInput): ServerMap {
  const warnings = input.warnings;
  let edges = input.edges.filter((e) => e.calls > 0 || (e.buckets && totalCount(e.buckets) > 0));
  if (edges.length > input.maxEdges) {
    edges = [...edges].sort((a, b) => b.calls - a.calls).slice(0, input.maxEdges);
    warnings.push(
      `${input.edges.length - input.maxEdges} of ${input.edges.length} links with the fewest calls were left out (limit ${input.maxEdges}); narrow the query (namespace, environment) to see them`,
    );
  }

  interface NodeAcc {
    name: string;
    namespace?: string;
    inboundTypes: Set<string>;
    /** Tempo saw this node's own spans: it calls out on a non-virtual link. */
    sentSpans: boolean;
    asClient: number;
    asServer: number;
    inCalls: number;
    inErrors?: number;
    inBuckets?: Buckets;
    bucketsIncompatible?: boolean;
    /** Duration total (ms) and call count behind the exact averages of inbound links. */
    inAvgSumMs: number;
    inAvgCount: number;
    /** Inbound links with calls but no exact average: the node's average is then an estimate. */
    inWithoutAvg: number;
    outCalls: number;
    outErrors?: number;
  }
  const nodes = new Map<string, NodeAcc>();
  const acc = (id: string, name: string, namespace: string | undefined): NodeAcc => {
    let n = nodes.get(id);
    if (!n) {
      n = { name, namespace, inboundTypes: new Set(), sentSpans: false, asClient: 0, asServer: 0, inCalls: 0, inAvgSumMs: 0, inAvgCount: 0, inWithoutAvg: 0, outCalls: 0 };
      nodes.set(id, n);
    }
    return n;
  };

  const outEdges: ServerMapEdge[] = [];
  for (const e of edges) {
    const src = acc(e.source, e.sourceName, e.sourceNamespace);
    const dst = acc(e.target, e.targetName, e.targetNamespace);
    src.asClient++;
    // A virtual node is never the client of a paired or database link; `user` is the client of a virtual one.
    src.sentSpans ||= e.connectionType !== 'virtual_node';
    dst.asServer++;
    if (e.connectionType) {
      dst.inboundTypes.add(e.connectionType);
    }
    dst.inCalls += e.calls;
    if (e.errors !== undefined) {
      dst.inErrors = (dst.inErrors ?? 0) + e.errors;
      src.outErrors = (src.outErrors ?? 0) + e.errors;
    }
    if (e.buckets && !dst.bucketsIncompatible) {
      dst.inBuckets = addBuckets(dst.inBuckets, e.buckets);
      // Links with no bound in common but +Inf: no histogram for the node rather than a made-up one.
      dst.bucketsIncompatible = dst.inBuckets === undefined;
    }
    if (e.durationCount !== undefined && e.durationSumSeconds !== undefined && e.durationCount > 0) {
      dst.inAvgSumMs += e.durationSumSeconds * 1000;
      dst.inAvgCount += e.durationCount;
    } else if (e.avgMs !== undefined && Number.isFinite(e.avgMs)) {
      dst.inAvgSumMs += e.avgMs * e.calls;
      dst.inAvgCount += e.calls;
    } else if (e.calls > 0) {
      dst.inWithoutAvg++;
    }
    src.outCalls += e.calls;
    outEdges.push({
      id: `${e.source}->${e.target}`,
      source: e.source,
      target: e.target,
      connectionType: e.connectionType,
      stats: statsFrom(e.calls, e.errors, e.buckets, e.avgMs, input.apdexThresholdSeconds, input.rangeSeconds),
    });
  }

  // Nodes that only appear in the node frame (Tempo) or have instances but no traffic still belong on the map.
  for (const [id, info] of input.nodeInfo ?? []) {
    if (!nodes.has(id) && (info.calls ?? 0) > 0) {
      const slash = id.lastIndexOf('/');
      acc(id, slash >= 0 ? id.slice(slash + 1) : id, slash >= 0 ? id.slice(0, slash) : undefined);
    }
  }

  const outNodes: ServerMapNode[] = [];
  for (const [id, n] of nodes) {
    const info = input.nodeInfo?.get(id);
    // Tempo marks user -> gateway `virtual_node` because the *client* is virtual, so a virtual_node link in
    // does not make its server external when the server shows its own spans: it calls out, Tempo read its
    // namespace from a span's resource, or target_info counts instances of it (real Tempo v3.0.3 data).
    const proven = n.sentSpans || n.namespace !== undefined || (input.instances?.get(n.name) ?? 0) > 0;
    const kind = kindFor(n.name, n.inboundTypes, n.asServer === 0 && n.asClient > 0, proven ? true : info?.instrumented);
    const calls = info?.calls ?? n.inCalls;
    const errors = info?.errors ?? n.inErrors;
    // Exact only when every inbound link has an exact average; otherwise the buckets' estimate (≈) is shown.
    const avg = info?.avgMs ?? (n.inWithoutAvg === 0 && n.inAvgCount > 0 ? n.inAvgSumMs / n.inAvgCount : undefined);
    const node: ServerMapNode = {
      id,
      name: n.name,
      namespace: n.namespace,
      kind,
      system: kind === 'database' || kind === 'cache' || kind === 'messaging' ? systemOf(n.name) : undefined,
      inbound: statsFrom(calls, errors, n.inBuckets, avg, input.apdexThresholdSeconds, input.rangeSeconds),
      outbound: { calls: n.outCalls, errors: n.outErrors },
    };
    const instances = input.instances?.get(n.name) ?? input.instances?.get(id);
    if (instances !== undefined) {
      node.instances = instances;
    }
    outNodes.push(node);
  }
  return { nodes: outNodes, edges: outEdges, input: input.input, warnings };
}
