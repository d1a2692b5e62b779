// A typed view of compose/compose.yaml plus the rules the suite applies to it (memory budget, which
// services form the LGTM part, one-shot init jobs).
import { composeFile, loadYaml } from './files.ts';

export interface Healthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  disable?: boolean;
}

export interface Service {
  image?: string;
  build?: string | { context?: string; dockerfile?: string; target?: string };
  command?: string | string[];
  ports?: Array<string | Record<string, unknown>>;
  environment?: Record<string, string | number | boolean | null> | string[];
  volumes?: Array<string | Record<string, unknown>>;
  healthcheck?: Healthcheck;
  mem_limit?: string | number;
  restart?: string;
  depends_on?: string[] | Record<string, { condition: string }>;
  profiles?: string[];
}

export interface ComposeFile {
  name?: string;
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  [key: string]: unknown;
}

export function loadCompose(): ComposeFile {
  return loadYaml<ComposeFile>(composeFile);
}

export const LGTM_SERVICES = ['tempo', 'mimir', 'loki', 'grafana'] as const;
export const LGTM_BUDGET_BYTES = 1.5 * 1024 ** 3;

/** Parses a compose byte value ("512m", "1g", 1048576) the way the engine does (binary units). */
export function parseBytes(value: string | number): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(value.trim());
  if (!m) throw new Error(`not a byte size: ${value}`);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'g' ? 1024 ** 3 : unit === 'm' ? 1024 ** 2 : unit === 'k' ? 1024 : 1;
  return Number(m[1]) * mult;
}

/** Go's GOMEMLIMIT syntax: a number with an optional B/KiB/MiB/GiB/TiB suffix. */
export function parseGoMemLimit(value: string): number {
  const m = /^(\d+)(B|KiB|MiB|GiB|TiB)?$/.exec(value.trim());
  if (!m) throw new Error(`not a GOMEMLIMIT value: ${value}`);
  const mult = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }[m[2] ?? 'B'] ?? 1;
  return Number(m[1]) * mult;
}

export function dependsOn(svc: Service): Record<string, string> {
  const d = svc.depends_on;
  if (!d) return {};
  if (Array.isArray(d)) return Object.fromEntries(d.map((n) => [n, 'service_started']));
  return Object.fromEntries(Object.entries(d).map(([n, v]) => [n, v.condition]));
}

/** The services `docker compose up <name>` starts: the name and everything it depends on. */
export function dependencyClosure(compose: ComposeFile, names: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...names];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const svc = compose.services[n];
    if (!svc) throw new Error(`unknown service ${n}`);
    stack.push(...Object.keys(dependsOn(svc)));
  }
  return seen;
}

/**
 * One-shot init jobs: never restarted and only ever awaited with service_completed_successfully.
 * They exit within seconds, so they carry no healthcheck (there is nothing left to probe).
 */
export function oneShotServices(compose: ComposeFile): Set<string> {
  const out = new Set<string>();
  for (const [name, svc] of Object.entries(compose.services)) {
    if (svc.restart !== 'no') continue;
    const waits = Object.values(compose.services).flatMap((s) =>
      Object.entries(dependsOn(s))
        .filter(([n]) => n === name)
        .map(([, c]) => c),
    );
    if (waits.length > 0 && waits.every((c) => c === 'service_completed_successfully')) out.add(name);
  }
  return out;
}

export function envOf(svc: Service): Record<string, string> {
  const env = svc.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((kv) => {
        const i = kv.indexOf('=');
        return i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}
