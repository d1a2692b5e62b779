// `npm run demo`: starts external, payments, orders and gateway (the last three with the preload),
// waits for each /healthz, runs the bounded load generator against the gateway, and stops everything
// cleanly when the load ends or on Ctrl-C / SIGTERM. Each child's output is prefixed with its name.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { PRELOAD_MODULE, startDemoTopology } from './testing/start-topology.js';

const SRC = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(SRC, '..', '..');
const NAMES = ['external', 'payments', 'orders', 'gateway', 'load'];
const WIDTH = Math.max(...NAMES.map((n) => n.length));
const COLORS = { external: 90, payments: 35, orders: 36, gateway: 32, load: 33, demo: 1 };
const useColor = process.stdout.isTTY && !process.env.NO_COLOR;

function prefix(name) {
  const label = `${name.padEnd(WIDTH)} |`;
  return useColor ? `\x1b[${COLORS[name] ?? 0}m${label}\x1b[0m ` : `${label} `;
}

/** Splits a child's output into lines so prefixes never land in the middle of one. */
function lineWriter(name, stream) {
  let pending = '';
  const out = stream === 'stderr' ? process.stderr : process.stdout;
  return {
    write(chunk) {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) out.write(`${prefix(name)}${line}\n`);
    },
    flush() {
      if (pending) out.write(`${prefix(name)}${pending}\n`);
      pending = '';
    },
  };
}

const say = (msg) => process.stdout.write(`${prefix('demo')}${msg}\n`);

function readPortBase() {
  const raw = process.env.DEMO_PORT_BASE;
  if (raw === undefined || raw === '') return 3000;
  const base = Number(raw);
  if (Number.isInteger(base) && base >= 1 && base <= 65532) return base;
  say(`DEMO_PORT_BASE=${JSON.stringify(raw)} is not a port from 1 to 65532; using 3000`);
  return 3000;
}

/** The file the preload specifier resolves to, or the reason it does not resolve. */
function resolvePreload() {
  try {
    const file = fileURLToPath(import.meta.resolve(PRELOAD_MODULE));
    return existsSync(file) ? { file } : { file, missing: true };
  } catch (err) {
    return { error: err.code || err.message };
  }
}

const bare = process.env.LGTM_APM_DEMO_NO_PRELOAD === '1';
if (!bare) {
  let preload = resolvePreload();
  if (preload.missing) {
    // A fresh clone after `npm ci` has the package linked but not built: build it once, then go on.
    say(`the preload is not built yet (${preload.file}); running npm run build -w @lgtm-apm/instrumentation`);
    const build = spawnSync('npm', ['run', 'build', '-w', '@lgtm-apm/instrumentation'], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
    });
    preload = resolvePreload();
    if (build.status !== 0 || preload.missing) {
      say(`building the preload failed (npm exit ${build.status ?? build.error?.message}); see above`);
      process.exit(1);
    }
  }
  if (preload.error) {
    say(
      `cannot load the preload ${PRELOAD_MODULE} (${preload.error}). Run \`npm ci\` at the repo root, ` +
        'or set LGTM_APM_DEMO_NO_PRELOAD=1 to run the demo uninstrumented.',
    );
    process.exit(1);
  }
}

const base = readPortBase();
const writers = {};
const writerFor = (name, stream) => (writers[`${name}:${stream}`] ??= lineWriter(name, stream));

let stopping = false;
let topology;
let load;
let exitCode = 0;

async function stopAll(reason) {
  if (stopping) return;
  stopping = true;
  say(`${reason}; stopping`);
  if (load && load.exitCode === null && load.signalCode === null) {
    load.kill('SIGTERM');
    await new Promise((resolve) => load.once('exit', resolve));
  }
  if (topology) {
    const exits = await topology.stop('SIGTERM');
    for (const [name, { code, signal }] of Object.entries(exits)) {
      if (code !== 0) {
        say(`${name} exited with ${signal ?? `code ${code}`}`);
        exitCode = 1;
      }
    }
  }
  for (const writer of Object.values(writers)) writer.flush();
  say(exitCode === 0 ? 'all stopped' : 'stopped, with errors above');
  process.exitCode = exitCode;
}

// Children run in their own process groups (so Ctrl-C reaches only us); never leave one behind.
process.on('exit', () => {
  for (const child of [load, ...Object.values(topology?.children ?? {})]) {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
process.on('SIGINT', () => void stopAll('SIGINT received'));
process.on('SIGTERM', () => void stopAll('SIGTERM received'));

say(
  bare
    ? 'starting the demo WITHOUT the preload (LGTM_APM_DEMO_NO_PRELOAD=1)'
    : `starting the demo with --import ${PRELOAD_MODULE}; OTLP endpoints from OTEL_EXPORTER_OTLP_* or the preload's localhost defaults`,
);

try {
  topology = await startDemoTopology({
    preload: !bare,
    ports: { gateway: base, orders: base + 1, payments: base + 2, external: base + 3 },
    detached: true,
    onOutput: (name, stream, chunk) => writerFor(name, stream).write(chunk),
  });
} catch (err) {
  for (const writer of Object.values(writers)) writer.flush();
  if (stopping) process.exit(0);
  say(`start-up failed: ${err.message}`);
  if (/EADDRINUSE/.test(err.message)) {
    say(
      `a demo port (${base}-${base + 3}) is taken; pick others with DEMO_PORT_BASE, e.g. DEMO_PORT_BASE=4000 npm run demo`,
    );
  }
  process.exit(1);
}

if (stopping) {
  // A signal arrived while the services were starting.
  await topology.stop('SIGTERM');
} else {
  say(
    `gateway ready at ${topology.urls.gateway} (orders ${topology.urls.orders}, payments ${topology.urls.payments}, external ${topology.urls.external})`,
  );
  for (const [name, exit] of Object.entries(topology.exits)) {
    void exit.then(({ code, signal }) => {
      if (stopping) return;
      say(`${name} exited unexpectedly (${signal ?? `code ${code}`})`);
      exitCode = 1;
      void stopAll(`${name} died`);
    });
  }
  load = spawn(process.execPath, [join(SRC, 'load.js')], {
    detached: true,
    env: { ...process.env, LOAD_TARGET: topology.urls.gateway },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of ['stdout', 'stderr']) {
    load[stream].setEncoding('utf8');
    load[stream].on('data', (chunk) => writerFor('load', stream).write(chunk));
  }
  load.on('exit', (code) => {
    if (stopping) return;
    if (code !== 0) exitCode = 1;
    void stopAll(code === 0 ? 'load finished' : `load generator exited with code ${code}`);
  });
}
