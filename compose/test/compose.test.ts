// compose/compose.yaml: valid Compose (official JSON schema + Debian's docker-compose), pinned images,
// loopback-only ports, healthchecks, memory limits within budget, required Grafana password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeDir, composeFile, readText, repoRoot, exists } from './helpers/files.ts';
import {
  loadCompose,
  LGTM_SERVICES,
  LGTM_BUDGET_BYTES,
  parseBytes,
  parseGoMemLimit,
  dependsOn,
  dependencyClosure,
  oneShotServices,
  envOf,
} from './helpers/compose-model.ts';
import { validateCompose } from './helpers/compose-schema.ts';

const compose = loadCompose();
const services = Object.entries(compose.services);
// An exact release: major.minor.patch plus an optional variant (-alpine, -trixie-slim) and digest.
// PostgreSQL numbers its releases major.minor (18.4 is one exact release), so it gets two parts.
const PINNED_IMAGE = /^(postgres:\d+\.\d+|[a-z0-9][\w./-]*:\d+\.\d+\.\d+)(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$/;

test('compose file is valid against the Compose specification JSON schema', () => {
  assert.deepEqual(validateCompose(compose), []);
});

test('the schema validator rejects a misspelled key and a bad duration (control)', () => {
  const broken = structuredClone(compose);
  (broken.services.tempo as Record<string, unknown>).healthchek = {};
  broken.services.loki!.healthcheck!.interval = '10 seconds';
  const errors = validateCompose(broken);
  assert.ok(
    errors.some((e) => e.includes('healthchek')),
    errors.join('\n'),
  );
  assert.ok(
    errors.some((e) => e.includes('duration')),
    errors.join('\n'),
  );
});

function dockerCompose(args: string[], file: string, env: NodeJS.ProcessEnv) {
  return spawnSync('docker-compose', ['-f', file, '--project-directory', composeDir, ...args], {
    env,
    encoding: 'utf8',
  });
}

test('docker-compose config -q accepts the file (copy without the top-level name:)', (t) => {
  const probe = spawnSync('docker-compose', ['version', '--short'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    t.skip('docker-compose binary not found (Debian package docker-compose); schema test above still ran');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lgtm-compose-'));
  try {
    // docker-compose 1.29 predates the Compose spec's top-level `name:`; the rest of the file is fed to
    // it verbatim (text, not a re-serialisation, so quoting and anchors are exactly what users run).
    const text = readText(composeFile);
    const withoutName = text.replace(/^name: .*\n/m, '');
    assert.equal(text.split('\n').length - withoutName.split('\n').length, 1, 'exactly one name: line');
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, withoutName);
    const emptyEnvFile = join(dir, 'empty.env');
    writeFileSync(emptyEnvFile, '');
    const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };

    const required = {
      GRAFANA_ADMIN_PASSWORD: 'only-for-validation',
      GRAFANA_SECRET_KEY: 'only-for-validation-0123456789abcdef',
    };
    const ok = dockerCompose(['--env-file', emptyEnvFile, 'config', '-q'], file, { ...base, ...required });
    assert.equal(ok.status, 0, ok.stderr);

    // Each required variable, missing or empty, stops compose with a message that says what to do.
    for (const name of Object.keys(required) as (keyof typeof required)[]) {
      for (const value of [undefined, '']) {
        const env: Record<string, string> = { ...base, ...required };
        if (value === undefined) delete env[name];
        else env[name] = value;
        const missing = dockerCompose(['--env-file', emptyEnvFile, 'config', '-q'], file, env);
        const what = `${name} ${value === undefined ? 'unset' : 'empty'}`;
        assert.notEqual(missing.status, 0, what);
        assert.match(missing.stderr, new RegExp(`set ${name} in compose/\\.env`), what);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every pulled image is pinned to an exact version', () => {
  for (const [name, svc] of services) {
    if (svc.build) continue; // built locally; their Dockerfiles are checked below
    assert.ok(svc.image, `${name} has neither image nor build`);
    assert.match(svc.image!, PINNED_IMAGE, `${name}: ${svc.image}`);
  }
});

test('the LGTM images are the issue-mandated lines (Grafana 13.2, Tempo 3.0, Loki 3.7, Mimir 3.x)', () => {
  const image = (n: string) => compose.services[n]!.image ?? '';
  assert.match(image('grafana'), /^grafana\/grafana:13\.2\.\d+$/);
  assert.match(image('tempo'), /^grafana\/tempo:3\.0\.\d+$/);
  assert.match(image('loki'), /^grafana\/loki:3\.7\.\d+$/);
  assert.match(image('mimir'), /^grafana\/mimir:3\.\d+\.\d+$/);
});

test('Dockerfiles of built services pin their base images and exist', () => {
  const dockerfiles = new Set<string>();
  for (const [name, svc] of services) {
    if (!svc.build) continue;
    assert.equal(typeof svc.build, 'object', `${name}: use the long build syntax`);
    const b = svc.build as { context?: string; dockerfile?: string };
    assert.equal(b.context, '..', `${name}: build context must be the repo root (workspace lockfile)`);
    assert.ok(b.dockerfile, `${name}: dockerfile missing`);
    dockerfiles.add(b.dockerfile!);
  }
  assert.deepEqual([...dockerfiles].sort(), ['compose/grafana-plugin.Dockerfile', 'demo/Dockerfile']);
  for (const df of dockerfiles) {
    const path = join(repoRoot, df);
    assert.ok(exists(path), `${df} missing`);
    assert.ok(
      exists(`${path}.dockerignore`),
      `${df}.dockerignore missing (node_modules would enter the context)`,
    );
    const text = readText(path);
    const args = Object.fromEntries([...text.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
    const froms = [...text.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]!);
    assert.ok(froms.length > 0, `${df} has no FROM`);
    for (const from of froms) {
      const resolved = from.replace(/^\$\{(\w+)\}$/, (_, v: string) => args[v] ?? from);
      assert.match(resolved, PINNED_IMAGE, `${df}: FROM ${from} -> ${resolved}`);
    }
  }
});

test('the demo image is run with the preload only through NODE_OPTIONS, external without it', () => {
  const demo = services.filter(
    ([, s]) => (s.build as { dockerfile?: string } | undefined)?.dockerfile === 'demo/Dockerfile',
  );
  assert.deepEqual(demo.map(([n]) => n).sort(), ['external', 'gateway', 'loadgen', 'orders', 'payments']);
  for (const [name, svc] of demo) {
    const env = envOf(svc);
    if (['gateway', 'orders', 'payments'].includes(name)) {
      assert.equal(env.NODE_OPTIONS, '--import @lgtm-apm/instrumentation', name);
      assert.equal(env.OTEL_SERVICE_NAME, name);
      assert.equal(env.OTEL_RESOURCE_ATTRIBUTES, 'service.namespace=demo,deployment.environment.name=demo');
    } else {
      assert.equal(env.NODE_OPTIONS, undefined, `${name} must run without the preload`);
    }
  }
  const dockerfile = readText(join(repoRoot, 'demo/Dockerfile'));
  assert.match(dockerfile, /npm run build -w instrumentation/);
  assert.match(dockerfile, /npm ci -w instrumentation -w demo/);
});

test('every published port is bound to 127.0.0.1', () => {
  let count = 0;
  for (const [name, svc] of services) {
    for (const p of svc.ports ?? []) {
      count++;
      if (typeof p === 'string') {
        assert.match(p, /^127\.0\.0\.1:\d+:\d+(\/(tcp|udp))?$/, `${name}: ${p}`);
      } else {
        assert.equal(p.host_ip, '127.0.0.1', `${name}: ${JSON.stringify(p)}`);
      }
    }
  }
  assert.ok(count >= 7, 'expected Grafana, Tempo (3), Mimir, Loki and gateway ports');
});

test('published ports: Grafana 3000, Tempo 3200/4317/4318, Mimir 9009, Loki 3100, gateway 8080 only', () => {
  const published = Object.fromEntries(
    services.map(([n, s]) => [n, (s.ports ?? []).map((p) => String(p).replace(/^127\.0\.0\.1:/, ''))]),
  );
  assert.deepEqual(published.grafana, ['3000:3000']);
  assert.deepEqual(published.tempo, ['3200:3200', '4317:4317', '4318:4318']);
  assert.deepEqual(published.mimir, ['9009:9009']);
  assert.deepEqual(published.loki, ['3100:3100']);
  assert.deepEqual(published.gateway, ['8080:3000']);
  for (const n of ['orders', 'payments', 'external', 'loadgen', 'postgres', 'redis']) {
    assert.deepEqual(published[n], [], `${n} must not be published`);
  }
});

test('every long-running service has a healthcheck; one-shot init jobs are awaited to completion', () => {
  const oneShots = oneShotServices(compose);
  assert.deepEqual([...oneShots].sort(), ['apm-panel', 'hc-tools']);
  for (const [name, svc] of services) {
    if (oneShots.has(name)) continue;
    const hc = svc.healthcheck;
    assert.ok(hc && !hc.disable, `${name}: healthcheck missing`);
    assert.ok(Array.isArray(hc.test) && hc.test[0] === 'CMD', `${name}: use the exec form ["CMD", ...]`);
    assert.ok(hc.interval && hc.timeout && hc.retries, `${name}: interval/timeout/retries`);
    assert.ok(
      ['unless-stopped', 'always', 'on-failure'].includes(svc.restart ?? ''),
      `${name}: restart policy`,
    );
  }
});

test('healthcheck binaries exist in their (distroless) images', () => {
  // Tempo and Loki images are distroless: only their own binary can probe. Mimir and Grafana borrow a
  // static busybox from the hc-tools volume, which therefore must be mounted and awaited.
  const probe = (n: string) => (compose.services[n]!.healthcheck!.test as string[]).slice(1);
  assert.deepEqual(probe('tempo').slice(0, 2), ['/tempo', '-health']);
  assert.deepEqual(probe('loki').slice(0, 2), ['/usr/bin/loki', '-health']);
  for (const n of ['mimir', 'grafana']) {
    assert.equal(probe(n)[0], '/hc/busybox', n);
    const svc = compose.services[n]!;
    assert.ok((svc.volumes ?? []).includes('hc-tools:/hc:ro'), `${n} mounts hc-tools`);
    assert.equal(dependsOn(svc)['hc-tools'], 'service_completed_successfully', `${n} waits for hc-tools`);
  }
});

test('depends_on targets exist and wait for health (or completion for init jobs)', () => {
  const oneShots = oneShotServices(compose);
  for (const [name, svc] of services) {
    for (const [dep, condition] of Object.entries(dependsOn(svc))) {
      assert.ok(compose.services[dep], `${name} depends on unknown ${dep}`);
      const expected = oneShots.has(dep) ? 'service_completed_successfully' : 'service_healthy';
      assert.equal(condition, expected, `${name} -> ${dep}`);
    }
  }
});

test('every service has a memory limit; the LGTM part stays within 1.5 GiB', () => {
  for (const [name, svc] of services) {
    assert.ok(svc.mem_limit !== undefined, `${name}: mem_limit missing`);
    assert.ok(parseBytes(svc.mem_limit!) > 0, name);
  }
  // What `docker compose up grafana` starts: the LGTM services plus their init jobs.
  const lgtm = dependencyClosure(compose, ['grafana']);
  const sum = [...lgtm].reduce((a, n) => a + parseBytes(compose.services[n]!.mem_limit!), 0);
  const table = [...lgtm].map((n) => `${n}=${compose.services[n]!.mem_limit}`).join(' ');
  console.log(`LGTM memory limits: ${table} total=${(sum / 1024 ** 2).toFixed(0)} MiB`);
  assert.ok(sum <= LGTM_BUDGET_BYTES, `LGTM limits sum to ${sum} bytes > 1.5 GiB`);
});

test('LGTM-only startup (`up grafana`) pulls in no demo service', () => {
  const lgtm = dependencyClosure(compose, ['grafana']);
  assert.deepEqual([...lgtm].sort(), [...LGTM_SERVICES, 'apm-panel', 'hc-tools'].sort());
});

test('Go services set GOMEMLIMIT below their container limit', () => {
  for (const n of ['tempo', 'mimir', 'loki']) {
    const svc = compose.services[n]!;
    const limit = parseBytes(svc.mem_limit!);
    const goLimit = parseGoMemLimit(envOf(svc).GOMEMLIMIT ?? '');
    assert.ok(goLimit < limit * 0.9, `${n}: GOMEMLIMIT ${goLimit} not below 90% of ${limit}`);
    assert.ok(goLimit > limit * 0.5, `${n}: GOMEMLIMIT ${goLimit} wastes the limit ${limit}`);
  }
});

test('state lives in named volumes that are declared', () => {
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  const used = new Set<string>();
  for (const [name, svc] of services) {
    for (const v of svc.volumes ?? []) {
      assert.equal(typeof v, 'string', `${name}: short volume syntax expected`);
      const source = (v as string).split(':')[0]!;
      if (source.startsWith('.') || source.startsWith('/')) {
        assert.match(v as string, /:ro$/, `${name}: bind mounts are read-only config (${v})`);
        continue;
      }
      assert.ok(declared.has(source), `${name}: volume ${source} not declared`);
      used.add(source);
    }
  }
  assert.deepEqual([...declared].sort(), [...used].sort(), 'declared but unused volumes');
  for (const n of ['tempo', 'mimir', 'loki', 'grafana', 'postgres']) {
    assert.ok(
      (compose.services[n]!.volumes ?? []).some((v) => /^[a-z-]+-data:/.test(String(v))),
      `${n} data volume`,
    );
  }
});

test('Grafana: password and secret key required, anonymous off by default, only our unsigned plugin, offline plugin setup', () => {
  const env = envOf(compose.services.grafana!);
  assert.match(env.GF_SECURITY_ADMIN_PASSWORD ?? '', /^\$\{GRAFANA_ADMIN_PASSWORD:\?.+\}$/);
  // Without it Grafana encrypts stored secrets with the default key published in its source.
  assert.match(env.GF_SECURITY_SECRET_KEY ?? '', /^\$\{GRAFANA_SECRET_KEY:\?.+\}$/);
  assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, '${GRAFANA_ANONYMOUS_ENABLED:-false}');
  assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer');
  assert.equal(env.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS, 'lgtmapm-apm-panel');
  assert.equal(env.GF_PLUGINS_PREINSTALL_AUTO_UPDATE, 'false');
  assert.match(env.GF_PLUGINS_PREINSTALL_DISABLED ?? '', /:-true\}$/);
  const volumes = compose.services.grafana!.volumes ?? [];
  assert.ok(volumes.includes('apm-panel:/var/lib/grafana/plugins/lgtmapm-apm-panel:ro'));
  assert.ok(volumes.includes('../provisioning:/etc/grafana/provisioning:ro'));
  assert.ok(volumes.includes('../dashboards/generated:/etc/lgtm-apm/dashboards:ro'));
  assert.equal(dependsOn(compose.services.grafana!)['apm-panel'], 'service_completed_successfully');
  const example = readText(join(composeDir, '.env.example'));
  assert.match(example, /^GRAFANA_ADMIN_PASSWORD=$/m, '.env.example must leave the password empty');
  assert.match(example, /^GRAFANA_SECRET_KEY=$/m, '.env.example must leave the secret key empty');
  assert.match(example, /install -m 600 compose\/\.env\.example compose\/\.env/);
  assert.ok(!/admin\/admin|PASSWORD=admin\b/.test(readText(composeFile) + example));
});

test('the plugin image builds grafana-plugin and replaces the volume content', () => {
  const df = readText(join(composeDir, 'grafana-plugin.Dockerfile'));
  assert.match(df, /npm ci -w grafana-plugin/);
  assert.match(df, /npm run build -w grafana-plugin/);
  assert.match(df, /test -f grafana-plugin\/dist\/plugin\.json/);
  assert.match(df, /find \/out -mindepth 1 -delete && cp -a \/dist\/\. \/out\//);
});

test('Dockerfiles build only root workspaces and copy the root files those builds read', () => {
  const rootPkg = JSON.parse(readText(join(repoRoot, 'package.json'))) as { workspaces: string[] };
  for (const [df, workspaces] of [
    ['demo/Dockerfile', ['instrumentation', 'demo']],
    ['compose/grafana-plugin.Dockerfile', ['grafana-plugin']],
  ] as const) {
    const text = readText(join(repoRoot, df));
    for (const ws of workspaces) {
      assert.ok(rootPkg.workspaces.includes(ws), `${df}: ${ws} is not a root workspace`);
      assert.match(text, new RegExp(`-w ${ws}\\b`), `${df} installs ${ws}`);
    }
    assert.match(text, /COPY package\.json package-lock\.json \.npmrc/, `${df}: lockfile and npm settings`);
    // tsc and the shared strict tsconfig live at the root.
    assert.match(text, /--include-workspace-root/, `${df}: root dev tools`);
    const extendsRoot = workspaces.some((ws) => {
      const dir = join(repoRoot, ws);
      return ['tsconfig.json', 'tsconfig.build.json']
        .map((n) => join(dir, n))
        .some((p) => exists(p) && /"extends":\s*"\.\.\/tsconfig\.json"/.test(readText(p)));
    });
    if (extendsRoot) assert.match(text, /COPY [^\n]*\btsconfig\.json \.\//, `${df}: root tsconfig.json`);
  }
});
