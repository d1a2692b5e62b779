import { type FrameLike, isUsableFrame } from './frames';
import { assemble } from './assemble';
import { fromPrometheus } from './fromPrometheus';
import { fromTempo, isEdgesFrame, isNodesFrame } from './fromTempo';
import { resolveRoles } from './roles';
import { type BuildOptions, type BuildResult, DEFAULT_ROLES } from './types';

export const DEFAULT_BUILD_OPTIONS: BuildOptions = {
  roles: DEFAULT_ROLES,
  apdexThresholdSeconds: 1,
  maxEdges: 20000,
};

/**
 * Frames → ServerMap. Accepts the panel's Prometheus queries (roles by refId) or Tempo Service Graph frames;
 * never throws: unusable input comes back as `{ ok: false, error }` naming what is wrong.
 */
export function buildServerMap(frames: readonly FrameLike[] | undefined, options: Partial<BuildOptions> = {}): BuildResult {
  const opts: BuildOptions = { ...DEFAULT_BUILD_OPTIONS, ...options, roles: { ...DEFAULT_ROLES, ...options.roles } };
  try {
    const list = (frames ?? []).filter(isUsableFrame);
    if (list.length === 0) {
      return { ok: false, error: 'No data: the queries returned no frames for the selected time range', warnings: [] };
    }
    const byRef = new Map<string, FrameLike[]>();
    for (const f of list) {
      const ref = f.refId ?? 'A';
      const list = byRef.get(ref);
      if (list) {
        list.push(f);
      } else {
        byRef.set(ref, [f]);
      }
    }

    const roles = resolveRoles(byRef, opts.roles, opts.queries);
    if (byRef.has(roles.calls)) {
      const prom = fromPrometheus(byRef, roles);
      if (prom.edges.length === 0) {
        return {
          ok: false,
          error: `No traffic: query "${roles.calls}" returned no links with calls in this time range`,
          warnings: prom.warnings,
        };
      }
      const map = assemble({
        edges: prom.edges,
        instances: prom.instances,
        rangeSeconds: opts.rangeSeconds,
        apdexThresholdSeconds: opts.apdexThresholdSeconds,
        maxEdges: opts.maxEdges,
        input: 'prometheus',
        warnings: prom.warnings,
      });
      return { ok: true, map };
    }

    const edgesFrame = list.find(isEdgesFrame);
    if (edgesFrame) {
      const nodesFrame = list.find((f) => f !== edgesFrame && isNodesFrame(f) && (f.refId ?? 'A') === (edgesFrame.refId ?? 'A')) ?? list.find(isNodesFrame);
      const tempo = fromTempo(nodesFrame, edgesFrame, opts.rangeSeconds);
      if (tempo.edges.length === 0) {
        return { ok: false, error: 'No traffic: the Tempo Service Graph query returned no edges', warnings: tempo.warnings };
      }
      const map = assemble({
        edges: tempo.edges,
        nodeInfo: tempo.nodeInfo,
        rangeSeconds: opts.rangeSeconds,
        apdexThresholdSeconds: opts.apdexThresholdSeconds,
        maxEdges: opts.maxEdges,
        input: 'tempo',
        warnings: tempo.warnings,
      });
      return { ok: true, map };
    }

    const refs = [...byRef.keys()].join(', ');
    return {
      ok: false,
      error:
        `No server-map data: expected a query on traces_service_graph_request_total (or one with refId "${roles.calls}"), ` +
        `optionally with _failed_total, _server_seconds_bucket/_sum/_count, _client_seconds_bucket and target_info ` +
        `queries, or a Tempo Service Graph query; got refIds: ${refs}`,
      warnings: [],
    };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), warnings: [] };
  }
}
