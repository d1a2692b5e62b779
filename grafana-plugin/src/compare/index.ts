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
