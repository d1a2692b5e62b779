/**
 * @jest-environment node
 */
import {
  type Box,
  type BrowserHarness,
  describeBrowser,
  detailsCrowding,
  drawnTexts,
  type DrawnText,
  drawnScene,
  openFixture,
  screenshot,
  startBrowserHarness,
} from './harness';

const overlap = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const rect = (b: { x: number; y: number; width: number; height: number }): Box => ({ x: b.x, y: b.y, w: b.width, h: b.height });

/** Pairs of drawn texts that overlap (expected: none). */
function collisions(texts: DrawnText[]): string[] {
  const out: string[] = [];
  texts.forEach((a, i) =>
    texts.slice(i + 1).forEach((b) => {
      if (overlap(a.box, b.box)) {
        out.push(`"${a.text}" (${a.role} ${a.id}) × "${b.text}" (${b.role} ${b.id})`);
      }
    })
  );
  return out;
}


jest.setTimeout(600_000);

const SIZES: Array<[number, number]> = [
  [900, 500],
  [1400, 800],
  [1920, 1080],
];

/**
 * The map as users see it: the default `both` layout (map, details, scatter) at the panel sizes of a dashboard,
 * light and dark, with and without a selected service. The screenshots (test-results/readable-*.png) are meant
 * to be looked at; the assertions check what makes a map readable: every node on screen and named.
 */
describeBrowser('server map readable beside the scatter (Chromium)', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  for (const [w, hgt] of SIZES) {
    it(`${w}×${hgt}: labelled map beside the scatter, light and dark, with and without a selection`, async () => {
      for (const theme of ['dark', 'light']) {
        for (const selected of [false, true]) {
          const { page, errors } = await openFixture(
            h,
            { fixture: 'scatter', layout: 'both', theme, service: selected ? 'orders' : 'none' },
            { width: w, height: hgt }
          );
          if (selected) {
            await page.waitForSelector('[data-testid=lgtmapm-details]');
          }
          // The scatter beside the map has its dots (selected service) or asks for a service.
          await page.waitForSelector(
            selected ? '[data-testid=lgtmapm-scatter-count]' : '[data-testid=lgtmapm-scatter-message]',
            { timeout: 150_000 }
          );
          const scene = await drawnScene(page);
          const texts = await drawnTexts(page);
          await screenshot(page, `readable-${w}x${hgt}-${theme}-${selected ? 'selected' : 'none'}`);
          expect(scene.nodes).toHaveLength(7);
          // Never text over text: names, numbers and link counts each have their own room.
          expect(collisions(texts)).toEqual([]);
          // Every node on screen is named, and every link on screen has its count (both sizes have room for them).
          const onCanvas = (b: Box) =>
            b.x >= scene.canvas.x - 0.5 &&
            b.x + b.w <= scene.canvas.x + scene.canvas.w + 0.5 &&
            b.y >= scene.canvas.y - 0.5 &&
            b.y + b.h <= scene.canvas.y + scene.canvas.h + 0.5;
          const centreOnCanvas = (n: (typeof scene.nodes)[number]) =>
            onCanvas({ x: n.screen.x + n.screen.w / 2, y: n.screen.y + n.screen.h / 2, w: 0, h: 0 });
          const named = new Set(texts.filter((t) => t.role === 'name').map((t) => t.id));
          expect(scene.nodes.filter(centreOnCanvas).filter((n) => !named.has(n.id)).map((n) => n.name)).toEqual([]);
          if (!selected) {
            // Shown whole: every text lies on the canvas (nothing clipped at an edge) and every link is labelled.
            expect(texts.filter((t) => !onCanvas(t.box)).map((t) => t.text)).toEqual([]);
            expect(new Set(texts.filter((t) => t.role === 'edge').map((t) => t.id)).size).toBe(scene.edges.length);
          }
          // Names are drawn: cards, or glyphs with labels; never the blank-box overview at these sizes.
          expect({ level: scene.level, labels: scene.labels }).toEqual({
            level: expect.stringMatching(/^(cards|glyphs)$/),
            labels: true,
          });
          const details = selected ? (await page.locator('[data-testid=lgtmapm-details]').boundingBox())! : undefined;
          if (details) {
            // The details are a sheet beside or below the map, never over it, and the map keeps at least 55 % of
            // the area the two share; the scatter keeps its share of the panel.
            const view = rect((await page.locator('[data-testid=lgtmapm-servermap]').boundingBox())!);
            const area = view.w * (view.y + view.h - scene.canvas.y);
            expect(overlap(rect(details), scene.canvas)).toBe(false);
            expect(Math.round(((scene.canvas.w * scene.canvas.h) / area) * 100)).toBeGreaterThanOrEqual(55);
            const scatter = rect((await page.locator('[data-testid=lgtmapm-scatter]').boundingBox())!);
            expect(scatter.w * scatter.h).toBeGreaterThanOrEqual(0.3 * w * hgt);
            // Its text fits: no cell, count or button runs out of its box or into another.
            expect(await detailsCrowding(page)).toEqual([]);
            // The rest of the sheet (load chart, instances, links), scrolled into view, to look at.
            await page.$eval('[data-testid=lgtmapm-details]', (el) => el.scrollTo(0, el.scrollHeight));
            await screenshot(page, `readable-${w}x${hgt}-${theme}-selected-scrolled`);
          }
          // Every node's centre is on the map canvas.
          for (const n of scene.nodes) {
            const cx = n.screen.x + n.screen.w / 2;
            const cy = n.screen.y + n.screen.h / 2;
            expect([n.name, cx >= scene.canvas.x && cx <= scene.canvas.x + scene.canvas.w]).toEqual([n.name, true]);
            expect([n.name, cy >= scene.canvas.y && cy <= scene.canvas.y + scene.canvas.h]).toEqual([n.name, true]);
          }
          expect(errors).toEqual([]);
          await page.close();
        }
      }
    });
  }

  it('clicking a node keeps pan and zoom; the tooltip follows the pointer and leaves with it', async () => {
    const { page, errors } = await openFixture(
      h,
      { fixture: 'scatter', layout: 'both', theme: 'dark', service: 'none' },
      { width: 1400, height: 800 }
    );
    const canvas = '[data-testid=lgtmapm-servermap-canvas]';
    let scene = await drawnScene(page);
    // Zoom in around the middle of the map, then click a node that is on screen.
    await page.mouse.move(scene.canvas.x + scene.canvas.w / 2, scene.canvas.y + scene.canvas.h / 2);
    await page.mouse.wheel(0, -300);
    await page.waitForFunction(
      ([s, before]) =>
        (document.querySelector(s as string) as HTMLCanvasElement & { __lgtmapm?: { viewport: { scale: number } } })
          .__lgtmapm!.viewport.scale >
        (before as number) * 1.2,
      [canvas, scene.viewport.scale] as const
    );
    scene = await drawnScene(page);
    const inside = (n: (typeof scene.nodes)[number]) =>
      n.screen.x + n.screen.w / 2 > scene.canvas.x + 10 &&
      n.screen.x + n.screen.w / 2 < scene.canvas.x + scene.canvas.w / 2;
    const target = scene.nodes.find((n) => n.kind === 'service' && inside(n))!;
    expect(target).toBeDefined();
    const at = { x: target.screen.x + target.screen.w / 2, y: target.screen.y + target.screen.h / 2 };

    // Hover: the tooltip names the node and sits next to the pointer.
    await page.mouse.move(at.x, at.y);
    const tip = await page.waitForSelector('[data-testid=lgtmapm-tooltip]');
    const tipText = (await tip.textContent())!;
    expect(tipText).toContain(target.name);
    // Exact counts, and "≈" on what the buckets only estimate (this fixture has no _sum/_count queries: the average
    // is a bucket-midpoint estimate too).
    expect(tipText).toMatch(/\d{1,3}(,\d{3})+ calls/);
    expect(tipText).toMatch(/avg ≈ \d/);
    expect(tipText).toMatch(/p95 ≈ \d/);
    const near = async (x: number, y: number) => {
      const b = (await page.locator('[data-testid=lgtmapm-tooltip]').boundingBox())!;
      return (
        Math.min(Math.abs(b.x - x), Math.abs(b.x + b.width - x)) < 40 &&
        Math.min(Math.abs(b.y - y), Math.abs(b.y + b.height - y)) < 40
      );
    };
    expect(await near(at.x, at.y)).toBe(true);
    // It follows the pointer within the node.
    await page.mouse.move(at.x + 12, at.y + 6);
    await page.waitForFunction(
      ([x]) => {
        const el = document.querySelector('[data-testid=lgtmapm-tooltip]') as HTMLElement | null;
        return el !== null && Math.abs(el.getBoundingClientRect().left - (x as number)) < 40;
      },
      [at.x + 12 + 14] as const
    );
    expect(await near(at.x + 12, at.y + 6)).toBe(true);
    // And leaves when the pointer leaves the map.
    await page.mouse.move(scene.canvas.x + scene.canvas.w + 200, scene.canvas.y - 5 < 0 ? 2 : scene.canvas.y - 5);
    await page.waitForSelector('[data-testid=lgtmapm-tooltip]', { state: 'detached' });

    // Click: the details open beside the map, the zoom and the node's place on screen stay.
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector('[data-testid=lgtmapm-details]');
    await page.waitForFunction((s) => Number(document.querySelector(s)?.getAttribute('data-frames')) > 0, canvas);
    const after = await drawnScene(page);
    expect(after.viewport.scale).toBeCloseTo(scene.viewport.scale, 6);
    const moved = after.nodes.find((n) => n.id === target.id)!;
    expect(Math.abs(moved.screen.x - target.screen.x)).toBeLessThan(1);
    expect(Math.abs(moved.screen.y - target.screen.y)).toBeLessThan(1);
    await screenshot(page, 'readable-1400x800-dark-clicked-zoomed');
    expect(errors).toEqual([]);
    await page.close();
  });
});
