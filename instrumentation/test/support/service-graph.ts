import { type AttrValue, type FlatSpan } from './spans.ts';

/**
 * Pairs spans into edges the way Tempo's metrics-generator service-graphs processor does
 * (modules/generator/processor/servicegraphs): CLIENT→SERVER by parent span id; unpaired database
 * client spans become `database` edges; other unpaired CLIENT spans become virtual server nodes named
 * by peer attributes; root SERVER spans get a virtual client named by their peer attributes, or `user`
 * (Tempo 3's onExpire). Peer attributes as in compose/tempo.yaml. Used to prove the kit's spans
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
    } else if (s.kindName === 'SERVER' && !s.parentSpanId) {
      // Tempo 3 names the caller of a root span after its first peer attribute, else `user`.
      edges.push({ client: firstString(s.attributes, PEER_ATTRIBUTES) ?? 'user', server: s.service, connectionType: 'virtual_node' });
    }
  }
  return edges;
}

export function edgeKeys(edges: readonly Edge[]): Set<string> {
  return new Set(edges.map((e) => `${e.client}->${e.server}${e.connectionType ? ` (${e.connectionType})` : ''}`));
}
