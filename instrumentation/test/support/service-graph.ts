import { type AttrValue, type FlatSpan } from './spans.ts';

/**
 * Pairs spans into edges the way Tempo's metrics-generator service-graphs processor does
 * (modules/generator/processor/servicegraphs): CLIENT→SERVER by parent span id; unpaired database
 * client spans become `database` edges; other unpaired CLIENT spans become virtual server nodes named
 * by peer attributes; root SERVER spans get the virtual client `user`. Used to prove the kit's spans
 * make the edges the server map needs, without running Tempo.
 */
export interface Edge {
  client: string;
  server: string;
  connectionType: '' | 'virtual_node' | 'database' | 'messaging_system';
}

// Tempo's defaults plus the kit's compose setting (server.address added to peer_attributes).
const PEER_ATTRIBUTES = ['peer.service', 'db.name', 'db.system', 'db.system.name', 'server.address'];
const DATABASE_NAME_ATTRIBUTES = ['db.namespace', 'db.name', 'db.system', 'db.system.name'];

function firstString(attrs: Record<string, AttrValue>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = attrs[key];
    if (typeof value === 'string' && value) return value;
  }
  return undefined;
}

export function serviceGraphEdges(spans: readonly FlatSpan[]): Edge[] {
  const byId = new Map<string, FlatSpan>();
  for (const s of spans) byId.set(`${s.traceId}/${s.spanId}`, s);
  const serversByParent = new Map<string, FlatSpan>();
  for (const s of spans) if (s.kindName === 'SERVER' && s.parentSpanId) serversByParent.set(`${s.traceId}/${s.parentSpanId}`, s);

  const edges: Edge[] = [];
  for (const s of spans) {
    if (s.kindName === 'CLIENT') {
      const server = serversByParent.get(`${s.traceId}/${s.spanId}`);
      if (server) {
        edges.push({ client: s.service, server: server.service, connectionType: '' });
        continue;
      }
      const dbAttr = firstString(s.attributes, DATABASE_NAME_ATTRIBUTES);
      if (dbAttr) {
        const name =
          firstString(s.attributes, ['peer.service', 'server.address']) ??
          (typeof s.attributes['network.peer.address'] === 'string' ? String(s.attributes['network.peer.address']) : dbAttr);
        edges.push({ client: s.service, server: name, connectionType: 'database' });
        continue;
      }
      const peer = firstString(s.attributes, PEER_ATTRIBUTES);
      if (peer) edges.push({ client: s.service, server: peer, connectionType: 'virtual_node' });
    } else if (s.kindName === 'SERVER') {
      const parent = s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined;
      if (!s.parentSpanId || (!parent && !spans.some((c) => c.traceId === s.traceId && c.spanId === s.parentSpanId))) {
        // Tempo expires the half-edge and names the client `user` for root spans.
        if (!s.parentSpanId) edges.push({ client: 'user', server: s.service, connectionType: 'virtual_node' });
      }
    }
  }
  return edges;
}

export function edgeKeys(edges: readonly Edge[]): Set<string> {
  return new Set(edges.map((e) => `${e.client}->${e.server}${e.connectionType ? ` (${e.connectionType})` : ''}`));
}
