import { type CompareThresholds, DEFAULT_THRESHOLDS } from './types';

/**
 * The "hide changes under" choices of the compare bar: each sets every threshold at once, so one control
 * decides what counts as a change (the badge drawn, the link coloured, the row in "biggest changes").
 */
export type ThresholdLevel = 'small' | 'default' | 'large' | 'huge';

export const THRESHOLD_LEVELS: Record<
  ThresholdLevel,
  { label: string; description: string; thresholds: CompareThresholds }
> = {
  small: {
    label: '5 %',
    description: 'p95 ×1.05 and 2 ms, errors 0.25 pt, calls ×1.1',
    thresholds: { ...DEFAULT_THRESHOLDS, p95Ratio: 0.05, p95MinDeltaMs: 2, errorPoints: 0.25, callsRatio: 0.1 },
  },
  default: {
    label: '20 %',
    description: 'p95 ×1.2 and 10 ms, errors 1 pt, calls ×1.5',
    thresholds: DEFAULT_THRESHOLDS,
  },
  large: {
    label: '50 %',
    description: 'p95 ×1.5 and 50 ms, errors 2 pt, calls ×2',
    thresholds: { ...DEFAULT_THRESHOLDS, p95Ratio: 0.5, p95MinDeltaMs: 50, errorPoints: 2, callsRatio: 1 },
  },
  huge: {
    label: '×2',
    description: 'p95 ×2 and 100 ms, errors 5 pt, calls ×3',
    thresholds: { ...DEFAULT_THRESHOLDS, p95Ratio: 1, p95MinDeltaMs: 100, errorPoints: 5, callsRatio: 2 },
  },
};

export function thresholdsFor(level: string | undefined): CompareThresholds {
  return (THRESHOLD_LEVELS[level as ThresholdLevel] ?? THRESHOLD_LEVELS.default).thresholds;
}
