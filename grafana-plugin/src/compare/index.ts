export { diffMaps, prepareCompareSide } from './diff';
export { DEFAULT_THRESHOLDS } from './types';
export type {
  CompareStats,
  CompareNode,
  CompareEdge,
  CompareMap,
  CompareSide,
  CompareThresholds,
  Presence,
  ChangeNote,
  ValueChange,
  P95Change,
  Direction,
  TrafficDiff,
  LinkDiff,
  NodeDiff,
  RankedChange,
  MapDiff,
  CompareResult,
} from './types';
export { baselineRange, splitTimeCompareFrames, BASELINE_SHIFTS } from './baseline';
export type { AbsoluteRange, BaselineShift, BaselineChoice, BaselineRangeResult, CompareFrameLike } from './baseline';
export { unionMap } from './union';
export type { UnionInput } from './union';
export { changeLines, changeMark, formatDurationMs, formatPerMinute, formatRatio } from './marks';
export type { ChangeMark, Tone } from './marks';
export { releaseQuery, releaseWindows, previousRelease, VERSION_LABEL, RELEASE_LOOKBACK_MS } from './release';
export type { ReleaseWindow, PreviousReleaseResult } from './release';
export { THRESHOLD_LEVELS, thresholdsFor } from './levels';
export type { ThresholdLevel } from './levels';
