/**
 * Harness stand-ins for the Prometheus and Tempo data sources that answer from the details recording
 * (test/fixtures/recorded/details): the details panel's load and instance queries, the scatter of `orders` and
 * the scatter filtered to gateway → orders. A query the recording does not hold gets an error answer naming
 * it, so a test sees a changed query instead of silently getting other data.
 */
import { type DataFrame, type DataQueryRequest, type DataQueryResponse, LoadingState } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv } from '@grafana/runtime';
import { Observable } from 'rxjs';
import { detailsManifest } from '../test/fixtures/recorded/details';
import { detailsHistogramFrames, detailsPromFrames, detailsSpansFrames } from '../test/fixtures/recorded/detailsFrames';

/** Every query answered, for browser tests (window.__lgtmapmQueries). */
const log: Array<{ uid: string; targets: unknown[]; maxDataPoints?: number }> = [];

function respond(data: DataFrame[] | Error, delayMs: number): Observable<DataQueryResponse> {
  return new Observable<DataQueryResponse>((sub) => {
    const timer = setTimeout(() => {
      if (data instanceof Error) {
        sub.next({ data: [], state: LoadingState.Error, errors: [{ message: data.message }] });
      } else {
        sub.next({ data, state: LoadingState.Done });
      }
      sub.complete();
    }, delayMs);
    return () => clearTimeout(timer);
  });
}

/** Recorded Prometheus file for an expression as the panel sends it (macros as Grafana would substitute them). */
function promFileFor(expr: string): string | undefined {
  const sent = expr.replaceAll('$__range', `${detailsManifest.rangeSeconds}s`);
  for (const [file, query] of Object.entries(detailsManifest.queries)) {
    if (file.startsWith('prometheus/') && (query === expr || query === sent)) {
      return file.slice('prometheus/'.length);
    }
  }
  return undefined;
}

function tempoFileFor(
  query: string
): 'link-dots' | 'link-histogram' | 'service-dots' | 'service-histogram' | undefined {
  for (const file of ['link-dots', 'link-histogram', 'service-dots', 'service-histogram'] as const) {
    if ((detailsManifest.queries[`tempo/${file}`] as { q: string }).q === query) {
      return file;
    }
  }
  return undefined;
}

export function installDetailsDataSources(opts: { failPrometheus?: boolean; delayMs?: number } = {}): void {
  const delayMs = opts.delayMs ?? 40;
  (window as unknown as { __lgtmapmQueries: typeof log }).__lgtmapmQueries = log;
  const prometheus = {
    uid: 'mimir',
    type: 'prometheus',
    name: 'Prometheus (recorded)',
    getRef: () => ({ uid: 'mimir', type: 'prometheus' }),
    query(req: DataQueryRequest): Observable<DataQueryResponse> {
      log.push({ uid: 'mimir', targets: req.targets, maxDataPoints: req.maxDataPoints });
      if (opts.failPrometheus) {
        return respond(new Error('bad_data: the recording says no (harness failPrometheus)'), delayMs);
      }
      const frames: DataFrame[] = [];
      for (const t of req.targets as unknown as Array<{ refId: string; expr: string }>) {
        const file = promFileFor(t.expr);
        if (!file) {
          // The runtime overlay is not part of this recording: Prometheus answers an empty result for it.
          if (t.expr.startsWith('max(nodejs_')) {
            continue;
          }
          return respond(new Error(`not in the recording: ${t.expr}`), delayMs);
        }
        frames.push(...detailsPromFrames(file, t.refId));
      }
      return respond(frames, delayMs);
    },
  };
  const tempo = {
    uid: 'tempo',
    type: 'tempo',
    name: 'Tempo (recorded)',
    getRef: () => ({ uid: 'tempo', type: 'tempo' }),
    query(req: DataQueryRequest): Observable<DataQueryResponse> {
      log.push({ uid: 'tempo', targets: req.targets });
      const q = (req.targets[0] as unknown as { query: string }).query.trim();
      const file = tempoFileFor(q);
      if (!file) {
        return respond(new Error(`not in the recording: ${q}`), delayMs);
      }
      return respond(
        file.endsWith('histogram')
          ? detailsHistogramFrames(file as 'link-histogram')
          : detailsSpansFrames(file as 'link-dots', 'dots'),
        delayMs
      );
    },
  };
  const byUid: Record<string, unknown> = { mimir: prometheus, tempo };
  const srv = {
    get: async (ref?: string | { uid?: string }) => {
      const uid = typeof ref === 'string' ? ref : ref?.uid;
      const ds = uid ? byUid[uid] : undefined;
      if (!ds) {
        throw new Error(`Datasource ${uid} was not found`);
      }
      return ds;
    },
    getList: () => [],
    getInstanceSettings: (ref?: string | { uid?: string }) => {
      const uid = typeof ref === 'string' ? ref : ref?.uid;
      return uid && byUid[uid] ? { uid, name: uid, type: uid === 'tempo' ? 'tempo' : 'prometheus' } : undefined;
    },
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  };
  setDataSourceSrv(srv as unknown as DataSourceSrv);
}
