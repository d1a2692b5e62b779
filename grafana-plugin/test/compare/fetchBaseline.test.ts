import { of } from 'rxjs';
import { fetchBaselineFrames, groupTargets } from '../../src/compare/fetchBaseline';

const get = jest.fn();
jest.mock('@grafana/runtime', () => ({ getDataSourceSrv: () => ({ get }) }));

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 25, 12, 0, 0);

function fakeDs(uid: string, frames: (req: any) => unknown[]) {
  return { getRef: () => ({ uid, type: 'prometheus' }), query: jest.fn((req: any) => of({ data: frames(req) })) };
}

describe('groupTargets', () => {
  it('groups the panel targets by data source and leaves out hidden ones, expressions and ones without a source', () => {
    const g = groupTargets([
      { refId: 'calls', datasource: { uid: 'mimir' } },
      { refId: 'errors', datasource: { uid: 'mimir' } },
      { refId: 'graph', datasource: { uid: 'tempo' } },
      { refId: 'off', datasource: { uid: 'mimir' }, hide: true },
      { refId: 'ratio', datasource: { uid: '__expr__' } },
      { refId: 'orphan' },
      { refId: 'legacy', datasource: 'mimir' },
    ]);
    expect([...g.byUid].map(([uid, list]) => [uid, list.map((t) => t.refId)])).toEqual([
      ['mimir', ['calls', 'errors', 'legacy']],
      ['tempo', ['graph']],
    ]);
    expect(g.skipped).toEqual([
      'query ratio is a server-side expression, which a panel cannot re-run',
      'query orphan names no data source',
    ]);
    expect([...groupTargets([{ refId: 'A' }], 'fallback').byUid.keys()]).toEqual(['fallback']);
    expect(groupTargets(undefined).byUid.size).toBe(0);
  });
});

describe('fetchBaselineFrames', () => {
  beforeEach(() => get.mockReset());

  it("re-runs the panel's own targets (same refIds and expressions) over the baseline range, per data source", async () => {
    const mimir = fakeDs('mimir', (req) => req.targets.map((t: any) => ({ refId: t.refId, fields: [] })));
    const tempo = fakeDs('tempo', () => [{ fields: [] }]);
    get.mockImplementation(async (uid: string) => ({ mimir, tempo })[uid]);
    const range = { from: now - 25 * HOUR, to: now - 24 * HOUR };
    const targets = [
      {
        refId: 'calls',
        expr: 'sum(increase(traces_service_graph_request_total[$__range]))',
        datasource: { uid: 'mimir' },
      },
      { refId: 'errors', expr: 'x', datasource: { uid: 'mimir' } },
      { refId: 'graph', queryType: 'serviceMap', datasource: { uid: 'tempo' } },
    ];
    const got = await fetchBaselineFrames(targets, range);
    const req = mimir.query.mock.calls[0]![0];
    expect(req.targets.map((t: any) => [t.refId, t.expr])).toEqual([
      ['calls', 'sum(increase(traces_service_graph_request_total[$__range]))'],
      ['errors', 'x'],
    ]);
    // An absolute range: the data source computes $__range from it, and no relative "now" is handed on.
    expect([req.range.from.valueOf(), req.range.to.valueOf()]).toEqual([range.from, range.to]);
    expect(req.range.raw.to.valueOf()).toBe(range.to);
    expect(req.requestId).toMatch(/^lgtmapm-compare-/);
    expect(tempo.query.mock.calls[0]![0].targets.map((t: any) => t.queryType)).toEqual(['serviceMap']);
    // A lone target's frame without a refId gets it back.
    expect((got.frames as Array<{ refId?: string }>).map((f) => f.refId)).toEqual(['calls', 'errors', 'graph']);
    expect(got.skipped).toEqual([]);
  });

  it('fails with the reason when there is nothing to re-run or the data source fails', async () => {
    await expect(fetchBaselineFrames([], { from: 0, to: 1 })).rejects.toThrow(
      'The panel has no queries to re-run for the baseline'
    );
    await expect(
      fetchBaselineFrames([{ refId: 'r', datasource: { uid: '__expr__' } }], { from: 0, to: 1 })
    ).rejects.toThrow(
      'No query to re-run for the baseline (query r is a server-side expression, which a panel cannot re-run)'
    );
    get.mockResolvedValue({
      getRef: () => ({ uid: 'mimir' }),
      query: () => of({ data: [], errors: [{ message: 'bad_data: query timed out' }] }),
    });
    await expect(
      fetchBaselineFrames([{ refId: 'calls', datasource: { uid: 'mimir' } }], { from: 0, to: 1 })
    ).rejects.toThrow('bad_data: query timed out');
  });
});
