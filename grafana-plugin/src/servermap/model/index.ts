export { buildServerMap, DEFAULT_BUILD_OPTIONS } from './buildServerMap';
export { readSeries, seriesAmount, type FrameLike, type FieldLike, type Series } from './frames';
export { bucketPairsOf, type BucketPairs } from './bucketPairs';
export { quantileMs, pinpointHistogram, apdex, normaliseBuckets, parseLe, countAtMost, type Buckets } from './histogram';
export { kindFor, systemOf, USER_NODE_NAME } from './classify';
export { filterMap, type MapFilter, type FilteredMap } from './filter';
export { withExtraTopology, type ExtraTopology } from './extraTopology';
export type {
  NodeKind,
  PinpointHistogram,
  TrafficStats,
  ServerMapNode,
  ServerMapEdge,
  ServerMap,
  BuildResult,
  BuildOptions,
  RoleRefIds,
} from './types';
export { DEFAULT_ROLES } from './types';
export { resolveRoles, roleOfExpression, type QueryLike, type Role } from './roles';
