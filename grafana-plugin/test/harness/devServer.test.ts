/**
 * @jest-environment node
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { browserSkipReason, drawnScene, openFixture, PLUGIN_ROOT } from '../browser/harness';
import { launchChromium } from '../../harness/chromium.mjs';

jest.setTimeout(300_000);

/** A port nobody listens on right now (the OS's pick for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * A plugin folder of its own for the dev server: its `harness/` is a copy (the test edits a file in it to see a
 * rebuild) and everything else links to the real folder, so the same package.json script, dev.mjs, sources and
 * node_modules run. The browser tests build from the real harness/ in parallel; editing that, or letting the
 * dev server write its unminified bundle into their .cache/harness, would change what they serve mid-test.
 */
function scratchPluginRoot(): string {
  const scratch = mkdtempSync(path.join(PLUGIN_ROOT, '.cache', 'dev-test-'));
  for (const entry of readdirSync(PLUGIN_ROOT)) {
    if (entry === 'harness') {
      cpSync(path.join(PLUGIN_ROOT, entry), path.join(scratch, entry), { recursive: true });
    } else if (!['.cache', 'dist', 'test-results', 'node_modules'].includes(entry)) {
      symlinkSync(path.join(PLUGIN_ROOT, entry), path.join(scratch, entry));
    }
  }
  return scratch;
}

interface DevServer {
  child: ChildProcess;
  /** The page URL the server printed. */
  url: string;
  output: () => string;
}

/**
 * Runs the workspace's `dev` script as npm would (`sh -c <script>` in the plugin folder), in its own process
 * group so that stopping it stops node too, and waits for the URL it prints when it serves the page.
 */
function startDev(cwd: string, port: number): Promise<DevServer> {
  const script = JSON.parse(readFileSync(path.join(PLUGIN_ROOT, 'package.json'), 'utf8')).scripts.dev as string;
  const child = spawn('sh', ['-c', script], { cwd, detached: true, env: { ...process.env, PORT: String(port) } });
  let out = '';
  const output = () => out;
  return new Promise((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /harness: (http:\/\/127\.0\.0\.1:\d+\/)\S*/.exec(out);
      if (m) {
        resolve({ child, url: m[1]!, output });
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`dev server exited (${code ?? signal}) before serving:\n${out}`))
    );
  });
}

/** Stops the process group started by startDev and waits until its shell has exited. */
async function stopDev(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    return; // already gone
  }
  await exited;
}

/** Polls `check` until it returns a value (not undefined); the deadline is only a safety net. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = 180_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) {
      return v;
    }
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm run dev -w grafana-plugin (harness/dev.mjs)', () => {
  let scratch: string | undefined;
  let dev: DevServer | undefined;
  afterAll(async () => {
    if (dev) {
      await stopDev(dev.child);
    }
    if (scratch) {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('serves the harness page and the panel bundle it loads on PORT, and rebuilds when a source changes', async () => {
    scratch = scratchPluginRoot();
    const port = await freePort();
    dev = await startDev(scratch, port);
    expect(dev.url).toBe(`http://127.0.0.1:${port}/`);

    const page = await fetch(dev.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    // Every script and stylesheet the page loads is served.
    const assets = [...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\.\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(expect.arrayContaining(['./main.js', './main.css']));
    for (const asset of assets) {
      const r = await fetch(new URL(asset, dev.url));
      expect([asset, r.status]).toEqual([asset, 200]);
    }
    // The module is the panel: its map and scatter components, and the layout worker it starts is served too.
    const main = await (await fetch(new URL('./main.js', dev.url))).text();
    for (const marker of ['lgtmapm-servermap-canvas', 'lgtmapm-scatter', 'layout.worker.js']) {
      expect([marker, main.includes(marker)]).toEqual([marker, true]);
    }
    expect((await fetch(new URL('./layout.worker.js', dev.url))).status).toBe(200);

    if (browserSkipReason) {
      process.stderr.write(`SKIP dev server page in Chromium: ${browserSkipReason}\n`);
    } else {
      // What a developer sees at the printed URL: the demo map drawn.
      const browser = await launchChromium();
      try {
        const { page: tab, errors } = await openFixture(
          { url: dev.url, browser, close: async () => {} },
          { fixture: 'demo' }
        );
        expect((await drawnScene(tab)).nodes).toHaveLength(7);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    }

    // Watch mode: a changed source is rebuilt without anyone asking (esbuild's server alone would rebuild only when
    // a request comes in), so the bundle on disk changes with no request made while waiting; then it is served. A
    // legal comment (`//!`) is kept in the bundle, so the new bundle can be told from the old one.
    const probe = `dev-rebuild-probe-${process.pid}-${Date.now()}`;
    expect(main).not.toContain(probe);
    const fixture = path.join(scratch, 'harness', 'fixtures', 'empty.ts');
    writeFileSync(fixture, `${readFileSync(fixture, 'utf8')}\n//! ${probe}\n`);
    const built = path.join(scratch, '.cache', 'harness', 'main.js');
    await waitFor(`the rebuilt ${built} with ${probe}`, async () =>
      readFileSync(built, 'utf8').includes(probe) ? true : undefined
    );
    expect(await (await fetch(new URL('./main.js', dev.url))).text()).toContain(probe);

    await stopDev(dev.child);
    // Stopped: the port is free again (nothing left listening).
    await expect(fetch(dev.url)).rejects.toThrow();
  });
});
