import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const APPS = join(import.meta.dirname, '..', 'fixtures', 'apps');

export interface RunningApp {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  port: number | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  url(path: string): string;
}

/** Spawns a fixture app with the preload and waits for its `{"port":N}` line when `waitForPort`. */
export async function startApp(
  file: string,
  options: {
    env?: Record<string, string>;
    preloadFlag?: '--import' | '--require' | null;
    waitForPort?: boolean;
    /** Node flags placed before the preload, e.g. ['--import', 'tsx']. */
    nodeArgs?: string[];
    /** Another Node.js binary than the one running the tests. */
    nodePath?: string;
    /** Arguments for the app itself, after the script. */
    appArgs?: string[];
    /** 'pipe' to write to the app's stdin (child.stdin); ignored by default. */
    stdin?: 'pipe' | 'ignore';
  } = {},
): Promise<RunningApp> {
  const flag = options.preloadFlag === undefined ? '--import' : options.preloadFlag;
  const preload = flag ? [flag, '@lgtm-apm/instrumentation'] : [];
  const args = [...(options.nodeArgs ?? []), ...preload, join(APPS, file), ...(options.appArgs ?? [])];
  const child = spawn(options.nodePath ?? process.execPath, args, {
    cwd: APPS,
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const app: RunningApp = {
    child,
    stdout: () => out,
    stderr: () => err,
    port: undefined,
    exited,
    url: (path) => `http://127.0.0.1:${app.port}${path}`,
  };
  if (options.waitForPort !== false) {
    const deadline = Date.now() + 20_000;
    while (app.port === undefined) {
      const match = /\{"port":(\d+)\}/.exec(out);
      if (match) app.port = Number(match[1]);
      else if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${file} did not start\n--- stdout ---\n${out}\n--- stderr ---\n${err}`);
      } else await new Promise((r) => setTimeout(r, 50));
    }
  }
  return app;
}

export async function hit(url: string, times = 1): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) {
    const res = await fetch(url);
    await res.arrayBuffer();
    statuses.push(res.status);
  }
  return statuses;
}

/** Lines the kit wrote to stderr (all carry the [lgtm-apm] prefix). */
export function kitLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('[lgtm-apm]'));
}

/** Resolves once the kit has printed a line matching `pattern`; rejects with its stderr after `timeoutMs`. */
export async function waitForKitLine(app: RunningApp, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = kitLines(app.stderr()).find((l) => pattern.test(l));
    if (line) return line;
    if (Date.now() > deadline)
      throw new Error(`no kit line matching ${pattern} within ${timeoutMs} ms; stderr:\n${app.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
