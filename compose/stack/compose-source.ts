// Reads what the native stack needs out of compose/compose.yaml, so compose stays the one source of
// truth: pinned versions (image tags), each backend's config file (the bind mount its -config.file
// names), where its data lives (named volumes), and Grafana's environment.
import { readFileSync, existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const composeDir = join(repoRoot, 'compose');
export const composeFile = join(composeDir, 'compose.yaml');

export interface ComposeService {
  image?: string;
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string | number | boolean | null>;
}
export interface ComposeSource {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadComposeSource(path = composeFile): ComposeSource {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeSource;
}

function service(compose: ComposeSource, name: string): ComposeService {
  const svc = compose.services[name];
  if (!svc) throw new Error(`compose.yaml has no service "${name}"`);
  return svc;
}

/** "grafana/tempo:3.0.3" -> "3.0.3". */
export function pinnedVersion(compose: ComposeSource, name: string): string {
  const image = service(compose, name).image ?? '';
  const tag = image.slice(image.lastIndexOf(':') + 1);
  if (!tag || tag === image) throw new Error(`compose.yaml: service ${name} has no pinned image tag`);
  return tag;
}

export interface Mount {
  /** Absolute host path (bind mount) or the named volume. */
  source: string;
  target: string;
  named: boolean;
}

export function mountsOf(compose: ComposeSource, name: string): Mount[] {
  return (service(compose, name).volumes ?? []).map((spec) => {
    const [source = '', target = ''] = spec.split(':');
    const bind = source.startsWith('.') || isAbsolute(source);
    return {
      source: bind ? resolve(composeDir, source) : source,
      target,
      named: !bind,
    };
  });
}

/** The host file compose mounts where the service's `-config.file=` flag points. */
export function configFileOf(compose: ComposeSource, name: string): string {
  const flag = (service(compose, name).command ?? []).find((a) => a.startsWith('-config.file='));
  if (!flag) throw new Error(`compose.yaml: service ${name} has no -config.file flag`);
  const target = flag.slice('-config.file='.length);
  const mount = mountsOf(compose, name).find((m) => m.target === target && !m.named);
  if (!mount) throw new Error(`compose.yaml: service ${name} mounts nothing at ${target}`);
  return mount.source;
}

/** Extra command-line flags compose passes besides -config.file (e.g. Tempo's -target=all). */
export function extraFlagsOf(compose: ComposeSource, name: string): string[] {
  return (service(compose, name).command ?? []).filter((a) => !a.startsWith('-config.file='));
}

/**
 * Container path -> host path for the service's named volumes: each volume becomes a folder of the same
 * name under dataDir, so `npm run stack` keeps the same layout compose keeps in its volumes.
 */
export function dataPathsOf(compose: ComposeSource, name: string, dataDir: string): Array<[string, string]> {
  return mountsOf(compose, name)
    .filter((m) => m.named && m.target.startsWith('/'))
    .map((m) => [m.target, join(dataDir, m.source)]);
}

/** Variables compose reads from compose/.env (KEY=VALUE lines; # comments; optional quotes). */
export function readEnvFile(path = join(composeDir, '.env')): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/** Compose-style ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error} and $$ in one value. */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])((?:[^}]|\}(?!$))*?))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced?: string, op?: string, arg?: string, bare?: string) => {
      if (match === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = vars[name];
      const unset = v === undefined || (op?.startsWith(':') && v === '');
      if (op?.endsWith('-')) return unset ? (arg ?? '') : v!;
      if (op?.endsWith('?')) {
        if (unset) throw new Error(`${name}: ${arg || 'required variable is not set'}`);
        return v!;
      }
      return v ?? '';
    },
  );
}

/** The service's environment block with compose interpolation applied. */
export function environmentOf(
  compose: ComposeSource,
  name: string,
  vars: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(service(compose, name).environment ?? {})) {
    out[key] = interpolate(raw === null ? '' : String(raw), vars);
  }
  return out;
}
