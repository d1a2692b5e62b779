/**
 * Explore links for a trace: the Tempo trace view and the trace's log lines in Loki. The panel passes Grafana's
 * own builders (`serializeStateToUrlParam` for the pane state, `urlUtil.renderUrl` for `/explore?schemaVersion=1
 * &panes=…`); plain functions are injected so this module stays testable without the Grafana runtime.
 */
import { buildTraceLogsQuery } from '../traceql/logql';

export interface ExploreRange {
  from: string | number;
  to: string | number;
}

type RenderUrl = (path: string, query: Record<string, string | number>) => string;

/** Pane state → its URL form (Grafana: `serializeStateToUrlParam`). */
export type SerializePane = (pane: { datasource: string; queries: object[]; range: { from: string; to: string } }) => string;

let serializePane: SerializePane = (pane) => JSON.stringify(pane);

export function setPaneSerializer(fn: SerializePane): void {
  serializePane = fn;
}

function paneUrl(renderUrl: RenderUrl, pane: { datasource: string; queries: object[]; range: { from: string; to: string } }, orgId?: number): string {
  const query: Record<string, string | number> = { schemaVersion: 1, panes: `{"lgtmapm":${serializePane(pane)}}` };
  if (orgId !== undefined) {
    query.orgId = orgId;
  }
  return renderUrl('/explore', query);
}

export function traceExploreUrl(
  renderUrl: RenderUrl,
  tempoUid: string,
  traceId: string,
  range: ExploreRange,
  orgId?: number
): string {
  return paneUrl(
    renderUrl,
    {
      datasource: tempoUid,
      queries: [{ refId: 'A', datasource: { type: 'tempo', uid: tempoUid }, queryType: 'traceql', query: traceId }],
      range: { from: String(range.from), to: String(range.to) },
    },
    orgId
  );
}

export function traceLogsExploreUrl(
  renderUrl: RenderUrl,
  lokiUid: string,
  traceId: string,
  range: ExploreRange,
  orgId?: number
): string {
  return paneUrl(
    renderUrl,
    {
      datasource: lokiUid,
      queries: [{ refId: 'A', datasource: { type: 'loki', uid: lokiUid }, expr: buildTraceLogsQuery(traceId), queryType: 'range' }],
      range: { from: String(range.from), to: String(range.to) },
    },
    orgId
  );
}

/** A time window around a trace (±5 min) so Explore and Loki find it even with clock skew. */
export function rangeAroundTrace(startMs: number, endMs: number): ExploreRange {
  return { from: Math.floor(startMs - 300_000), to: Math.ceil(endMs + 300_000) };
}
