/**
 * @jest-environment node
 */
import {
  type BrowserHarness,
  describeBrowser,
  drawnScene,
  openFixture,
  screenshot,
  startBrowserHarness,
} from './harness';

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
          await screenshot(page, `readable-${w}x${hgt}-${theme}-${selected ? 'selected' : 'none'}`);
          expect(scene.nodes).toHaveLength(7);
          // Names are drawn: cards, or glyphs with labels; never the blank-box overview at these sizes.
          expect({ level: scene.level, labels: scene.labels }).toEqual({
            level: expect.stringMatching(/^(cards|glyphs)$/),
            labels: true,
          });
          const details = selected ? (await page.locator('[data-testid=lgtmapm-details]').boundingBox())! : undefined;
          // On narrow panels the details lie over the map: the map is panned to keep the selected node visible
          // (the rest is a drag away). Otherwise every node's centre is on the map canvas.
          const overlay = details !== undefined && details.x < scene.canvas.x + scene.canvas.w;
          for (const n of overlay ? [] : scene.nodes) {
            const cx = n.screen.x + n.screen.w / 2;
            const cy = n.screen.y + n.screen.h / 2;
            expect([n.name, cx >= scene.canvas.x && cx <= scene.canvas.x + scene.canvas.w]).toEqual([n.name, true]);
            expect([n.name, cy >= scene.canvas.y && cy <= scene.canvas.y + scene.canvas.h]).toEqual([n.name, true]);
          }
          if (details) {
            // The selected node is on the canvas and not hidden under the details panel.
            const orders = scene.nodes.find((n) => n.name === 'orders')!;
            const cx = orders.screen.x + orders.screen.w / 2;
            expect(cx).toBeGreaterThan(scene.canvas.x);
            expect(cx).toBeLessThan(Math.min(details.x, scene.canvas.x + scene.canvas.w));
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
    expect(await tip.textContent()).toContain(target.name);
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
