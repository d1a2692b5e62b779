/**
 * Runs the panel's own queries (the scatter's, the compare baseline's) through Grafana's data source API (`getDataSourceSrv().get(uid).query`), never
 * a direct backend URL, so Grafana's auth, proxy, caching and per-data-source limits apply. Streaming
 * responses (Tempo search/metrics over Grafana Live) resolve with their last (Done) emission.
 */
import { lastValueFrom, isObservable, type Observable } from 'rxjs';
import { dateTime, type DataQueryError, type DataQueryRequest, type DataQueryResponse, type DataSourceApi, type TimeRange } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { getDataSourceSrv } from '@grafana/runtime';

export interface QueryRange {
  from: number;
  to: number;
}

let requestSeq = 0;

function timeRangeOf(range: QueryRange): TimeRange {
  const from = dateTime(range.from);
  const to = dateTime(range.to);
  return { from, to, raw: { from, to } };
}

function errorText(resp: DataQueryResponse): string | undefined {
  // Older data sources still set the singular `error`; read it without relying on the deprecated field's type.
  const err = resp.errors?.[0] ?? (resp as { error?: DataQueryError }).error;
  if (!err) {
    return undefined;
  }
  return err.message || (err as { data?: { message?: string } }).data?.message || 'Query failed';
}

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

/**
 * Query one data source and return its frames. `timeRange` (the dashboard's, when the range is the same)
 * keeps moment objects intact for data sources that call moment APIs on it.
 */
export async function runQuery(
  uid: string,
  targets: Array<{ refId: string }>,
  range: QueryRange,
  options: { timeRange?: TimeRange; maxDataPoints?: number; timeoutMs?: number; requestIdPrefix?: string } = {}
): Promise<unknown[]> {
  let ds: DataSourceApi;
  try {
    ds = await getDataSourceSrv().get(uid);
  } catch (e) {
    throw new QueryError(`Data source "${uid}" not found (${e instanceof Error ? e.message : String(e)})`);
  }
  const spanMs = Math.max(1000, range.to - range.from);
  const maxDataPoints = options.maxDataPoints ?? 600;
  const intervalMs = Math.max(15_000, Math.ceil(spanMs / maxDataPoints / 1000) * 1000);
  const request: DataQueryRequest = {
    requestId: `${options.requestIdPrefix ?? 'lgtmapm-scatter'}-${++requestSeq}`,
    interval: `${intervalMs / 1000}s`,
    intervalMs,
    maxDataPoints,
    range: options.timeRange ?? timeRangeOf(range),
    scopedVars: {
      __interval: { text: `${intervalMs / 1000}s`, value: `${intervalMs / 1000}s` },
      __interval_ms: { text: String(intervalMs), value: intervalMs },
    },
    targets: targets.map((t) => ({ ...t, datasource: ds.getRef() })) as DataQuery[],
    timezone: 'browser',
    app: 'panel',
    startTime: Date.now(),
  };
  const result = ds.query(request) as Promise<DataQueryResponse> | Observable<DataQueryResponse>;
  const pending = isObservable(result) ? lastValueFrom(result, { defaultValue: { data: [] } }) : result;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryError(`No answer from "${uid}" after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  let resp: DataQueryResponse;
  try {
    resp = await Promise.race([pending, timeout]);
  } catch (e) {
    const msg =
      e instanceof Error
        ? e.message
        : (e as { data?: { message?: string }; message?: string })?.data?.message ??
          (e as { message?: string })?.message ??
          String(e);
    throw new QueryError(msg);
  } finally {
    clearTimeout(timer);
  }
  const err = errorText(resp);
  if (err) {
    throw new QueryError(err);
  }
  return resp.data ?? [];
}
