// Types for start-topology.js (plain JavaScript, like the rest of the demo) so TypeScript callers such
// as the instrumentation tests type-check against it.
import type { ChildProcess } from 'node:child_process';

export type DemoServiceName = 'gateway' | 'orders' | 'payments' | 'external';

export interface DemoServiceSpec {
  name: DemoServiceName;
  file: string;
  instrumented: boolean;
}

export interface DemoExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartDemoTopologyOptions {
  /** true → `--import @lgtm-apm/instrumentation`; a flag such as '--require' → that flag; false → bare node. */
  preload?: boolean | string;
  /** What the preload flag loads (default '@lgtm-apm/instrumentation'); e.g. an absolute path to a build. */
  preloadModule?: string;
  /** Extra env for every service, on top of process.env unless inheritEnv is false. */
  env?: Record<string, string | undefined>;
  /** Extra env for one service, applied last. */
  serviceEnv?: Partial<Record<DemoServiceName, Record<string, string | undefined>>>;
  /** Fixed ports; the other services bind port 0 and report the port they got. */
  ports?: Partial<Record<DemoServiceName, number>>;
  /** Extra node flags for the instrumented services. */
  nodeArgs?: string[];
  inheritEnv?: boolean;
  onOutput?: (name: DemoServiceName, stream: 'stdout' | 'stderr', chunk: string) => void;
  /** Per service, default 30 000 ms. */
  healthTimeoutMs?: number;
  /** Own process group per child (run-all uses it so Ctrl-C reaches only the parent). */
  detached?: boolean;
}

export interface DemoTopology {
  urls: Record<DemoServiceName, string>;
  ports: Record<DemoServiceName, number>;
  logs: Record<DemoServiceName, { stdout: string; stderr: string }>;
  children: Record<DemoServiceName, ChildProcess>;
  exits: Record<DemoServiceName, Promise<DemoExit>>;
  /** Signals every service (default SIGTERM), SIGKILLs one still alive after 15 s, resolves with each exit. */
  stop(signal?: NodeJS.Signals): Promise<Record<DemoServiceName, DemoExit>>;
}

export const PRELOAD_MODULE: '@lgtm-apm/instrumentation';
export const DEMO_RESOURCE_ATTRIBUTES: string;
export const SERVICES: readonly DemoServiceSpec[];
export function freePort(): Promise<number>;
export function listeningPort(output: string): number | undefined;
export function preloadArgs(preload: boolean | string | undefined | null, preloadModule?: string): string[];
export function mergeResourceAttributes(extra?: string): string;
export function startDemoTopology(options?: StartDemoTopologyOptions): Promise<DemoTopology>;
