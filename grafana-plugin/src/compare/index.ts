export { diffMaps } from './diff';
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
