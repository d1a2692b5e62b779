import { type DataFrame } from '@grafana/data';
import { buildServerMap, type ServerMap } from '../../src/servermap/model';
import { baselineRange, diffMaps, splitTimeCompareFrames } from '../../src/compare';
import { demoTopology, generateTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { BASELINE_RANGE_SECONDS, CURRENT_RANGE_SECONDS, demoAfterBadRelease } from '../fixtures/compare';

const HOUR = 3_600_000;
const now = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('baselineRange', () => {
  it('shifts the current range back by 1 h, 1 d or 7 d, as absolute instants of the same length', () => {
    const current = { from: now - HOUR, to: now };
    expect(baselineRange(current, { shift: '1h' })).toEqual({
      ok: true,
      range: { from: now - 2 * HOUR, to: now - HOUR },
      rangeSeconds: 3600,
    });
    expect(baselineRange(current, { shift: '1d' })).toEqual({
      ok: true,
      range: { from: now - 25 * HOUR, to: now - 24 * HOUR },
      rangeSeconds: 3600,
    });
    expect(baselineRange(current, { shift: '7d' })).toEqual({
      ok: true,
      range: { from: now - 169 * HOUR, to: now - 168 * HOUR },
      rangeSeconds: 3600,
    });
  });

  it('takes a custom range of another length as it is', () => {
    expect(
      baselineRange({ from: now - HOUR / 2, to: now }, { range: { from: now - 26 * HOUR, to: now - 24 * HOUR } })
    ).toEqual({
      ok: true,
      range: { from: now - 26 * HOUR, to: now - 24 * HOUR },
      rangeSeconds: 7200,
    });
  });

  it('says what is wrong with a bad range or shift instead of throwing', () => {
    expect(baselineRange({ from: now, to: now - 1 }, { shift: '1h' })).toEqual({
      ok: false,
      error: 'The current time range is not a valid range (from must be before to)',
    });
    expect(baselineRange({ from: now - HOUR, to: now }, { range: { from: Number.NaN, to: now } })).toEqual({
      ok: false,
      error: 'The baseline range is not a valid range (from must be before to)',
    });
    expect(baselineRange({ from: now - HOUR, to: now }, { shift: '2w' as never })).toEqual({
      ok: false,
      error: 'Unknown baseline shift "2w"; use one of 1h, 1d, 7d',
    });
  });
});

describe("splitTimeCompareFrames (Grafana's panel Time comparison)", () => {
  /** Frames as Grafana's compare request delivers them: refId `<refId>-compare`, meta.timeCompare set. */
  function compareFrames(frames: DataFrame[], diffMs: number): DataFrame[] {
    return frames.map(
      (f) =>
        ({
          ...f,
          refId: `${f.refId}-compare`,
          meta: { ...f.meta, timeCompare: { diffMs, isTimeShiftQuery: true } },
        }) as DataFrame
    );
  }
  const ok = (frames: readonly DataFrame[], rangeSeconds: number): ServerMap => {
    const r = buildServerMap(frames, { rangeSeconds });
    if (!r.ok) {
      throw new Error(r.error);
    }
    return r.map;
  };

  it('separates the baseline frames, restores their refIds, and the diff ranks the slowed link first', () => {
    const current = framesFromResponse(
      prometheusResponse(demoAfterBadRelease(), { rangeSeconds: CURRENT_RANGE_SECONDS })
    );
    const baseline = compareFrames(framesFromResponse(prometheusResponse(demoTopology())), -24 * HOUR);
    const split = splitTimeCompareFrames([...current, ...baseline]);
    expect(split.current).toHaveLength(current.length);
    expect(split.baseline).toHaveLength(baseline.length);
    expect(split.shiftMs).toBe(24 * HOUR);
    expect(new Set(split.baseline.map((f) => f.refId))).toEqual(new Set(['calls', 'errors', 'latency', 'instances']));
    const diff = diffMaps(
      { map: ok(split.current, CURRENT_RANGE_SECONDS), rangeSeconds: CURRENT_RANGE_SECONDS },
      { map: ok(split.baseline, BASELINE_RANGE_SECONDS), rangeSeconds: BASELINE_RANGE_SECONDS }
    );
    expect(diff.ok && diff.diff.biggestChanges[0]!.linkId).toBe('demo/orders->demo/payments');
  });

  it('without Time comparison everything is current', () => {
    const frames = framesFromResponse(prometheusResponse(demoTopology()));
    expect(splitTimeCompareFrames(frames)).toEqual({ current: frames, baseline: [] });
  });
});

/**
 * The split walks the frames once and hands `series` itself back when nothing is split (every refresh of a large
 * map passes here): it must give the same answer as the plain definition, a filter on either mark.
 */
describe('splitTimeCompareFrames: same answers as the plain definition', () => {
  type Frame = { refId?: string; meta?: { timeCompare?: { diffMs?: number; isTimeShiftQuery?: boolean } }; n: number };
  const marked = (f: Frame) => f.meta?.timeCompare?.isTimeShiftQuery === true || (f.refId ?? '').endsWith('-compare');
  function plainSplit(series: Frame[]) {
    const baseline = series.filter(marked).map((f) => {
      const refId = f.refId ?? '';
      return { ...f, refId: refId.endsWith('-compare') ? refId.slice(0, -'-compare'.length) : refId };
    });
    const diff = series.filter(marked).map((f) => f.meta?.timeCompare?.diffMs).find((d) => typeof d === 'number' && Number.isFinite(d));
    return { current: series.filter((f) => !marked(f)), baseline, ...(diff === undefined ? {} : { shiftMs: Math.abs(diff) }) };
  }
  let n = 0;
  /** Bad input that untyped JSON can bring: a null refId. */
  const NULL_REF_ID = null as unknown as string;
  const cur = (refId?: string): Frame => ({ refId, meta: {}, n: n++ });
  const suffixed = (refId: string): Frame => ({ refId: `${refId}-compare`, n: n++ });
  const tagged = (refId: string, diffMs?: number): Frame => ({ refId, meta: { timeCompare: { diffMs, isTimeShiftQuery: true } }, n: n++ });
  const both = (refId: string, diffMs: number): Frame => ({ ...tagged(`${refId}-compare`, diffMs) });
  const cases: Record<string, Frame[]> = {
    empty: [],
    'no comparison': [cur('A'), cur('B'), cur('calls'), cur(undefined), cur(NULL_REF_ID), cur('compare'), cur('x-comparE'), cur('e')],
    'Grafana compare frames after the current ones': [cur('A'), cur('B'), both('A', -86_400_000), both('B', -86_400_000)],
    'compare frames first': [both('A', -3_600_000), cur('A'), cur('B')],
    'interleaved, marked only by refId or only by meta': [cur('A'), suffixed('A'), cur('B'), tagged('B', -60_000), cur('C')],
    'a mark without diffMs, then one with': [cur('A'), tagged('A'), both('B', -7_200_000)],
    'everything is a comparison': [both('A', -1000), suffixed('B')],
    'timeCompare present but not a shift query': [{ refId: 'A', meta: { timeCompare: { isTimeShiftQuery: false } }, n: n++ }, cur('B')],
  };
  it.each(Object.entries(cases))('%s', (_name, series) => {
    expect(splitTimeCompareFrames(series)).toEqual(plainSplit(series));
  });

  it('hands the series back without a copy when nothing is split', () => {
    const series = cases['no comparison']!;
    expect(splitTimeCompareFrames(series).current).toBe(series);
  });

  it('the generated 1,000-node frames (27,910 per-series frames), with and without comparison frames', () => {
    const frames = framesFromResponse(prometheusResponse(generateTopology(1000, 1)));
    expect(frames.length).toBeGreaterThan(20_000);
    expect(splitTimeCompareFrames(frames)).toEqual({ current: frames, baseline: [] });
    const shifted = frames.slice(0, 500).map((f) => ({
      ...f,
      refId: `${f.refId}-compare`,
      meta: { ...f.meta, timeCompare: { diffMs: -86_400_000, isTimeShiftQuery: true } },
    })) as DataFrame[];
    const mixed = [...frames.slice(0, 1000), ...shifted, ...frames.slice(1000)];
    const split = splitTimeCompareFrames(mixed);
    expect(split.current).toEqual(frames);
    expect(split.baseline.map((f) => f.refId)).toEqual(frames.slice(0, 500).map((f) => f.refId));
    expect(split.shiftMs).toBe(86_400_000);
  });
});
