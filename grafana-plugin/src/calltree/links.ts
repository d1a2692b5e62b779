/**
 * Explore links for a trace: the Tempo trace view and the trace's log lines in Loki. Built with Grafana's
 * Explore URL state (`schemaVersion=1&panes=…`) through `urlUtil.renderUrl` so Grafana's own router parses them.
 */
import { buildTraceLogsQuery } from '../traceql/logql';

export interface ExploreRange {
  from: string | number;
  to: string | number;
}

type RenderUrl = (path: string, query: Record<string, string | number>) => string;

function paneUrl(renderUrl: RenderUrl, pane: object, orgId?: number): string {
  const query: Record<string, string | number> = { schemaVersion: 1, panes: JSON.stringify({ lgtmapm: pane }) };
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
