/**
 * Compare with the Tempo data source's "Service Graph" query as the panel's input: the current range's Nodes/Edges
 * frames as the panel receives them, the baseline's from the same query re-run by the panel over the baseline
 * range (fetchBaselineFrames through a fake Tempo data source), both read like the non-compare path reads them.
 */
import { of } from 'rxjs';
import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { fetchBaselineFrames } from '../../src/compare/fetchBaseline';
import { applyCompare, baselineMapOf } from '../../src/components/compare/compareOverlay';
import { DEFAULT_OPTIONS } from '../../src/types';
import { demoTopology, tempoServiceGraphFrames } from '../fixtures/serviceGraph';
import { framesFromWire } from '../fixtures/load';
import { BASELINE_RANGE_SECONDS, CURRENT_RANGE_SECONDS, demoAfterBadRelease } from '../fixtures/compare';

const get = jest.fn();
jest.mock('@grafana/runtime', () => ({ getDataSourceSrv: () => ({ get }) }));

const END = Date.UTC(2026, 10, 25, 12);
const TARGETS = [{ refId: 'A', queryType: 'serviceMap', datasource: { uid: 'tempo', type: 'tempo' } }];

function currentMap(): ServerMap {
  const built = buildServerMap(
    framesFromWire(tempoServiceGraphFrames(demoAfterBadRelease(), CURRENT_RANGE_SECONDS)) as never,
    { rangeSeconds: CURRENT_RANGE_SECONDS, queries: TARGETS }
  );
  if (!built.ok) {
    throw new Error(built.error);
  }
  return built.map;
}

describe('compare on the Tempo "Service Graph" input', () => {
  const requests: Array<{ targets: unknown[]; from: number; to: number }> = [];
  beforeAll(() => {
    get.mockImplementation(async (uid: string) => {
      if (uid !== 'tempo') {
        throw new Error(`Datasource ${uid} was not found`);
      }
      return {
        getRef: () => ({ uid: 'tempo', type: 'tempo' }),
        // Grafana's Tempo data source answers a serviceMap query with its Nodes and Edges frames (rates per second
        // over the request's range): here the demo before the release over that range.
        query: (req: any) => {
          const from = req.range.from.valueOf();
          const to = req.range.to.valueOf();
          requests.push({ targets: req.targets, from, to });
          return of({ data: framesFromWire(tempoServiceGraphFrames(demoTopology(), (to - from) / 1000)) });
        },
      };
    });
  });

  it("re-runs the panel's Service Graph query over the baseline range and diffs the two maps", async () => {
    const range = { from: END - 86_400_000 - BASELINE_RANGE_SECONDS * 1000, to: END - 86_400_000 };
    const fetched = await fetchBaselineFrames(TARGETS, range);
    expect(fetched.skipped).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ from: range.from, to: range.to, targets: [{ refId: 'A', queryType: 'serviceMap' }] });

    const baseline = baselineMapOf(fetched.frames, DEFAULT_OPTIONS, TARGETS, BASELINE_RANGE_SECONDS);
    if (!baseline.ok) {
      throw new Error(baseline.error);
    }
    const current = currentMap();
    const applied = applyCompare(current, CURRENT_RANGE_SECONDS, baseline.map, BASELINE_RANGE_SECONDS, {});
    if (!applied.ok) {
      throw new Error(applied.error);
    }
    const { diff } = applied.result.data;
    const link = (id: string) => diff.links.find((l) => l.id === id)!;

    // The release's topology change is seen as with the Prometheus input.
    expect(diff.appeared).toEqual(['demo/payments->demo/fraud-check']);
    expect(diff.disappeared).toEqual(['demo/orders->redis']);
    expect(applied.result.marks.edges.get('demo/orders->redis')).toMatchObject({ presence: 'gone' });
    // Calls per minute from the Edges frame's rate: 7,200 in an hour before, 5,040 in half an hour after.
    expect(link('demo/orders->demo/payments').callsPerMinute).toMatchObject({ baseline: 120, current: 168 });
    // Tempo's frames give the failed share per node only, and latency as a mean: links carry no error % and no
    // p95, so no link can be ranked ("biggest changes" stays empty; the README says so) …
    expect(link('demo/orders->demo/payments').errorPercent).toEqual({ significant: false });
    expect(link('demo/orders->demo/payments').p95Ms).toMatchObject({ significant: false, estimate: false });
    expect(link('demo/orders->demo/payments').p95Ms.current).toBeUndefined();
    expect(diff.biggestChanges).toEqual([]);
    // … but the slowed service itself is marked worse: its error share went from 0.5 % to 4.0 %.
    const payments = diff.nodes.find((n) => n.id === 'demo/payments')!;
    expect(payments.errorPercent).toMatchObject({ baseline: 0.5, significant: true });
    expect(payments.errorPercent.current).toBeCloseTo(4.0, 1);
    expect(applied.result.marks.nodes.get('demo/payments')).toMatchObject({ presence: 'both', tone: 'worse' });
    // Services whose numbers did not move are not marked as changed.
    expect(applied.result.marks.nodes.get('demo/gateway')).toMatchObject({ tone: 'neutral' });
  });
});
