import { percentileLines } from '../../src/shared/percentiles';

describe('percentileLines (scatter p50/p95 of the loaded dots)', () => {
  it('takes the nearest rank of the finite durations', () => {
    const d = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileLines(d)).toEqual({ p50: 50, p95: 95 });
    expect(percentileLines([3, Number.NaN, 1, -1, 2])).toEqual({ p50: 2, p95: 3 });
    // Only the first `count` values (a reused columnar buffer may be longer).
    expect(percentileLines([10, 20, 1000], 2)).toEqual({ p50: 10, p95: 20 });
  });

  it('has no lines without dots', () => {
    expect(percentileLines([])).toBeUndefined();
    expect(percentileLines([Number.NaN])).toBeUndefined();
  });
});
