/**
 * Runs the panel's own queries (the scatter's, the details panel's, the compare baseline's) through Grafana's data source API (`getDataSourceSrv().get(uid).query`), never
 * a direct backend URL, so Grafana's auth, proxy, caching and per-data-source limits apply. Streaming
 * responses (Tempo search/metrics over Grafana Live) resolve with their last (Done) emission.
 */
import { lastValueFrom, isObservable, type Observable } from 'rxjs';
import { dateTime, type DataQueryError, type DataQueryRequest, type DataQueryResponse, type DataSourceApi, type TimeRange } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { getDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';

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
 * A failure's text as a user may read it. Grafana and data sources reject with Errors or with plain objects
 * (`{ message }`, `{ data: { message } }`); a JavaScript runtime error (TypeError, …) is a bug in some code, and its
 * text ("Cannot read properties of undefined") tells the user nothing: it goes to the console, not the panel.
 */
function reasonForUser(e: unknown): string | undefined {
  if (e instanceof TypeError || e instanceof ReferenceError || e instanceof RangeError || e instanceof SyntaxError) {
    console.error('lgtmapm query failed', e);
    return undefined;
  }
  if (e instanceof Error) {
    return e.message || undefined;
  }
  const o = e as { data?: { message?: unknown }; message?: unknown } | null | undefined;
  const text = o?.data?.message ?? o?.message ?? (typeof e === 'string' ? e : undefined);
  return typeof text === 'string' && text !== '' ? text : undefined;
}

/**
 * The data source `uid` from Grafana's data source service. Outside Grafana (a page without the Grafana
 * runtime, where `getDataSourceSrv()` is undefined) and for a uid Grafana does not know, a QueryError that says so.
 */
async function dataSource(uid: string): Promise<DataSourceApi> {
  // Typed as always set, but it is undefined until the Grafana app (or a test page) registers the service.
  const srv = getDataSourceSrv() as DataSourceSrv | undefined;
  if (typeof srv?.get !== 'function') {
    throw new QueryError(`Data source "${uid}" unavailable: no Grafana data source service on this page`);
  }
  let ds: DataSourceApi | undefined;
  try {
    ds = await srv.get(uid);
  } catch (e) {
    const reason = reasonForUser(e);
    // Grafana's own reason ("Datasource X was not found") only repeats what the message says.
    throw new QueryError(`Data source "${uid}" not found${reason && !/not found/i.test(reason) ? ` (${reason})` : ''}`);
  }
  if (typeof ds?.query !== 'function') {
    throw new QueryError(`Data source "${uid}" not found`);
  }
  return ds;
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
  const ds = await dataSource(uid);
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
  let pending: Promise<DataQueryResponse>;
  try {
    const result = ds.query(request) as Promise<DataQueryResponse> | Observable<DataQueryResponse>;
    pending = isObservable(result) ? lastValueFrom(result, { defaultValue: { data: [] } }) : result;
  } catch (e) {
    // A data source that throws instead of answering with an error (a bug in it, or an unusable query model).
    pending = Promise.reject(e);
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueryError(`No answer from "${uid}" after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  let resp: DataQueryResponse;
  try {
    resp = await Promise.race([pending, timeout]);
  } catch (e) {
    if (e instanceof QueryError) {
      throw e;
    }
    throw new QueryError(reasonForUser(e) ?? `Query to "${uid}" failed (the error is in the browser console)`);
  } finally {
    clearTimeout(timer);
  }
  const err = errorText(resp);
  if (err) {
    throw new QueryError(err);
  }
  return resp.data ?? [];
}
