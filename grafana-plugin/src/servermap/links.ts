import { traceqlString } from '../traceql';
import { type ServerMapNode } from './model';
import { type GrafanaBase } from '../shared/grafanaLinks';

export interface LinkOptions extends GrafanaBase {
  tempoDatasource: string;
  lokiDatasource: string;
  serviceDashboardUid: string;
  /** Grafana time range strings (`now-1h`) or epoch ms. */
  from: string;
  to: string;
}

/**
 * A Grafana path under the sub-path, with the org so the link opens where the panel is. Values are encoded with
 * encodeURIComponent (spaces as %20, never "+"), which every URL parser reads back the same.
 */
function grafanaUrl(path: string, params: Array<[string, string]>, o: LinkOptions): string {
  const all = o.orgId !== undefined ? [...params, ['orgId', String(o.orgId)] as [string, string]] : params;
  return `${o.appSubUrl}${path}?${all.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

function explore(datasource: { type: string; uid: string }, query: Record<string, unknown>, o: LinkOptions): string {
  const panes = { a: { datasource: datasource.uid, queries: [{ refId: 'A', datasource, ...query }], range: { from: o.from, to: o.to } } };
  return grafanaUrl('/explore', [['schemaVersion', '1'], ['panes', JSON.stringify(panes)]], o);
}

/**
 * Client spans that call a database, cache, queue or external host: those nodes have no spans of their own, so
 * they are found by the peer attributes Tempo's service graph names them after.
 */
function peerPredicate(target: ServerMapNode): string {
  const name = traceqlString(target.name);
  switch (target.kind) {
    case 'database':
    case 'cache':
      return `(span.db.system = ${name} || span.db.name = ${name} || span.db.namespace = ${name} || span.server.address = ${name} || span.peer.service = ${name})`;
    case 'messaging':
      return `(span.messaging.system = ${name} || span.messaging.destination.name = ${name} || span.server.address = ${name})`;
    default:
      return `(span.server.address = ${name} || span.peer.service = ${name})`;
  }
}

function isTerminal(node: ServerMapNode): boolean {
  return node.kind === 'database' || node.kind === 'cache' || node.kind === 'messaging' || node.kind === 'external';
}

/**
 * TraceQL for the traces of a node: the server spans a service received, or the client spans calling a database,
 * cache, queue or external host. Undefined for the virtual `user` node (it has no spans).
 */
export function nodeTraceQl(node: ServerMapNode): string | undefined {
  if (node.kind === 'service') {
    return `{ resource.service.name = ${traceqlString(node.name)} && kind = server }`;
  }
  if (isTerminal(node)) {
    return `{ kind = client && ${peerPredicate(node)} }`;
  }
  return undefined;
}

/** TraceQL for the calls along one link: a client span of the caller with a server span of the callee below it. */
export function edgeTraceQl(source: ServerMapNode, target: ServerMapNode): string {
  if (source.kind === 'user') {
    // Tempo's `user` is virtual: the requests are the callee's server spans that start a trace.
    return `{ resource.service.name = ${traceqlString(target.name)} && kind = server && nestedSetParent < 0 }`;
  }
  const caller = `{ resource.service.name = ${traceqlString(source.name)} }`;
  if (!isTerminal(target)) {
    return `${caller} >> { resource.service.name = ${traceqlString(target.name)} && kind = server }`;
  }
  return `{ resource.service.name = ${traceqlString(source.name)} && kind = client && ${peerPredicate(target)} }`;
}

export function tracesLink(traceql: string, o: LinkOptions): string {
  return explore({ type: 'tempo', uid: o.tempoDatasource }, { queryType: 'traceql', query: traceql, limit: 20 }, o);
}

export function logsLink(service: string, o: LinkOptions): string {
  const selector = `{service_name=${JSON.stringify(service)}}`;
  return explore({ type: 'loki', uid: o.lokiDatasource }, { expr: selector, queryType: 'range' }, o);
}

export function dashboardLink(service: string, o: LinkOptions): string {
  return grafanaUrl(`/d/${encodeURIComponent(o.serviceDashboardUid)}`, [['var-service', service], ['from', o.from], ['to', o.to]], o);
}
