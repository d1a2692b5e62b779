/**
 * The routing every harness fake shares: fake data sources registered with @grafana/runtime's
 * `setDataSourceSrv`, so the panel's production query path (getDataSourceSrv().get(uid).query) runs unchanged,
 * and the answer shape of a Grafana data source (one emission, then complete). Each fixture's fakes decide only
 * what to answer (harness/compareDataSources.ts, detailsDataSources.ts, scatterDataSources.ts).
 */
import { type DataFrame, type DataQueryRequest, type DataQueryResponse, LoadingState } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';

export interface FakeDataSource {
  uid: string;
  type: 'prometheus' | 'tempo';
  name: string;
  query(req: DataQueryRequest): Observable<DataQueryResponse>;
}

/** A data source's failure as the panel reads it (`errors[0].message`, optionally an HTTP status). */
export interface FakeError {
  message: string;
  status?: number;
}

/**
 * One answer, asynchronous like a real data source: after `delayMs` with a timer, or right after the current
 * task (`delayMs` 0) so a bench measures the panel and not the fake. Unsubscribing cancels a pending timer.
 */
export function answer(result: DataFrame[] | FakeError, delayMs = 0): Observable<DataQueryResponse> {
  const response: DataQueryResponse = Array.isArray(result)
    ? { data: result, state: LoadingState.Done }
    : { data: [], state: LoadingState.Error, errors: [result] };
  return new Observable<DataQueryResponse>((sub) => {
    const emit = () => {
      sub.next(response);
      sub.complete();
    };
    if (delayMs <= 0) {
      let live = true;
      queueMicrotask(() => live && emit());
      return () => {
        live = false;
      };
    }
    const timer = setTimeout(emit, delayMs);
    return () => clearTimeout(timer);
  });
}

/** Publishes a fixture's query log for browser tests (window.__lgtmapmQueries). */
export function exposeQueryLog(log: unknown[]): void {
  (window as unknown as { __lgtmapmQueries: unknown[] }).__lgtmapmQueries = log;
}

function uidOf(ref?: string | { uid?: string }): string | undefined {
  return typeof ref === 'string' ? ref : ref?.uid;
}

/**
 * Registers the fakes by uid. `missing` names uids whose `get` fails with "not found" although their settings are
 * listed (a data source referenced by the dashboard that can no longer be loaded).
 */
export function installFakeDataSources(sources: FakeDataSource[], opts: { missing?: readonly string[] } = {}): void {
  const byUid = new Map(sources.map((s) => [s.uid, { ...s, getRef: () => ({ uid: s.uid, type: s.type }) }]));
  setDataSourceSrv({
    get: async (ref?: string | { uid?: string }) => {
      const uid = uidOf(ref);
      const ds = uid && !opts.missing?.includes(uid) ? byUid.get(uid) : undefined;
      if (!ds) {
        throw new Error(`Datasource ${uid} was not found`);
      }
      return ds;
    },
    getList: () => [],
    getInstanceSettings: (ref?: string | { uid?: string }) => {
      const ds = byUid.get(uidOf(ref) ?? '');
      return ds ? { uid: ds.uid, name: ds.uid, type: ds.type } : undefined;
    },
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  } as unknown as DataSourceSrv);
}
