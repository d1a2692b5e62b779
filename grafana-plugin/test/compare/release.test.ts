import { dataFrameFromJSON, type DataFrameJSON } from '@grafana/data';
import { parser } from '@prometheus-io/lezer-promql';
import { previousRelease, releaseQuery, releaseWindows, type ReleaseWindow } from '../../src/compare';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

/** One frame per version, as the Prometheus data source returns a range query (timeseries-multi). */
function versionFrame(version: string | undefined, points: Array<[number, number]>) {
  return dataFrameFromJSON({
    schema: {
      refId: 'releases',
      fields: [
        { name: 'Time', type: 'time' as never },
        { name: 'Value', type: 'number' as never, labels: version === undefined ? {} : { service_version: version } },
      ],
    },
    data: { values: [points.map(([t]) => t), points.map(([, v]) => v)] },
  } as DataFrameJSON);
}

describe('releaseQuery', () => {
  it('is valid PromQL over span metrics, by service_version, for the escaped service name', () => {
    const q = releaseQuery('pay"ments');
    expect(q).toMatchObject({ refId: 'releases', range: true, instant: false });
    expect(q.expr).toBe(
      'sum by (service_version) (increase(traces_spanmetrics_calls_total{service="pay\\"ments", span_kind="SPAN_KIND_SERVER"}[$__interval]))'
    );
    const tree = parser.parse(q.expr.replace('$__interval', '1m'));
    let errors = 0;
    tree.iterate({ enter: (n) => void (n.type.isError && errors++) });
    expect(errors).toBe(0);
  });
});

describe('releaseWindows', () => {
  it('finds when each version served (steps with calls only), oldest first', () => {
    const windows = releaseWindows([
      versionFrame('1.4.0', [
        [T0 + 60 * MIN, 0],
        [T0 + 61 * MIN, 12],
        [T0 + 90 * MIN, 30],
      ]),
      versionFrame('1.3.2', [
        [T0, 5],
        [T0 + 30 * MIN, 7],
        [T0 + 62 * MIN, 1],
        [T0 + 63 * MIN, 0],
      ]),
    ]);
    expect(windows).toEqual([
      { version: '1.3.2', from: T0, to: T0 + 62 * MIN, calls: 13 },
      { version: '1.4.0', from: T0 + 61 * MIN, to: T0 + 90 * MIN, calls: 42 },
    ]);
  });

  it('reads a Table frame with a service_version column, and skips series without the label, NaN and junk', () => {
    const table = {
      fields: [
        { name: 'Time', type: 'time', values: [T0, T0 + MIN] },
        { name: 'service_version', type: 'string', values: ['2.0.0', '2.0.0'] },
        { name: 'Value', type: 'number', values: [3, Number.NaN] },
      ],
    };
    expect(releaseWindows([table, versionFrame(undefined, [[T0, 4]]), null, { fields: 'nope' }, 42])).toEqual([
      { version: '2.0.0', from: T0, to: T0, calls: 3 },
    ]);
    expect(releaseWindows([])).toEqual([]);
  });
});

describe('previousRelease', () => {
  const current = { from: T0 + 90 * MIN, to: T0 + 120 * MIN };
  const windows: ReleaseWindow[] = [
    { version: '1.2.0', from: T0 - 600 * MIN, to: T0 - 1 * MIN, calls: 10 },
    { version: '1.3.2', from: T0, to: T0 + 62 * MIN, calls: 13 },
    { version: '1.4.0', from: T0 + 61 * MIN, to: T0 + 120 * MIN, calls: 42 },
  ];

  it('compares the version serving now with the one before it, over its last stretch before the rollout', () => {
    // 1.3.2 overlapped 1.4.0 for a minute (rolling deploy): the baseline ends when 1.4.0 started.
    expect(previousRelease(windows, current, 'payments')).toEqual({
      ok: true,
      current: windows[2],
      previous: windows[1],
      range: { from: T0 + 31 * MIN, to: T0 + 61 * MIN },
    });
  });

  it('takes an earlier version the user picked, ending where the next one began', () => {
    const r = previousRelease(windows, current, 'payments', '1.2.0');
    expect(r).toMatchObject({
      ok: true,
      previous: { version: '1.2.0' },
      range: { from: T0 - 31 * MIN, to: T0 - 1 * MIN },
    });
  });

  it('says why there is nothing to compare with', () => {
    expect(previousRelease([], current, 'payments')).toEqual({
      ok: false,
      error:
        'No versions of payments in span metrics: set service.version on the service and list it as a span-metrics dimension in Tempo',
    });
    expect(previousRelease([windows[2]!], current, 'payments')).toEqual({
      ok: false,
      error: 'Only one version of payments (1.4.0) in the last 7 days: nothing to compare with',
    });
    expect(previousRelease(windows, current, 'payments', '0.9')).toEqual({
      ok: false,
      error: 'Version 0.9 of payments did not serve before 1.4.0 in the last 7 days',
    });
    expect(
      previousRelease([{ version: '9', from: current.to + MIN, to: current.to + 2 * MIN, calls: 1 }], current, 'p')
    ).toEqual({
      ok: false,
      error: 'No version of p served traffic before the end of the current range',
    });
  });
});
