/**
 * @jest-environment node
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../harness/chromium.mjs';
import { startLoaderServer } from '../../harness/loader/server.mjs';
import { DEFAULT_OPTIONS } from '../../src/types';
import { describeBrowser, PLUGIN_ROOT, screenshot } from './harness';

jest.setTimeout(900_000);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The bundle under test is the one `npm run build` makes from the current sources; a stale one is rebuilt. */
function ensureBuilt() {
  const module = path.join(PLUGIN_ROOT, 'dist', 'module.js');
  let builtAt = 0;
  try {
    builtAt = statSync(module).mtimeMs;
  } catch {
    builtAt = 0;
  }
  if (builtAt < newestMtime(path.join(PLUGIN_ROOT, 'src'))) {
    console.warn('bundle test: dist/module.js is missing or older than src/, running npm run build');
    execFileSync('npm', ['run', 'build'], { cwd: PLUGIN_ROOT, stdio: 'inherit', timeout: 600_000 });
  }
}

describeBrowser('shipped dist/module.js through a Grafana-style SystemJS loader (Chromium)', () => {
  let server: { url: string; stop: () => Promise<void> };
  let browser: Browser;
  beforeAll(async () => {
    ensureBuilt();
    server = await startLoaderServer(PLUGIN_ROOT, 'lgtmapm-apm-panel');
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('exports a PanelPlugin with the panel options, built on the shared @grafana/data, and renders the demo map', async () => {
    const page = await browser.newPage({ viewport: { width: 1040, height: 640 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        errors.push(m.text());
      }
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('http://127.0.0.1') && !r.url().startsWith('data:')) {
        errors.push(`request outside 127.0.0.1: ${r.url()}`);
      }
    });
    // A safety net, not a speed check: on a shared 2-core machine the page's load event can take over the 30 s
    // Playwright default (seen at load average 28).
    await page.goto(server.url, { timeout: 150_000 });
    await page.waitForFunction(
      () => (window as unknown as { __bundle?: { ready: boolean } }).__bundle?.ready === true,
      undefined,
      { timeout: 150_000 }
    );
    const result = await page.evaluate(() => (window as unknown as { __bundle: Record<string, unknown> }).__bundle);
    expect(result.error).toBeUndefined();
    // Loaded from the plugin's public path, as Grafana serves it.
    expect(result.requested).toContain('/public/plugins/lgtmapm-apm-panel/module.js');
    // `plugin` (what Grafana reads), beside SystemJS's AMD interop keys.
    expect(result.exports).toContain('plugin');
    expect(result.isPanelPlugin).toBe(true);
    expect(result.sameClassAsHost).toBe(true);
    // Every panel option with its default, as the panel editor will list them.
    const optionPaths = result.optionPaths as string[];
    for (const key of Object.keys(DEFAULT_OPTIONS)) {
      expect([key, optionPaths.includes(key)]).toEqual([key, true]);
    }
    expect((result.defaults as Record<string, unknown>).layout).toBe('both');
    expect((result.defaults as Record<string, unknown>).latencySumRefId).toBe('latencySum');

    // The shipped panel draws the demo map.
    await page.waitForSelector('[data-testid=lgtmapm-servermap-canvas][data-frames]', { timeout: 150_000 });
    const drawn = await page.$eval('[data-testid=lgtmapm-servermap-canvas]', (el) => {
      const d = (
        el as HTMLCanvasElement & { __lgtmapm?: { scene: { nodes: Array<{ name: string }>; edges: unknown[] } } }
      ).__lgtmapm!;
      return { nodes: d.scene.nodes.map((n) => n.name).sort(), edges: d.scene.edges.length };
    });
    expect(drawn).toEqual({
      nodes: ['external', 'gateway', 'orders', 'payments', 'postgresql', 'redis', 'user'],
      edges: 6,
    });
    expect(await page.textContent('[data-testid=lgtmapm-servermap-counts]')).toBe('7 nodes · 6 links');
    await screenshot(page, 'bundle-systemjs-demo');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('builds and lays a large map out in the shipped map worker, loaded from the plugin public path', async () => {
    const page = await browser.newPage({ viewport: { width: 1040, height: 640 } });
    const errors: string[] = [];
    const requested: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
        errors.push(m.text());
      }
    });
    page.on('request', (r) => requested.push(new URL(r.url()).pathname));
    await page.goto(`${server.url}?n=1000`, { timeout: 150_000 });
    await page.waitForSelector('[data-testid=lgtmapm-servermap-canvas][data-frames]', { timeout: 150_000 });
    const drawn = await page.$eval('[data-testid=lgtmapm-servermap-canvas]', (el) => {
      const d = (
        el as HTMLCanvasElement & { __lgtmapm?: { scene: { nodes: unknown[] }; timings?: Record<string, number> } }
      ).__lgtmapm!;
      return { nodes: d.scene.nodes.length, inWorker: d.timings?.layoutInWorker, modelInWorker: d.timings?.modelInWorker };
    });
    expect(drawn).toEqual({ nodes: 1000, inWorker: 1, modelInWorker: 1 });
    // webpack resolved the worker against the public path the AMD module was loaded from.
    expect(requested).toContain('/public/plugins/lgtmapm-apm-panel/lgtmapm-layout.js');
    expect(errors).toEqual([]);
    await page.close();
  });
});
