import { type FrameLike, type Series, readSeries, seriesAmount } from './frames';
import { type Buckets, normaliseBuckets, parseLe } from './histogram';
import { type RawEdge } from './assemble';
import { type RoleRefIds } from './types';

const EDGE_LABELS = ['client', 'server'];
const EDGE_LE_LABELS = [...EDGE_LABELS, 'le'];
const INSTANCE_LABELS = ['service_name', 'service', 'job'];

export interface PrometheusInput {
  edges: RawEdge[];
  instances?: Map<string, number>;
  warnings: string[];
}

/**
 * The calls query's links by client and server name. The other queries are matched against it once per series
 * (thousands on a large map), so lookups go through the label strings the frames already hold instead of
 * building a joined key string per series.
 */
class EdgeIndex {
  readonly edges: RawEdge[] = [];
  private readonly byPair = new Map<string, Map<string, RawEdge[]>>();

  pair(client: string, server: string): RawEdge[] | undefined {
    return this.byPair.get(client)?.get(server);
  }

  /** The link with exactly these labels (namespaces and connection type included). */
  exact(l: Readonly<Record<string, string>>): RawEdge | undefined {
    const list = this.pair(l.client!, l.server!);
    return list ? exactIn(list, l) : undefined;
  }

  add(edge: RawEdge) {
    let servers = this.byPair.get(edge.sourceName);
    if (!servers) {
      servers = new Map();
      this.byPair.set(edge.sourceName, servers);
    }
    const list = servers.get(edge.targetName);
    if (list) {
      list.push(edge);
    } else {
      servers.set(edge.targetName, [edge]);
    }
    this.edges.push(edge);
  }

  /**
   * Edges are keyed with namespaces; the errors/latency queries may aggregate them away, so fall back to
   * (client, server, connection_type) and then (client, server), taking the first such link of the calls query.
   */
  match(l: Readonly<Record<string, string>>): RawEdge | undefined {
    const list = this.pair(l.client!, l.server!);
    if (!list) {
      return undefined;
    }
    const exact = exactIn(list, l);
    if (exact) {
      return exact;
    }
    if (l.connection_type !== undefined) {
      for (const e of list) {
        if (e.connectionType === l.connection_type) {
          return e;
        }
      }
    }
    return list[0];
  }
}

function exactIn(list: RawEdge[], l: Readonly<Record<string, string>>): RawEdge | undefined {
  const clientNs = l.client_service_namespace ?? '';
  const serverNs = l.server_service_namespace ?? '';
  const type = l.connection_type ?? '';
  for (const e of list) {
    if ((e.sourceNamespace ?? '') === clientNs && (e.targetNamespace ?? '') === serverNs && e.connectionType === type) {
      return e;
    }
  }
  return undefined;
}

/** Whether two series' labels name the same link (everything that matching looks at). */
function sameLink(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return (
    a.client === b.client &&
    a.server === b.server &&
    a.connection_type === b.connection_type &&
    a.client_service_namespace === b.client_service_namespace &&
    a.server_service_namespace === b.server_service_namespace
  );
}

function nodeId(name: string, namespace: string | undefined): string {
  return namespace ? `${namespace}/${name}` : name;
}

function describeLabels(series: Series[]): string {
  const names = new Set<string>();
  for (const s of series.slice(0, 20)) {
    Object.keys(s.labels).forEach((k) => names.add(k));
  }
  return names.size ? `{${[...names].sort().join(', ')}}` : 'no labels';
}

/**
 * Series of one role, checked for the labels the role needs (client and server, plus le for histograms); throws
 * a user-facing message when unusable. One pass with named label reads: a large map has tens of thousands of
 * series, and the first mounts of a page run this code interpreted.
 */
function roleSeries(frames: FrameLike[], refId: string, withLe: boolean, hint: string, warnings: string[]): Series[] {
  const series = readSeries(frames);
  const needed = withLe ? EDGE_LE_LABELS : EDGE_LABELS;
  let skipped = 0;
  let rawCounter: string | undefined;
  const usable: Series[] = [];
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    skipped += s.skipped;
    const l = s.labels;
    if (l.client === undefined || l.server === undefined || (withLe && l.le === undefined)) {
      continue;
    }
    usable.push(s);
    if (rawCounter === undefined && l.__name__ !== undefined && s.values.length === 1) {
      rawCounter = l.__name__;
    }
  }
  if (skipped > 0) {
    warnings.push(`query "${refId}": ${skipped} NaN/Inf/empty samples were ignored`);
  }
  if (series.length > 0 && usable.length === 0) {
    throw new Error(
      `query "${refId}" returned series labelled ${describeLabels(series)} but the server map needs ${needed.join(', ')}: ${hint}`,
    );
  }
  if (usable.length < series.length) {
    warnings.push(`query "${refId}": ${series.length - usable.length} series without ${needed.join('/')} were ignored`);
  }
  if (rawCounter !== undefined) {
    warnings.push(
      `query "${refId}" returns raw counters (${rawCounter}); counts are totals since process start — wrap it in increase(...[$__range])`,
    );
  }
  return usable;
}

/**
 * Reads the panel's Prometheus/Mimir queries by role (refId). Throws an Error with a user-facing message when a
 * present role is unusable; a missing optional role becomes a warning.
 */
export function fromPrometheus(framesByRef: Map<string, FrameLike[]>, roles: RoleRefIds): PrometheusInput {
  const warnings: string[] = [];
  const callsFrames = framesByRef.get(roles.calls);
  if (!callsFrames) {
    throw new Error(`no "${roles.calls}" query`);
  }
  const aggregation = 'aggregate with sum by (client, server, connection_type)';
  const calls = roleSeries(callsFrames, roles.calls, false, aggregation, warnings);

  const edges = new EdgeIndex();
  for (const s of calls) {
    const amount = seriesAmount(s);
    if (amount === undefined) {
      continue;
    }
    const existing = edges.exact(s.labels);
    if (existing) {
      existing.calls += amount;
      continue;
    }
    const l = s.labels;
    edges.add({
      source: nodeId(l.client!, l.client_service_namespace),
      sourceName: l.client!,
      sourceNamespace: l.client_service_namespace,
      target: nodeId(l.server!, l.server_service_namespace),
      targetName: l.server!,
      targetNamespace: l.server_service_namespace,
      connectionType: l.connection_type ?? '',
      calls: amount,
    });
  }
  const match = (l: Readonly<Record<string, string>>) => edges.match(l);

  const errorsFrames = framesByRef.get(roles.errors);
  if (errorsFrames) {
    for (const e of edges.edges) {
      e.errors = 0;
    }
    let unmatched = 0;
    for (const s of roleSeries(errorsFrames, roles.errors, false, aggregation, warnings)) {
      const amount = seriesAmount(s);
      const edge = match(s.labels);
      if (amount === undefined) {
        continue;
      }
      if (!edge) {
        unmatched++;
        continue;
      }
      edge.errors = (edge.errors ?? 0) + amount;
    }
    if (unmatched > 0) {
      warnings.push(`query "${roles.errors}": ${unmatched} series match no link of "${roles.calls}" and were ignored`);
    }
  } else {
    warnings.push(`no "${roles.errors}" query: error counts are unknown`);
  }

  // Exact averages: sum / count of the server histogram per link (bucket midpoints are only an estimate).
  const addTotals = (refId: string, put: (edge: RawEdge, amount: number) => void) => {
    const frames = framesByRef.get(refId);
    if (!frames) {
      return false;
    }
    let unmatched = 0;
    for (const s of roleSeries(frames, refId, false, aggregation, warnings)) {
      const amount = seriesAmount(s);
      const edge = amount === undefined ? undefined : match(s.labels);
      if (amount === undefined) {
        continue;
      }
      if (!edge) {
        unmatched++;
        continue;
      }
      put(edge, amount);
    }
    if (unmatched > 0) {
      warnings.push(`query "${refId}": ${unmatched} series match no link of "${roles.calls}" and were ignored`);
    }
    return true;
  };
  const hasSum = addTotals(roles.latencySum, (e, v) => (e.durationSumSeconds = (e.durationSumSeconds ?? 0) + v));
  const hasCount = addTotals(roles.latencyCount, (e, v) => (e.durationCount = (e.durationCount ?? 0) + v));
  if (hasSum !== hasCount) {
    warnings.push(
      `averages need both traces_service_graph_request_server_seconds_sum and _count; only the ${hasSum ? 'sum' : 'count'} query is there, so averages are estimated from buckets (≈)`,
    );
  }
  for (const e of edges.edges) {
    if (hasSum && hasCount && e.durationCount !== undefined && e.durationCount > 0 && e.durationSumSeconds !== undefined) {
      e.avgMs = (e.durationSumSeconds / e.durationCount) * 1000;
    } else {
      e.durationSumSeconds = undefined;
      e.durationCount = undefined;
    }
  }

  const latencyHint = 'aggregate with sum by (client, server, connection_type, le)';
  const serverBuckets = framesByRef.get(roles.latency);
  const clientBuckets = framesByRef.get(roles.clientLatency);
  const fill = (frames: FrameLike[], refId: string, onlyMissing: boolean) => {
    const raw = new Map<RawEdge, Array<[number, number]>>();
    // A link's buckets arrive one after another (one series per bound), so the previous series' link is
    // usually the answer and is checked before the lookup.
    let prevLabels: Readonly<Record<string, string>> | undefined;
    let prevEdge: RawEdge | undefined;
    for (const s of roleSeries(frames, refId, true, latencyHint, warnings)) {
      const l = s.labels;
      const edge = prevLabels && sameLink(l, prevLabels) ? prevEdge : match(l);
      prevLabels = l;
      prevEdge = edge;
      const amount = seriesAmount(s);
      if (!edge || amount === undefined || (onlyMissing && edge.buckets)) {
        continue;
      }
      const list = raw.get(edge);
      if (list) {
        list.push([parseLe(l.le!), amount]);
      } else {
        raw.set(edge, [[parseLe(l.le!), amount]]);
      }
    }
    let broken = 0;
    for (const [edge, list] of raw) {
      const b: Buckets | undefined = normaliseBuckets(list);
      if (b) {
        edge.buckets = b;
      } else {
        broken++;
      }
    }
    if (broken > 0) {
      warnings.push(`query "${refId}": ${broken} links have no +Inf bucket and got no latency statistics`);
    }
  };
  if (serverBuckets) {
    fill(serverBuckets, roles.latency, false);
  }
  if (clientBuckets) {
    // Server-side timing is what Pinpoint shows; the client side fills in links whose server is not
    // instrumented (databases, external hosts), where Tempo has no server span.
    fill(clientBuckets, roles.clientLatency, true);
  }
  if (!serverBuckets && !clientBuckets) {
    warnings.push(`no "${roles.latency}" query: no percentiles, histogram or Apdex`);
  }

  let instances: Map<string, number> | undefined;
  const instFrames = framesByRef.get(roles.instances);
  if (instFrames) {
    instances = new Map();
    const series = readSeries(instFrames);
    for (const s of series) {
      const key = INSTANCE_LABELS.map((l) => s.labels[l]).find((v) => v !== undefined);
      const amount = s.values.length ? s.values[s.values.length - 1] : undefined;
      if (key !== undefined && amount !== undefined) {
        instances.set(key, (instances.get(key) ?? 0) + Math.round(amount));
      }
    }
    if (series.length > 0 && instances.size === 0) {
      warnings.push(`query "${roles.instances}" has no service_name label: use count by (service_name) (target_info)`);
    }
  }

  return { edges: edges.edges, instances, warnings };
}
