/**
 * Runs the panel's own targets again over the baseline range (README.md, "How the panel fetches the
 * baseline"): same refIds, same expressions, each through its data source's `query()`, which computes
 * `$__range` from the request's range, so `increase(...[$__range])` answers for the baseline unchanged.
 */
import { runQuery } from '../shared/queryClient';
import { type AbsoluteRange } from './baseline';

/** A panel target as `data.request.targets` holds it (a DataQuery). */
export interface PanelTarget {
  refId: string;
  datasource?: { uid?: string; type?: string } | string | null;
  hide?: boolean;
}

/** Grafana's server-side expressions: not a data source a panel can query. */
const EXPRESSION_UID = '__expr__';

export interface TargetGroups {
  byUid: Map<string, PanelTarget[]>;
  /** Targets left out, with the reason, phrased for the user. */
  skipped: string[];
}

/** The targets to re-run, grouped by data source uid (a mixed panel queries several). */
export function groupTargets(targets: readonly PanelTarget[] | undefined, fallbackUid?: string): TargetGroups {
  const byUid = new Map<string, PanelTarget[]>();
  const skipped: string[] = [];
  for (const t of targets ?? []) {
    if (!t || typeof t.refId !== 'string' || t.hide) {
      continue;
    }
    const uid = (typeof t.datasource === 'string' ? t.datasource : t.datasource?.uid) ?? fallbackUid;
    if (!uid) {
      skipped.push(`query ${t.refId} names no data source`);
      continue;
    }
    if (uid === EXPRESSION_UID) {
      skipped.push(`query ${t.refId} is a server-side expression, which a panel cannot re-run`);
      continue;
    }
    const list = byUid.get(uid) ?? [];
    list.push(t);
    byUid.set(uid, list);
  }
  return { byUid, skipped };
}

export interface BaselineFrames {
  frames: unknown[];
  skipped: string[];
}

/** Frames of the panel's targets over `range`; throws a QueryError with the data source's message on failure. */
export async function fetchBaselineFrames(
  targets: readonly PanelTarget[] | undefined,
  range: AbsoluteRange,
  options: { fallbackUid?: string; timeoutMs?: number } = {}
): Promise<BaselineFrames> {
  const { byUid, skipped } = groupTargets(targets, options.fallbackUid);
  if (byUid.size === 0) {
    throw new Error(
      skipped.length > 0
        ? `No query to re-run for the baseline (${skipped.join('; ')})`
        : 'The panel has no queries to re-run for the baseline'
    );
  }
  const results = await Promise.all(
    [...byUid].map(([uid, list]) =>
      runQuery(uid, list, range, { timeoutMs: options.timeoutMs, requestIdPrefix: 'lgtmapm-compare' }).then((frames) =>
        // Some data sources leave refId off a frame when the request had one target: put it back.
        frames.map((f) =>
          list.length === 1 && f && typeof f === 'object' && !(f as { refId?: string }).refId
            ? { ...(f as object), refId: list[0]!.refId }
            : f
        )
      )
    )
  );
  return { frames: results.flat(), skipped };
}
