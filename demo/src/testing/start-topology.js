// Starts the four demo services as child processes on free ports, wired to each other, and waits
// until each answers /healthz. Used by run-all.js, the demo's own tests and the instrumentation tests.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_ROOT = join(SRC, '..');

export const PRELOAD_MODULE = '@lgtm-apm/instrumentation';
export const DEMO_RESOURCE_ATTRIBUTES = 'service.namespace=demo,deployment.environment.name=demo';

/** Start order matters: each service's downstream is up before it. external never gets the preload. */
export const SERVICES = [
  { name: 'external', file: 'external.js', instrumented: false },
  { name: 'payments', file: 'payments.cjs', instrumented: true },
  { name: 'orders', file: 'orders.js', instrumented: true },
  { name: 'gateway', file: 'gateway.js', instrumented: true },
];

/**
 * A port the OS just handed out, closed again: another process (any outgoing connection takes its local port
 * from the same range) may take it before the caller binds it. startDemoTopology lets each service bind port 0
 * instead and reads the port it got (listeningPort).
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Node flags that load the preload: false → none, true → --import, a string → that flag. */
export function preloadArgs(preload, preloadModule = PRELOAD_MODULE) {
  if (preload === false || preload === undefined || preload === null) return [];
  if (preload === true) return ['--import', preloadModule];
  if (typeof preload === 'string' && /^--[a-z-]+$/.test(preload)) return [preload, preloadModule];
  throw new TypeError(
    `preload must be true, false or a node flag such as '--import' or '--require', got ${JSON.stringify(preload)}`,
  );
}

/**
 * Merges the demo's resource attributes with any the caller set; the caller's come last so they win
 * (OTel's env parser keeps the last value of a repeated key).
 */
export function mergeResourceAttributes(extra) {
  return extra ? `${DEMO_RESOURCE_ATTRIBUTES},${extra}` : DEMO_RESOURCE_ATTRIBUTES;
}

/** The port in a demo service's "<name> listening on http://host:port" line, once it has printed it. */
export function listeningPort(output) {
  const match = /listening on https?:\/\/[^\s"]+:(\d+)/.exec(output);
  return match ? Number(match[1]) : undefined;
}

function exitedEarly(name, child, what, logs) {
  return new Error(
    `${name} exited (code ${child.exitCode}, signal ${child.signalCode}) before ${what}\n` +
      `--- ${name} stdout ---\n${logs.stdout}\n--- ${name} stderr ---\n${logs.stderr}`,
  );
}

/** Resolves with the port a service started with PORT=0 says it listens on. */
async function waitListening(name, child, timeoutMs, logs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const port = listeningPort(logs.stdout);
    if (port) return port;
    if (child.exitCode !== null || child.signalCode !== null)
      throw exitedEarly(name, child, 'listening', logs);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `${name} printed no "listening on" line within ${timeoutMs} ms\n` +
      `--- ${name} stdout ---\n${logs.stdout}\n--- ${name} stderr ---\n${logs.stderr}`,
  );
}

async function waitHealthy(name, url, child, timeoutMs, logs) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw exitedEarly(name, child, `answering ${url}/healthz`, logs);
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      lastError = `status ${res.status}`;
    } catch (err) {
      lastError = err?.cause?.code || err?.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${name} did not answer ${url}/healthz within ${timeoutMs} ms (${lastError})\n` +
      `--- ${name} stdout ---\n${logs.stdout}\n--- ${name} stderr ---\n${logs.stderr}`,
  );
}

function definedOnly(values) {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

/** Resolves once the child has exited, with its code and signal. */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Spawns external, payments, orders and gateway (in that order), each waiting for its /healthz.
 *
 * @param {object} [options]
 * @param {boolean | string} [options.preload] true → `--import @lgtm-apm/instrumentation`, a string →
 *   that node flag with the module (e.g. '--require'), false → bare node (default).
 * @param {string} [options.preloadModule] module or path given to the preload flag (default
 *   '@lgtm-apm/instrumentation').
 * @param {Record<string, string>} [options.env] extra env for every service (OTEL_*, DATABASE_URL…);
 *   on top of process.env unless `inheritEnv: false`.
 * @param {Partial<Record<'gateway'|'orders'|'payments'|'external', Record<string, string>>>} [options.serviceEnv]
 *   extra env for one service, applied last.
 * @param {Partial<Record<'gateway'|'orders'|'payments'|'external', number>>} [options.ports] fixed ports;
 *   the other services bind port 0 and report the port they got.
 * @param {string[]} [options.nodeArgs] extra node flags for the instrumented services.
 * @param {(name: string, stream: 'stdout'|'stderr', chunk: string) => void} [options.onOutput] live output.
 * @param {number} [options.healthTimeoutMs] per service, default 30 s.
 * @param {boolean} [options.detached] own process group per child, so a terminal's Ctrl-C reaches only
 *   the caller, which then stops the services itself (run-all uses this; never two signals at once).
 * @returns {Promise<{ urls: Record<string, string>, ports: Record<string, number>,
 *   logs: Record<string, {stdout: string, stderr: string}>, children: Record<string, import('node:child_process').ChildProcess>,
 *   exits: Record<string, Promise<{code: number|null, signal: string|null}>>,
 *   stop: (signal?: NodeJS.Signals) => Promise<Record<string, {code: number|null, signal: string|null}>> }>}
 */
export async function startDemoTopology(options = {}) {
  const {
    preload = false,
    preloadModule = PRELOAD_MODULE,
    env = {},
    serviceEnv = {},
    ports: fixedPorts = {},
    nodeArgs = [],
    inheritEnv = true,
    onOutput,
    healthTimeoutMs = 30_000,
    detached = false,
  } = options;
  const instrumentedArgs = [...preloadArgs(preload, preloadModule), ...nodeArgs];

  // Services without a fixed port bind port 0 and say which port they got: a port picked here and bound
  // later could meanwhile be taken (an outgoing connection's local port comes from the same range). Each
  // service's downstreams start before it, so their URLs are known when it starts.
  const ports = { ...fixedPorts };
  const urls = {};
  const urlOf = (name) => (ports[name] === undefined ? undefined : `http://127.0.0.1:${ports[name]}`);

  const base = inheritEnv ? { ...process.env, ...env } : { ...env };
  const logs = {};
  const children = {};
  const exits = {};

  const stop = async (signal = 'SIGTERM') => {
    // Callers before us first, so nothing talks to a stopped downstream while shutting down.
    const order = [...SERVICES].reverse().filter(({ name }) => children[name]);
    const results = {};
    for (const { name } of order) {
      const child = children[name];
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
    for (const { name } of order) {
      const child = children[name];
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      results[name] = await exits[name];
      clearTimeout(killer);
    }
    return results;
  };

  try {
    for (const { name, file, instrumented } of SERVICES) {
      const childEnv = {
        ...base,
        // The URLs above are loopback; keep the services there even inside a dev container.
        LISTEN_HOST: env.LISTEN_HOST ?? '127.0.0.1',
        PORT: String(ports[name] ?? 0),
        ...definedOnly({
          ORDERS_URL: urlOf('orders'),
          PAYMENTS_URL: urlOf('payments'),
          EXTERNAL_URL: urlOf('external'),
        }),
        ...(instrumented
          ? {
              OTEL_SERVICE_NAME: name,
              OTEL_RESOURCE_ATTRIBUTES: mergeResourceAttributes(base.OTEL_RESOURCE_ATTRIBUTES),
            }
          : {}),
        ...serviceEnv[name],
      };
      if (!instrumented) {
        // The third-party stub must stay invisible to tracing even if NODE_OPTIONS carries the preload.
        delete childEnv.OTEL_SERVICE_NAME;
        if (childEnv.NODE_OPTIONS?.includes(PRELOAD_MODULE)) delete childEnv.NODE_OPTIONS;
      }
      const args = [...(instrumented ? instrumentedArgs : []), join(SRC, file)];
      const child = spawn(process.execPath, args, {
        cwd: DEMO_ROOT,
        env: childEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached,
      });
      children[name] = child;
      exits[name] = exited(child);
      const log = (logs[name] = { stdout: '', stderr: '' });
      for (const stream of ['stdout', 'stderr']) {
        child[stream].setEncoding('utf8');
        child[stream].on('data', (chunk) => {
          log[stream] += chunk;
          onOutput?.(name, stream, chunk);
        });
      }
      ports[name] ??= await waitListening(name, child, healthTimeoutMs, log);
      urls[name] = urlOf(name);
      await waitHealthy(name, urls[name], child, healthTimeoutMs, log);
    }
  } catch (err) {
    await stop('SIGKILL');
    throw err;
  }

  return { urls, ports, logs, children, exits, stop };
}
