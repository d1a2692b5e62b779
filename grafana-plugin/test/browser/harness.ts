/**
 * Browser-test helpers (Jest, node environment): serve the harness, drive Debian's Chromium, read what the
 * canvas drew. Other panel views reuse these: add a fixture in harness/fixtures/ and a *.test.ts here.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startHarnessServer } from '../../harness/esbuild.config.mjs';
import { chromiumMissingReason, launchChromium } from '../../harness/chromium.mjs';

export const PLUGIN_ROOT = path.resolve(__dirname, '..', '..');
export const RESULTS_DIR = path.join(PLUGIN_ROOT, 'test-results');

/** Set when the browser tests cannot run on this machine; the suites are then skipped with this reason. */
export const browserSkipReason = chromiumMissingReason();

/** `describe` that skips (and says why) when Chromium is missing. */
export function describeBrowser(name: string, fn: () => void): void {
  if (browserSkipReason) {
    // Straight to stderr: Jest drops the console output of a file whose tests all skipped, and
    // scripts/test-all.mjs reads this line to judge the skip under CI.
    process.stderr.write(`SKIP browser tests "${name}": ${browserSkipReason}\n`);
    describe.skip(name, fn);
  } else {
    describe(name, fn);
  }
}

export interface BrowserHarness {
  url: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserHarness(): Promise<BrowserHarness> {
  const server = await startHarnessServer(PLUGIN_ROOT);
  const browser = await launchChromium();
  return {
    url: server.url,
    browser,
    async close() {
      await browser.close();
      await server.stop();
    },
  };
}

export interface OpenedPage {
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
}

/**
 * Opens `?fixture=…` (plus params) and waits until the panel rendered: a drawn canvas frame, an error view, or
 * `readySelector` when given (for views other than the map).
 */
export async function openFixture(
  h: BrowserHarness,
  params: Record<string, string>,
  opts: { width?: number; height?: number; readySelector?: string } = {},
): Promise<OpenedPage> {
  const width = opts.width ?? 1200;
  const height = opts.height ?? 700;
  const page = await h.browser.newPage({ viewport: { width: width + 20, height: height + 20 } });
  // Playwright's 30 s default is too short for the first load of the harness bundle on a loaded 2-core
  // machine, and 90 s once was too (a 1,000-node map, two CPU hogs and two Jest workers each driving a Chromium:
  // that file took 45–174 s in CI runs); each test's own Jest timeout (300 s or more) still bounds the whole test.
  page.setDefaultTimeout(240_000);
  page.setDefaultNavigationTimeout(240_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    // 404s are reported with their URL by the response listener below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      errors.push(m.text());
    }
  });
  page.on('response', (r) => {
    // Grafana's own static files (fonts, icons under /public/) exist only on a Grafana server, not in the harness.
    if (r.status() >= 400 && !new URL(r.url()).pathname.includes('/public/')) {
      errors.push(`HTTP ${r.status()} ${r.url()}`);
    }
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1') && !r.url().startsWith('data:')) {
      errors.push(`request outside 127.0.0.1: ${r.url()}`);
    }
  });
  const q = new URLSearchParams({ w: String(width), h: String(height), ...params });
  await page.goto(`${h.url}?${q.toString()}`);
  const selector =
    opts.readySelector ??
    '[data-testid=lgtmapm-servermap-canvas][data-frames], [data-testid=lgtmapm-servermap-error], body[data-ready=error]';
  try {
    await page.waitForSelector(selector);
  } catch (err) {
    throw new Error(`${String(err)}\n${await whatThePageShows(page)}\nerrors so far: ${JSON.stringify(errors)}`);
  }
  return { page, errors };
}

/** For a page that never got ready: a slow page and a stuck one read differently here (capped: it may be busy). */
async function whatThePageShows(page: Page): Promise<string> {
  const shown = page
    .evaluate(() => ({
      text: document.body.innerText.slice(0, 600),
      ready: document.body.dataset.ready,
      layoutProgress: document.querySelector('[data-testid=lgtmapm-layout-progress]')?.textContent ?? null,
    }))
    .then((s) => `the page shows: ${JSON.stringify(s)}`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const busy = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('the page did not answer within 10 s (main thread busy)'), 10_000);
  });
  try {
    return await Promise.race([shown, busy]);
  } catch (e) {
    return `the page could not be read: ${String(e)}`;
  } finally {
    clearTimeout(timer);
  }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export interface DrawnScene {
  nodes: Array<{ id: string; name: string; kind: string; sub: string; instances?: number; screen: { x: number; y: number; w: number; h: number } }>;
  level: string;
  labels: boolean;
  viewport: { scale: number; tx: number; ty: number };
  canvas: { x: number; y: number; w: number; h: number };
  edges: Array<{ id: string; source: string; target: string; label: string; errorRate?: number; screenPoints: Array<{ x: number; y: number }> }>;
  scale: number;
  frames: number;
  lastFrameMs: number;
  palette: { background: string; edge: string; error: string; warning: string; card: string };
}

/** The scene the map canvas last drew, in page (CSS pixel) coordinates. */
export async function drawnScene(page: Page): Promise<DrawnScene> {
  return page.$eval('[data-testid=lgtmapm-servermap-canvas]', (el) => {
    const c = el as HTMLCanvasElement & { __lgtmapm?: any };
    const d = c.__lgtmapm;
    const r = c.getBoundingClientRect();
    const scr = (x: number, y: number) => {
      const p = d.toScreen(x, y);
      return { x: p.x + r.left, y: p.y + r.top };
    };
    return {
      scale: d.viewport.scale,
      level: d.level,
      labels: d.labels,
      viewport: { ...d.viewport },
      canvas: { x: r.left, y: r.top, w: r.width, h: r.height },
      palette: d.palette,
      frames: d.frames,
      lastFrameMs: d.lastFrameMs,
      nodes: d.scene.nodes.map((n: any) => {
        const tl = scr(n.box.x, n.box.y);
        return { id: n.id, name: n.name, kind: n.kind, sub: n.sub, instances: n.instances, screen: { ...tl, w: n.box.w * d.viewport.scale, h: n.box.h * d.viewport.scale } };
      }),
      edges: d.scene.edges.map((e: any) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        label: e.label,
        errorRate: e.errorRate,
        screenPoints: e.points.map((p: any) => scr(p.x, p.y)),
      })),
    };
  });
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DrawnText {
  /** Node or link id. */
  id: string;
  role: 'name' | 'sub' | 'edge';
  text: string;
  box: Box;
}

/** The text the map canvas last drew (render/labels.ts), with the boxes it covers, in page coordinates. */
export async function drawnTexts(page: Page): Promise<DrawnText[]> {
  return page.$eval('[data-testid=lgtmapm-servermap-canvas]', (el) => {
    const d = (el as HTMLCanvasElement & { __lgtmapm?: { texts: DrawnText[] } }).__lgtmapm!;
    const r = el.getBoundingClientRect();
    return d.texts.map((t) => ({ id: t.id, role: t.role, text: t.text, box: { ...t.box, x: t.box.x + r.left, y: t.box.y + r.top } }));
  });
}

/**
 * Elements of the details panel whose text runs out of their own box or into a neighbour's: cells, histogram
 * counts, badges and buttons (expected: none).
 */
export async function detailsCrowding(page: Page): Promise<string[]> {
  return page.$eval('[data-testid=lgtmapm-details]', (panel) => {
    const out: string[] = [];
    const p = panel.getBoundingClientRect();
    const leaves = Array.from(panel.querySelectorAll('th, td, span, div, button, a')).filter(
      (e) => (e as HTMLElement).offsetParent !== null && (e.textContent ?? '').trim() !== '' && e.children.length === 0
    ) as HTMLElement[];
    for (const e of leaves) {
      const r = e.getBoundingClientRect();
      if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible') {
        out.push(`clipped: "${e.textContent}"`);
      }
      if (r.left < p.left - 0.5 || r.right > p.right + 0.5) {
        out.push(`outside the panel: "${e.textContent}"`);
      }
    }
    for (let i = 0; i < leaves.length; i++) {
      for (let j = i + 1; j < leaves.length; j++) {
        const a = leaves[i]!.getBoundingClientRect();
        const b = leaves[j]!.getBoundingClientRect();
        if (leaves[i]!.contains(leaves[j]!) || leaves[j]!.contains(leaves[i]!)) {
          continue;
        }
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
          out.push(`"${leaves[i]!.textContent}" × "${leaves[j]!.textContent}"`);
        }
      }
    }
    return out;
  });
}

/** RGB at a page point, read from the canvas backing store. */
export async function canvasPixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.$eval(
    '[data-testid=lgtmapm-servermap-canvas]',
    (el, p) => {
      const c = el as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const k = c.width / r.width;
      const d = c.getContext('2d')!.getImageData(Math.round((p.x - r.left) * k), Math.round((p.y - r.top) * k), 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    { x, y },
  );
}

/** Parses `#rrggbb` / `rgb(a)` into RGB. */
export function parseColor(color: string): [number, number, number] {
  const hex = color.match(/^#([0-9a-f]{6})/i);
  if (hex) {
    const n = parseInt(hex[1]!, 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  const m = color.match(/rgba?\(([^)]+)\)/);
  if (m) {
    const [r, g, b] = m[1]!.split(',').map((v) => Number(v.trim()));
    return [r!, g!, b!];
  }
  throw new Error(`cannot parse colour ${color}`);
}

export function colorDistance(a: [number, number, number], b: [number, number, number]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

export async function clickAt(page: Page, p: { x: number; y: number }): Promise<void> {
  await page.mouse.click(p.x, p.y);
}
