/**
 * Services and service-graph edges a set of traces touched, named the way Tempo's service-graph processor
 * names map nodes, so the server map can highlight the selected transactions' paths:
 * - parent span in service A, child span in service B → edge A → B;
 * - a root SERVER span → edge user → service (Tempo's virtual "user" client);
 * - a CLIENT span with no child in the trace (uninstrumented peer) → edge to a virtual node named by
 *   db.system (databases: postgresql, redis) or peer.service / server.address (external hosts).
 */
import type { SpanRecord } from './parseTrace';

export interface TracePaths {
  services: string[];
  edges: Array<[string, string]>;
}

function virtualPeer(span: SpanRecord): string | undefined {
  const a = span.attributes;
  const db = a['db.system.name'] ?? a['db.system'];
  if (typeof db === 'string' && db) {
    return db;
  }
  for (const key of ['peer.service', 'server.address', 'net.peer.name']) {
    const v = a[key];
    if (typeof v === 'string' && v) {
      return v;
    }
  }
  return undefined;
}

export function pathsOfTraces(traces: SpanRecord[][]): TracePaths {
  const services = new Set<string>();
  const edges = new Map<string, [string, string]>();
  const addEdge = (a: string, b: string) => {
    if (a !== b) {
      edges.set(`${a}\u0000${b}`, [a, b]);
    }
  };
  for (const spans of traces) {
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const hasChild = new Set<string>();
    for (const s of spans) {
      services.add(s.service);
      const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
      if (parent) {
        hasChild.add(parent.spanId);
        addEdge(parent.service, s.service);
      } else if (!s.parentSpanId && s.kind === 'server') {
        addEdge('user', s.service);
      }
    }
    for (const s of spans) {
      if (s.kind === 'client' && !hasChild.has(s.spanId)) {
        const peer = virtualPeer(s);
        if (peer) {
          services.add(peer);
          addEdge(s.service, peer);
        }
      }
    }
  }
  return { services: [...services].sort(), edges: [...edges.values()] };
}
