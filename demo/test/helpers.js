// Shared test plumbing: spawn one demo service bare, poll until something holds, a TCP proxy that can
// be "unplugged" to play a database that is down and comes back.
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { freePort, listeningPort } from '../src/testing/start-topology.js';

export const DEMO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Starts `src/<file>` with node (no preload) and waits for /healthz; returns url, logs, stop(). */
export async function startService(file, env = {}) {
  // Port 0: the service binds a free port and prints it (a port picked here could be taken meanwhile).
  const child = spawn(process.execPath, [join(DEMO_ROOT, 'src', file)], {
    cwd: DEMO_ROOT,
    env: { ...process.env, LISTEN_HOST: '127.0.0.1', ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d) => (logs.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (logs.stderr += d));
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const port = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`${file} exited early:\n${logs.stdout}\n${logs.stderr}`);
    return listeningPort(logs.stdout);
  }, `${file} listening`);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`${file} exited early:\n${logs.stdout}\n${logs.stderr}`);
    const res = await fetch(`${url}/healthz`).catch(() => undefined);
    return res?.status === 200;
  }, `${file} /healthz`);
  return {
    url,
    logs,
    child,
    exit,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

/** Polls `check` every 100 ms until it returns truthy; fails with `what` after `timeoutMs`. */
export async function waitFor(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      if (/exited early/.test(err.message)) throw err;
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`);
}

/** GET (or other method) returning status and parsed JSON body. */
export async function getJson(url, init) {
  const res = await fetch(url, init);
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}

/**
 * A TCP forwarder on a fixed local port that can be switched off and on: a database that is down at
 * start-up and comes back later, without touching the real server other tests use.
 */
export async function createSwitchableProxy(targetHost, targetPort) {
  const port = await freePort();
  const sockets = new Set();
  let server;
  return {
    port,
    async up() {
      server = createServer((client) => {
        const upstream = connect(targetPort, targetHost);
        sockets.add(client).add(upstream);
        client.pipe(upstream).pipe(client);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
      });
      await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    },
    async down() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (server) await new Promise((resolve) => server.close(() => resolve()));
      server = undefined;
    },
  };
}

/** Lines of a pino stdout whose msg matches `pattern`. */
export function logLines(stdout, pattern) {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return { msg: line };
      }
    })
    .filter((entry) => pattern.test(String(entry.msg)));
}

/** Waits until a service's stdout has a pino line whose msg matches (logs are written after the response). */
export function waitForLog(logs, pattern, what = String(pattern)) {
  return waitFor(() => logLines(logs.stdout, pattern)[0], `log line ${what}`, 10_000);
}
