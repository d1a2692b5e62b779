// startNativeStack(): Tempo, Loki, Mimir or Prometheus 3, and Grafana when present, as local processes
// with compose's config files rendered for one host (see render.ts). Used by `npm run stack` (cli.ts)
// and by the e2e run (compose/test/e2e/run.ts).
import {
  mkdirSync,
  readFileSync,
  writeFileSync,
  existsSync,
  symlinkSync,
  rmSync,
  readdirSync,
  realpathSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { resolveBinaries, versionLine, type StackBinaries, type PinnedVersions } from './binaries.ts';
import {
  repoRoot,
  loadComposeSource,
  pinnedVersion,
  configFileOf,
  extraFlagsOf,
  dataPathsOf,
  mountsOf,
  environmentOf,
  readEnvFile,
  type ComposeSource,
} from './compose-source.ts';
import { assertPortsFree, portMap, type StackService } from './ports.ts';
import {
  endpoints,
  renderBackendConfig,
  renderPrometheusPlan,
  renderProvisioningFile,
  renderGrafanaEnv,
  renderOtelEnv,
  type Endpoints,
  type RenderContext,
} from './render.ts';
import { startProcess, killGroupsNow, type ManagedProcess } from './process.ts';

export const DEFAULT_DATA_DIR = join(repoRoot, '.stack-data');

export interface NativeStackOptions {
  binDir?: string;
  dataDir?: string;
  portOffset?: number;
  /** Progress lines ("tempo ready after 14 s"); default: none. */
  log?: (line: string) => void;
  /** Every output line of every backend (they log at warn); default: only written to <dataDir>/logs. */
  onOutput?: (name: string, line: string) => void;
  /** Skip Grafana even when its binary is found. */
  withoutGrafana?: boolean;
  readyTimeoutMs?: number;
  /** Variables for compose interpolation (GRAFANA_ADMIN_PASSWORD …); default process.env over compose/.env. */
  vars?: Record<string, string | undefined>;
}

export interface NativeStack {
  urls: Endpoints;
  metricsStore: 'mimir' | 'prometheus';
  binaries: StackBinaries;
  versions: Record<string, string>;
  /** OTEL_EXPORTER_OTLP_* for an app exporting to this stack. */
  otelEnv: Record<string, string>;
  dataDir: string;
  processes: ManagedProcess[];
  /** Resolves when any backend exits on its own (name and code). */
  unexpectedExit: Promise<{ name: string; code: number | null }>;
  stop(): Promise<void>;
}

export function pinnedVersions(compose: ComposeSource): PinnedVersions {
  return {
    tempo: pinnedVersion(compose, 'tempo'),
    loki: pinnedVersion(compose, 'loki'),
    mimir: pinnedVersion(compose, 'mimir'),
    grafana: pinnedVersion(compose, 'grafana'),
  };
}

/** Finds and checks the binaries without starting anything (throws MissingBinariesError). */
export function resolveStackBinaries(binDir = process.env.LGTM_APM_BIN_DIR || undefined): StackBinaries {
  const compose = loadComposeSource();
  return resolveBinaries(binDir, pinnedVersions(compose));
}

async function waitReady(proc: ManagedProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${proc.name} exited during start-up:\n${proc.tail()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (res.ok) return;
      last = `${res.status} ${(await res.text()).trim().slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(500);
  }
  throw new Error(
    `${proc.name} not ready at ${url} after ${Math.round(timeoutMs / 1000)} s (${last}):\n${proc.tail()}`,
  );
}

function writeYaml(path: string, value: unknown): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(
    path,
    `# Rendered by compose/stack from compose's files on each start; edit those instead.\n${stringify(value)}`,
  );
  return path;
}

/** The Grafana home folder (conf/defaults.ini, public/) of a binary from an archive or a package. */
function grafanaHome(binary: string): string {
  const candidates = [
    process.env.LGTM_APM_GRAFANA_HOME,
    resolve(dirname(realpathSync(binary)), '..'),
    '/usr/share/grafana',
  ].filter(Boolean) as string[];
  const home = candidates.find((c) => existsSync(join(c, 'conf', 'defaults.ini')));
  if (!home) {
    throw new Error(
      `cannot find Grafana's home folder (conf/defaults.ini) for ${binary}; set LGTM_APM_GRAFANA_HOME ` +
        `(tried ${candidates.join(', ')})`,
    );
  }
  return home;
}

/** Renders Grafana's provisioning folder and plugin folder; returns its command, args and env. */
function planGrafana(
  compose: ComposeSource,
  ctx: RenderContext,
  dataDir: string,
  binary: string,
  vars: Record<string, string | undefined>,
) {
  const grafanaData = join(dataDir, 'grafana-data');
  const provisioning = join(dataDir, 'config', 'grafana-provisioning');
  const plugins = join(grafanaData, 'plugins');
  // compose mounts provisioning/ and dashboards/generated/ from the repo and the plugin's dist/ (built
  // by the apm-panel job); here they are the repo folders themselves.
  const mountPaths: Array<[string, string]> = mountsOf(compose, 'grafana').flatMap(
    (m): Array<[string, string]> => {
      if (m.target === '/etc/grafana/provisioning') return [[m.target, provisioning]];
      if (m.source === 'apm-panel') return [[m.target, join(repoRoot, 'grafana-plugin', 'dist')]];
      if (m.named) return m.source === 'hc-tools' ? [] : [[m.target, join(dataDir, m.source)]];
      return [[m.target, m.source]];
    },
  );
  const provisioningSource = mountsOf(compose, 'grafana').find(
    (m) => m.target === '/etc/grafana/provisioning',
  )!.source;
  rmSync(provisioning, { recursive: true, force: true });
  for (const sub of readdirSync(provisioningSource, { withFileTypes: true })) {
    if (!sub.isDirectory()) continue;
    for (const file of readdirSync(join(provisioningSource, sub.name))) {
      if (!/\.ya?ml$/.test(file)) continue;
      const source = parse(readFileSync(join(provisioningSource, sub.name, file), 'utf8'));
      writeYaml(join(provisioning, sub.name, file), renderProvisioningFile(source, ctx, mountPaths));
    }
  }
  const pluginDist = join(repoRoot, 'grafana-plugin', 'dist');
  if (!existsSync(join(pluginDist, 'plugin.json'))) {
    throw new Error(
      'grafana-plugin/dist is missing: run `npm run build -w grafana-plugin` first (Grafana loads the panel from it)',
    );
  }
  mkdirSync(plugins, { recursive: true });
  const link = join(plugins, 'lgtmapm-apm-panel');
  rmSync(link, { force: true, recursive: false });
  symlinkSync(pluginDist, link);
  const env = renderGrafanaEnv(environmentOf(compose, 'grafana', vars), ctx, mountPaths, {
    data: grafanaData,
    provisioning,
    plugins,
    logs: join(dataDir, 'logs'),
  });
  return { args: ['server', `--homepath=${grafanaHome(binary)}`], env };
}

export async function startNativeStack(opts: NativeStackOptions = {}): Promise<NativeStack> {
  const log = opts.log ?? (() => {});
  const compose = loadComposeSource();
  const binDir = opts.binDir ?? (process.env.LGTM_APM_BIN_DIR || undefined);
  const binaries = resolveBinaries(binDir, pinnedVersions(compose));
  const withGrafana = Boolean(binaries.grafana) && !opts.withoutGrafana;
  const versions: Record<string, string> = {
    tempo: versionLine(binaries.tempo, '--version'),
    loki: versionLine(binaries.loki, '-version'),
  };
  versions[binaries.metricsStore] = binaries.metricsVersion ?? versionLine(binaries.metrics, '-version');
  if (withGrafana) versions.grafana = versionLine(binaries.grafana!, '--version');

  const offset = opts.portOffset ?? 0;
  const services: StackService[] = [
    'tempo',
    'loki',
    binaries.metricsStore,
    ...(withGrafana ? ['grafana' as const] : []),
  ];
  await assertPortsFree(services, offset);

  const vars = opts.vars ?? { ...readEnvFile(), ...process.env };
  const dataDir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  const configDir = join(dataDir, 'config');
  const logDir = join(dataDir, 'logs');
  const runDir = join(dataDir, 'run');
  for (const d of [configDir, logDir, runDir]) mkdirSync(d, { recursive: true });

  const ctx: RenderContext = { ports: portMap(offset), metricsStore: binaries.metricsStore };
  const urls = endpoints(ctx);
  const readYaml = (path: string) => parse(readFileSync(path, 'utf8'), { merge: true }) as unknown;

  interface Plan {
    name: string;
    command: string;
    args: string[];
    env?: Record<string, string>;
    ready: string;
  }
  const plans: Plan[] = [];
  if (binaries.metricsStore === 'mimir') {
    const cfg = renderBackendConfig(
      'mimir',
      readYaml(configFileOf(compose, 'mimir')),
      ctx,
      dataPathsOf(compose, 'mimir', dataDir),
    );
    plans.push({
      name: 'mimir',
      command: binaries.metrics,
      args: [
        `-config.file=${writeYaml(join(configDir, 'mimir.yaml'), cfg)}`,
        ...extraFlagsOf(compose, 'mimir'),
      ],
      ready: urls.metricsReady,
    });
  } else {
    // Same folder name as compose's Mimir volume would not fit: the TSDB layouts differ.
    const plan = renderPrometheusPlan(readYaml(configFileOf(compose, 'mimir')), ctx, {
      configFile: join(configDir, 'prometheus.yaml'),
      dataDir: join(dataDir, 'prometheus-data'),
    });
    writeYaml(join(configDir, 'prometheus.yaml'), plan.config);
    plans.push({ name: 'prometheus', command: binaries.metrics, args: plan.args, ready: urls.metricsReady });
  }
  // Loki and Tempo start the same way: compose's config rendered for this host, compose's extra flags.
  for (const name of ['loki', 'tempo'] as const) {
    const config = renderBackendConfig(
      name,
      readYaml(configFileOf(compose, name)),
      ctx,
      dataPathsOf(compose, name, dataDir),
    );
    plans.push({
      name,
      command: binaries[name],
      args: [
        `-config.file=${writeYaml(join(configDir, `${name}.yaml`), config)}`,
        ...extraFlagsOf(compose, name),
      ],
      ready: `${urls[name]}/ready`,
    });
  }
  if (withGrafana) {
    const g = planGrafana(compose, ctx, dataDir, binaries.grafana!, vars);
    plans.push({
      name: 'grafana',
      command: binaries.grafana!,
      args: g.args,
      env: g.env,
      ready: `${urls.grafana}/api/health`,
    });
  }

  const processes: ManagedProcess[] = [];
  const killAll = () => killGroupsNow(processes);
  process.on('exit', killAll);
  const stop = async () => {
    // Reverse start order: Grafana and Tempo (which writes to the store) first.
    for (const p of [...processes].reverse()) await p.stop();
    process.off('exit', killAll);
    log('stack stopped');
  };
  try {
    for (const plan of plans) {
      const started = Date.now();
      const proc = startProcess({
        name: plan.name,
        command: plan.command,
        args: plan.args,
        env: { ...composeGoMemLimit(compose, plan.name), ...plan.env },
        cwd: dataDir,
        logFile: join(logDir, `${plan.name}.log`),
        pidFile: join(runDir, `${plan.name}.pid`),
        onOutput: opts.onOutput,
      });
      processes.push(proc);
      await waitReady(proc, plan.ready, opts.readyTimeoutMs ?? 180_000);
      log(`${plan.name} ready after ${((Date.now() - started) / 1000).toFixed(1)} s (${plan.ready})`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const unexpectedExit = Promise.race(
    processes.map((p) => p.exited.then((code) => ({ name: p.name, code }))),
  );
  const demoEnv = environmentOf(compose, 'gateway', {});
  return {
    urls,
    metricsStore: binaries.metricsStore,
    binaries,
    versions,
    otelEnv: renderOtelEnv(demoEnv, ctx),
    dataDir,
    processes,
    unexpectedExit,
    stop,
  };
}

/**
 * compose's GOMEMLIMIT for the service (Prometheus gets Mimir's budget), so the Go GC works within the
 * same memory as in compose; an explicit GOMEMLIMIT in the environment wins.
 */
function composeGoMemLimit(compose: ComposeSource, name: string): Record<string, string> {
  if (process.env.GOMEMLIMIT) return { GOMEMLIMIT: process.env.GOMEMLIMIT };
  const svc = name === 'prometheus' ? 'mimir' : name;
  const limit = compose.services[svc]?.environment?.GOMEMLIMIT;
  return limit ? { GOMEMLIMIT: String(limit) } : {};
}
