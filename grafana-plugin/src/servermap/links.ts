import { linkSpanset, nodeSpanset } from '../traceql';
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
  const panes = {
    a: {
      datasource: datasource.uid,
      queries: [{ refId: 'A', datasource, ...query }],
      range: { from: o.from, to: o.to },
    },
  };
  return grafanaUrl(
    '/explore',
    [
      ['schemaVersion', '1'],
      ['panes', JSON.stringify(panes)],
    ],
    o
  );
}

/**
 * TraceQL for the traces of a node: the server spans a service received, or the client spans calling a database,
 * cache, queue or external host. Undefined for the virtual `user` node (it has no spans).
 */
export function nodeTraceQl(node: ServerMapNode): string | undefined {
  return nodeSpanset(node);
}

/** TraceQL for the calls along one link: the same spans the scatter shows for it (`linkSpanset`). */
export function edgeTraceQl(source: ServerMapNode, target: ServerMapNode, connectionType?: string): string {
  return linkSpanset({ source, target, connectionType });
}

export function tracesLink(traceql: string, o: LinkOptions): string {
  return explore({ type: 'tempo', uid: o.tempoDatasource }, { queryType: 'traceql', query: traceql, limit: 20 }, o);
}

export function logsLink(service: string, o: LinkOptions): string {
  const selector = `{service_name=${JSON.stringify(service)}}`;
  return explore({ type: 'loki', uid: o.lokiDatasource }, { expr: selector, queryType: 'range' }, o);
}

export function dashboardLink(service: string, o: LinkOptions): string {
  return grafanaUrl(
    `/d/${encodeURIComponent(o.serviceDashboardUid)}`,
    [
      ['var-service', service],
      ['from', o.from],
      ['to', o.to],
    ],
    o
  );
}
