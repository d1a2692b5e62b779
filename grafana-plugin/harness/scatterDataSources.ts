/**
 * Harness stand-ins for the Tempo and Mimir data sources, installed with @grafana/runtime's
 * `setDataSourceSrv` so the scatter's production query path (getDataSourceSrv().get(uid).query) runs
 * unchanged. Answers come from test/fixtures/tempo (Grafana `/api/ds/query` envelopes), decoded with
 * `dataFrameFromJSON` as DataSourceWithBackend does.
 */
import { dataFrameFromJSON, type DataFrameJSON, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { type Observable } from 'rxjs';
import searchSpans from '../test/fixtures/tempo/search-spans.json';
import searchTruncated from '../test/fixtures/tempo/search-spans-truncated.json';
import searchEmpty from '../test/fixtures/tempo/search-spans-empty.json';
import searchError from '../test/fixtures/tempo/search-error.json';
import histogram from '../test/fixtures/tempo/histogram.json';
import traces from '../test/fixtures/tempo/traces.json';
import traceNotFound from '../test/fixtures/tempo/trace-not-found.json';
import traceMalformed from '../test/fixtures/tempo/trace-malformed.json';
import runtime from '../test/fixtures/tempo/runtime-eventloop.json';
import range from '../test/fixtures/tempo/range.json';
import { demoTopology } from '../test/fixtures/serviceGraph';
import { answer, exposeQueryLog, installFakeDataSources } from './fakeDataSources';
import { perHour, topologyDetailsFrames } from './topologyDetails';

interface Envelope {
  results: Record<string, { status?: number; frames?: unknown[]; error?: string }>;
}

export type ScatterScenario = 'ok' | 'truncated' | 'empty' | 'tempo-error' | 'malformed-trace' | 'no-mimir';

/** Every query the fakes answered, for browser tests to assert on (window.__lgtmapmQueries). */
const log: Array<{ uid: string; targets: unknown[]; from: number; to: number }> = [];

/** A recorded `/api/ds/query` envelope's first result, decoded as DataSourceWithBackend does. */
function respond(envelope: Envelope, delayMs: number): Observable<DataQueryResponse> {
  const result = Object.values(envelope.results)[0];
  if (!result || result.error) {
    return answer({ message: result?.error ?? 'no result', status: result?.status }, delayMs);
  }
  return answer((result.frames ?? []).map((f) => dataFrameFromJSON(f as DataFrameJSON)), delayMs);
}

function countEnvelope(value: number): Envelope {
  return {
    results: {
      requests: {
        status: 200,
        frames: [
          {
            schema: {
              refId: 'requests',
              fields: [
                { name: 'Time', type: 'time', typeInfo: { frame: 'time.Time' } },
                { name: 'Value', type: 'number', typeInfo: { frame: 'float64' }, labels: {} },
              ],
            },
            data: { values: [[Date.UTC(2026, 10, 25, 10, 15)], [value]] },
          },
        ],
      },
    },
  };
}

export function installScatterDataSources(scenario: ScatterScenario, delayMs = 40): void {
  exposeQueryLog(log);
  const tempo = {
    uid: 'tempo',
    type: 'tempo' as const,
    name: 'Tempo',
    query(req: DataQueryRequest): Observable<DataQueryResponse> {
      const target = req.targets[0] as unknown as { query: string };
      log.push({ uid: 'tempo', targets: req.targets, from: req.range.from.valueOf(), to: req.range.to.valueOf() });
      const q = target.query.trim();
      if (/^[0-9a-f]+$/i.test(q)) {
        if (scenario === 'malformed-trace') {
          return respond(traceMalformed as Envelope, delayMs);
        }
        return respond(((traces as Record<string, Envelope>)[q] ?? traceNotFound) as Envelope, delayMs);
      }
      if (q.includes('histogram_over_time')) {
        return respond(histogram as Envelope, delayMs);
      }
      if (scenario === 'tempo-error') {
        return respond(searchError as Envelope, delayMs);
      }
      if (scenario === 'empty') {
        return respond(searchEmpty as Envelope, delayMs);
      }
      // A band query (drag on truncated dots) gets the full result; the panel trims it to the rectangle.
      const band = q.includes('duration >=');
      return respond((scenario === 'truncated' && !band ? searchTruncated : searchSpans) as Envelope, delayMs);
    },
  };
  const mimir = {
    uid: 'mimir',
    type: 'prometheus' as const,
    name: 'Mimir',
    query(req: DataQueryRequest): Observable<DataQueryResponse> {
      log.push({ uid: 'mimir', targets: req.targets, from: req.range.from.valueOf(), to: req.range.to.valueOf() });
      const target = req.targets[0] as unknown as { refId: string; expr: string };
      const expr = target.expr;
      // The details panel's load and instance queries: answered from the map's own topology (the recorded answers
      // are in the `details` fixture), so the details beside the map are filled as in Grafana.
      const details = topologyDetailsFrames(perHour(demoTopology(), range.to - range.from), {
        targets: req.targets as unknown as Array<{ refId: string; expr?: string; interval?: string }>,
        from: req.range.from.valueOf(),
        to: req.range.to.valueOf(),
        intervalMs: req.intervalMs,
      });
      if (details) {
        return answer(details, delayMs);
      }
      if (expr.includes('http_server_request_duration_seconds_count')) {
        // 300 transactions reached Tempo out of 600 requests the SDK counted: 50 % sampling.
        return respond(countEnvelope(600), delayMs);
      }
      return respond(runtime as Envelope, delayMs);
    },
  };
  installFakeDataSources([tempo, mimir], { missing: scenario === 'no-mimir' ? ['mimir'] : [] });
}
