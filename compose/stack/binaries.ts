// Finds the backend binaries (LGTM_APM_BIN_DIR first, then PATH), checks the metrics store's version,
// and explains in one message what is missing and where users get it.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { spawnSync } from 'node:child_process';

export type BinaryName = 'tempo' | 'loki' | 'mimir' | 'prometheus' | 'grafana';
export const BINARY_NAMES: readonly BinaryName[] = ['tempo', 'loki', 'mimir', 'prometheus', 'grafana'];

export type FoundBinaries = Partial<Record<BinaryName, string>>;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Absolute path of each binary found; LGTM_APM_BIN_DIR wins over PATH. */
export function findBinaries(opts: { binDir?: string; pathEnv?: string } = {}): FoundBinaries {
  const dirs = [
    ...(opts.binDir ? [opts.binDir] : []),
    ...(opts.pathEnv ?? process.env.PATH ?? '').split(delimiter).filter(Boolean),
  ];
  const found: FoundBinaries = {};
  for (const name of BINARY_NAMES) {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) {
        found[name] = candidate;
        break;
      }
    }
  }
  return found;
}

export interface PinnedVersions {
  tempo: string;
  loki: string;
  mimir: string;
  grafana: string;
}

/** Where users get each binary (release archives and packages); compose pins the versions. */
export function whereToGet(name: BinaryName, v: PinnedVersions): string {
  switch (name) {
    case 'tempo':
      return `Tempo ${v.tempo}: release archives and .deb/.rpm at https://github.com/grafana/tempo/releases/tag/v${v.tempo}`;
    case 'loki':
      return `Loki ${v.loki}: release archives and .deb/.rpm at https://github.com/grafana/loki/releases/tag/v${v.loki}, or apt/yum from https://apt.grafana.com`;
    case 'mimir':
      return `Mimir ${v.mimir}: https://github.com/grafana/mimir/releases/tag/mimir-${v.mimir}`;
    case 'prometheus':
      return 'Prometheus >= 3.0 (e.g. 3.9.1): release archives at https://github.com/prometheus/prometheus/releases or https://prometheus.io/download/ (Debian 12 packages only 2.x, which is too old)';
    case 'grafana':
      return `Grafana ${v.grafana} (optional): standalone archive at https://grafana.com/grafana/download?edition=oss (its bin/grafana), or apt/yum from https://apt.grafana.com`;
  }
}

export class MissingBinariesError extends Error {
  readonly missing: string[];
  constructor(missing: string[], message: string) {
    super(message);
    this.name = 'MissingBinariesError';
    this.missing = missing;
  }
}

export interface StackBinaries {
  tempo: string;
  loki: string;
  metricsStore: 'mimir' | 'prometheus';
  metrics: string;
  grafana?: string;
}

/**
 * Picks what the stack runs: Tempo, Loki, Mimir if present else Prometheus, Grafana if present.
 * Throws one MissingBinariesError listing everything required that is missing.
 */
export function selectBinaries(
  found: FoundBinaries,
  versions: PinnedVersions,
  searched: { binDir?: string },
  /** Binaries found but unusable, with the reason (e.g. Debian's Prometheus 2.42). */
  rejected: Partial<Record<BinaryName, string>> = {},
): StackBinaries {
  found = Object.fromEntries(Object.entries(found).filter(([name]) => !rejected[name as BinaryName]));
  const missing: BinaryName[] = [];
  if (!found.tempo) missing.push('tempo');
  if (!found.loki) missing.push('loki');
  const store = found.mimir ? 'mimir' : found.prometheus ? 'prometheus' : undefined;
  if (missing.length || !store) {
    const names = [...missing, ...(store ? [] : ['mimir or prometheus'])];
    const where = searched.binDir
      ? `LGTM_APM_BIN_DIR (${searched.binDir}) and PATH`
      : 'PATH (LGTM_APM_BIN_DIR is not set)';
    const lines = [
      `npm run stack: missing ${names.join(', ')} (looked in ${where}).`,
      'The stack without Docker needs these binaries; get them from the projects’ releases:',
      ...missing.map((n) => `  - ${whereToGet(n, versions)}`),
      ...(store
        ? []
        : [`  - ${whereToGet('mimir', versions)}`, `    or ${whereToGet('prometheus', versions)}`]),
      ...(found.grafana ? [] : [`  - ${whereToGet('grafana', versions)}`]),
      ...Object.values(rejected).map((reason) => `Not used: ${reason}`),
      'Put them in one folder and run LGTM_APM_BIN_DIR=/that/folder npm run stack, or add them to PATH.',
      'With Docker instead: docker compose -f compose/compose.yaml up -d --build',
    ];
    throw new MissingBinariesError(names, lines.join('\n'));
  }
  return {
    tempo: found.tempo!,
    loki: found.loki!,
    metricsStore: store,
    metrics: found[store]!,
    ...(found.grafana ? { grafana: found.grafana } : {}),
  };
}

/** "prometheus, version 3.9.1 (branch: …)" or a source build's "version v3.9.1" -> [3, 9, 1]. */
export function parsePrometheusVersion(output: string): [number, number, number] | undefined {
  const m = /version\s+v?(\d+)\.(\d+)\.(\d+)/.exec(output);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * Prometheus 2.x has no --web.enable-otlp-receiver flag and names OTLP metrics differently, so refuse
 * it. A build without a stamped version is accepted when its --help lists the OTLP receiver flag.
 */
export function checkPrometheusVersion(versionOutput: string, helpOutput: string, path: string): string {
  const version = parsePrometheusVersion(versionOutput);
  if (version && version[0] < 3) {
    throw new Error(
      `${path} is Prometheus ${version.join('.')}; the stack needs Prometheus >= 3.0 (OTLP receiver and ` +
        `the translation Mimir uses). ${whereToGet('prometheus', { tempo: '', loki: '', mimir: '', grafana: '' })}; ` +
        'point LGTM_APM_BIN_DIR at the folder holding it (it wins over PATH).',
    );
  }
  if (!version && !helpOutput.includes('web.enable-otlp-receiver')) {
    throw new Error(
      `${path}: cannot tell its version ("${versionOutput.trim().split('\n')[0]}") and it has no ` +
        '--web.enable-otlp-receiver flag; the stack needs Prometheus >= 3.0.',
    );
  }
  return version ? version.join('.') : 'unknown (no version stamped; has the OTLP receiver flag)';
}

/** Runs `<binary> <args>` and returns stdout + stderr (version flags print to either). */
export function probe(path: string, args: string[]): string {
  const res = spawnSync(path, args, { encoding: 'utf8', timeout: 30_000 });
  return `${res.stdout ?? ''}${res.stderr ?? ''}`;
}

export function prometheusVersion(path: string): string {
  return checkPrometheusVersion(probe(path, ['--version']), probe(path, ['--help']), path);
}

/**
 * Finds and picks the binaries; a Prometheus older than 3 counts as missing (with the reason in the
 * message) so one message covers everything.
 */
export function resolveBinaries(
  binDir: string | undefined,
  versions: PinnedVersions,
): StackBinaries & { metricsVersion?: string } {
  const found = findBinaries({ binDir });
  const rejected: Partial<Record<BinaryName, string>> = {};
  let metricsVersion: string | undefined;
  if (found.prometheus && !found.mimir) {
    try {
      metricsVersion = prometheusVersion(found.prometheus);
    } catch (err) {
      rejected.prometheus = err instanceof Error ? err.message : String(err);
    }
  }
  return {
    ...selectBinaries(found, versions, { binDir }, rejected),
    ...(metricsVersion ? { metricsVersion } : {}),
  };
}

/** First line of `--version` (Tempo, Loki, Mimir print "<name>, version …"). */
export function versionLine(path: string, flag = '-version'): string {
  const line = probe(path, [flag]).trim().split('\n')[0] ?? '';
  // A plain `go build` from a source checkout stamps no version ("tempo, version  (branch: , …").
  return /version\s+\(/.test(line) ? `${line} [no version stamped: a source build]` : line;
}
