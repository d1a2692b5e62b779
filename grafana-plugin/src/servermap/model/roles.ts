import { type FrameLike } from './frames';
import { type RoleRefIds } from './types';

export type Role = keyof RoleRefIds;

/**
 * The metric that gives each role away. A user who adds the service-graph queries keeps Grafana's refIds (A, B,
 * C…), so the role is read from the query's expression; the refId options only override it.
 */
const ROLE_METRICS: ReadonlyArray<[Role, RegExp]> = [
  ['calls', /\btraces_service_graph_request_total\b/],
  ['errors', /\btraces_service_graph_request_failed_total\b/],
  ['latency', /\btraces_service_graph_request_server_seconds_bucket\b/],
  ['clientLatency', /\btraces_service_graph_request_client_seconds_bucket\b/],
  ['latencySum', /\btraces_service_graph_request_server_seconds_sum\b/],
  ['latencyCount', /\btraces_service_graph_request_server_seconds_count\b/],
  ['instances', /\btarget_info\b/],
];

/**
 * The role an expression plays, when it names exactly one role's metric. An expression naming two (a ratio such
 * as sum / count) is not one of the map's inputs and gets no role.
 */
export function roleOfExpression(expr: string | undefined): Role | undefined {
  if (!expr) {
    return undefined;
  }
  let found: Role | undefined;
  for (const [role, metric] of ROLE_METRICS) {
    if (metric.test(expr)) {
      if (found) {
        return undefined;
      }
      found = role;
    }
  }
  return found;
}

/** A panel query as Grafana passes it in `PanelData.request.targets` (only what role detection reads). */
export interface QueryLike {
  refId?: string;
  expr?: unknown;
  hide?: boolean;
}

/** Grafana's Prometheus frames say what ran in `meta.executedQueryString` ("Expr: …\nStep: …"). */
function executedExpr(frames: readonly FrameLike[]): string | undefined {
  for (const f of frames) {
    const s = f.meta?.executedQueryString;
    if (typeof s === 'string' && s) {
      const m = /^Expr:\s*(.*)$/m.exec(s);
      return m ? m[1] : s;
    }
  }
  return undefined;
}

/**
 * Which refId carries each role. A role whose option names a refId present in the data keeps it (the override);
 * the other roles go to the query whose expression names the role's metric (from the panel's queries, else from
 * the frames' executed query). The first query wins when two name the same metric.
 */
export function resolveRoles(
  byRef: ReadonlyMap<string, readonly FrameLike[]>,
  options: RoleRefIds,
  queries: readonly QueryLike[] = []
): RoleRefIds {
  const resolved: RoleRefIds = { ...options };
  const taken = new Set<string>();
  const open: Role[] = [];
  for (const role of Object.keys(options) as Role[]) {
    if (byRef.has(options[role])) {
      taken.add(options[role]);
    } else {
      open.push(role);
    }
  }
  if (open.length === 0) {
    return resolved;
  }
  const exprs = new Map<string, string>();
  for (const q of queries) {
    if (q.refId && !q.hide && typeof q.expr === 'string') {
      exprs.set(q.refId, q.expr);
    }
  }
  const detected = new Map<Role, string>();
  for (const [refId, frames] of byRef) {
    if (taken.has(refId)) {
      continue;
    }
    const role = roleOfExpression(exprs.get(refId) ?? executedExpr(frames));
    if (role && !detected.has(role)) {
      detected.set(role, refId);
    }
  }
  for (const role of open) {
    const refId = detected.get(role);
    if (refId !== undefined) {
      resolved[role] = refId;
    }
  }
  return resolved;
}
