/**
 * Harness stand-ins for the Prometheus and Tempo data sources that answer from the details recording
 * (test/fixtures/recorded/details): the details panel's load and instance queries, the scatter of `orders` and
 * the scatter filtered to gateway → orders. A query the recording does not hold gets an error answer naming
 * it, so a test sees a changed query instead of silently getting other data.
 */
import { type DataFrame, type DataQueryRequest } from '@grafana/data';
import { detailsManifest } from '../test/fixtures/recorded/details';
import { detailsHistogramFrames, detailsPromFrames, detailsSpansFrames } from '../test/fixtures/recorded/detailsFrames';
import { answer, exposeQueryLog, installFakeDataSources } from './fakeDataSources';

/** Every query answered, for browser tests (window.__lgtmapmQueries). */
const log: Array<{ uid: string; targets: unknown[]; maxDataPoints?: number }> = [];

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

/**
 * The details panel's Prometheus queries (load over time, instances) answered from the recording, or undefined
 * for an expression it does not hold. The runtime overlay is not part of the recording: an empty result, as
 * Prometheus gives for a series that does not exist.
 */
function recordedDetailsFrames(targets: Array<{ refId: string; expr: string }>): DataFrame[] | { missing: string } {
  const frames: DataFrame[] = [];
  for (const t of targets) {
    const file = promFileFor(t.expr);
    if (!file) {
      if (t.expr.startsWith('max(nodejs_')) {
        continue;
      }
      return { missing: t.expr };
    }
    frames.push(...detailsPromFrames(file, t.refId));
  }
  return frames;
}

export function installDetailsDataSources(opts: { failPrometheus?: boolean; delayMs?: number } = {}): void {
  const delayMs = opts.delayMs ?? 40;
  exposeQueryLog(log);
  installFakeDataSources([
    {
      uid: 'mimir',
      type: 'prometheus',
      name: 'Prometheus (recorded)',
      query(req: DataQueryRequest) {
        log.push({ uid: 'mimir', targets: req.targets, maxDataPoints: req.maxDataPoints });
        if (opts.failPrometheus) {
          return answer({ message: 'bad_data: the recording says no (harness failPrometheus)' }, delayMs);
        }
        const frames = recordedDetailsFrames(req.targets as unknown as Array<{ refId: string; expr: string }>);
        return answer('missing' in frames ? { message: `not in the recording: ${frames.missing}` } : frames, delayMs);
      },
    },
    {
      uid: 'tempo',
      type: 'tempo',
      name: 'Tempo (recorded)',
      query(req: DataQueryRequest) {
        log.push({ uid: 'tempo', targets: req.targets });
        const q = (req.targets[0] as unknown as { query: string }).query.trim();
        const file = tempoFileFor(q);
        if (!file) {
          return answer({ message: `not in the recording: ${q}` }, delayMs);
        }
        return answer(
          file.endsWith('histogram')
            ? detailsHistogramFrames(file as 'link-histogram')
            : detailsSpansFrames(file as 'link-dots', 'dots'),
          delayMs
        );
      },
    },
  ]);
}
