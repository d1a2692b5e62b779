// The native stack (no Docker): `npm run stack` and the e2e runner use these.
export { startNativeStack, resolveStackBinaries, pinnedVersions, DEFAULT_DATA_DIR } from './supervisor.ts';
export type { NativeStack, NativeStackOptions } from './supervisor.ts';
export {
  findBinaries,
  selectBinaries,
  checkPrometheusVersion,
  parsePrometheusVersion,
  MissingBinariesError,
} from './binaries.ts';
export type { StackBinaries, FoundBinaries } from './binaries.ts';
export {
  PortInUseError,
  assertPortFree,
  assertPortsFree,
  portMap,
  parsePortOffset,
  PORT_PLAN,
} from './ports.ts';
export { endpoints, rewriteServiceUrl, renderBackendConfig, renderPrometheusPlan } from './render.ts';
export type { Endpoints, MetricsStore } from './render.ts';
