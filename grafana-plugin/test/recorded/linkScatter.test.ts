/**
 * The scatter filtered to the link gateway → orders, from a real Tempo v3.0.3 search (fixtures/recorded/details).
 */
import { transactionsFromFrames } from '../../src/scatter/dots';
import { detailsTempo } from '../fixtures/recorded/details';
import { detailsHistogramFrames, detailsSpansFrames } from '../fixtures/recorded/detailsFrames';
import { heatmapFromFrames } from '../../src/scatter/heatmap';

describe('link-filtered scatter from the recording', () => {
  const set = transactionsFromFrames(detailsSpansFrames('link-dots', 'dots'), 'gateway');
  const spans = (detailsTempo['link-dots'].traces ?? []).flatMap((t) =>
    (t.spanSets ?? [t.spanSet!]).flatMap((s) => s.spans)
  );

  it('has one dot per returned client span of gateway, failed ones included', () => {
    expect(set.skipped).toBe(0);
    expect(set.transactions).toHaveLength(new Set(spans.map((s) => s.spanID)).size);
    expect(new Set(set.transactions.map((t) => t.service))).toEqual(new Set(['gateway']));
    expect(set.transactions.some((t) => t.failed)).toBe(true);
    expect(set.transactions.some((t) => !t.failed)).toBe(true);
    // The root transaction the call belongs to is named (Pinpoint's Transaction column).
    expect(set.transactions.every((t) => t.rootService === 'gateway' && (t.rootName ?? '').length > 0)).toBe(true);
  });

  it('reads Tempo’s "nil" for a selected attribute the span lacks as absent (client spans have no route)', () => {
    const raw = JSON.stringify(detailsTempo['link-dots']);
    expect(raw).toContain('"stringValue":"nil"');
    expect(set.transactions.some((t) => t.route !== undefined)).toBe(false);
    expect(set.transactions.every((t) => t.method === 'GET' || t.method === 'POST')).toBe(true);
  });

  it('has a heatmap underlay for the same spans', () => {
    const grid = heatmapFromFrames(detailsHistogramFrames('link-histogram'));
    expect(grid?.total).toBeGreaterThan(set.transactions.length);
  });
});
