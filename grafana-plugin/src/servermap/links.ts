import { traceqlString } from '../traceql';
import { type ServerMapNode } from './model';

export interface LinkOptions {
  tempoDatasource: string;
  lokiDatasource: string;
  serviceDashboardUid: string;
  /** Grafana time range strings (`now-1h`) or epoch ms. */
  from: string;
  to: string;
}

function explore(datasource: { type: string; uid: string }, query: Record<string, unknown>, o: LinkOptions): string {
  const panes = { a: { datasource: datasource.uid, queries: [{ refId: 'A', datasource, ...query }], range: { from: o.from, to: o.to } } };
  return `/explore?schemaVersion=1&orgId=1&panes=${encodeURIComponent(JSON.stringify(panes))}`;
}

/** TraceQL for the traces a node served (server spans of that service). */
export function nodeTraceQl(node: ServerMapNode): string {
  return `{ resource.service.name = ${traceqlString(node.name)} && kind = server }`;
}

/** TraceQL for the calls along one link: a client span of the caller with a server span of the callee below it. */
export function edgeTraceQl(source: ServerMapNode, target: ServerMapNode): string {
  const caller = `{ resource.service.name = ${traceqlString(source.name)} }`;
  if (target.kind === 'service') {
    return `${caller} >> { resource.service.name = ${traceqlString(target.name)} && kind = server }`;
  }
  // Databases, caches and external hosts have no spans of their own: match the caller's client spans to them.
  const peer =
    target.kind === 'database' || target.kind === 'cache'
      ? `(span.db.system = ${traceqlString(target.name)} || span.db.name = ${traceqlString(target.name)} || span.server.address = ${traceqlString(target.name)})`
      : `(span.server.address = ${traceqlString(target.name)} || span.peer.service = ${traceqlString(target.name)})`;
  return `{ resource.service.name = ${traceqlString(source.name)} && kind = client && ${peer} }`;
}

export function tracesLink(traceql: string, o: LinkOptions): string {
  return explore({ type: 'tempo', uid: o.tempoDatasource }, { queryType: 'traceql', query: traceql, limit: 20 }, o);
}

export function logsLink(service: string, o: LinkOptions): string {
  const selector = `{service_name=${JSON.stringify(service)}}`;
  return explore({ type: 'loki', uid: o.lokiDatasource }, { expr: selector, queryType: 'range' }, o);
}

export function dashboardLink(service: string, o: LinkOptions): string {
  const q = new URLSearchParams({ 'var-service': service, from: o.from, to: o.to });
  return `/d/${encodeURIComponent(o.serviceDashboardUid)}?${q.toString()}`;
}
