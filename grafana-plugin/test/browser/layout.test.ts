/**
 * @jest-environment node
 */
import { type Page } from 'playwright-core';
import {
  type BrowserHarness,
  describeBrowser,
  drawnScene,
  openFixture,
  screenshot,
  startBrowserHarness,
} from './harness';

jest.setTimeout(600_000);

interface Stats {
  started: number;
  workerDone: number;
  fallbacks: number;
  cancelled: number;
  workersCreated: number;
}
const stats = (page: Page) =>
  page.evaluate(() => ({
    ...(window as unknown as { __harness: { layoutWorkerStats: Stats } }).__harness.layoutWorkerStats,
  }));
const modelStats = (page: Page) =>
  page.evaluate(() => ({
    ...(window as unknown as { __harness: { modelWorkerStats: { started: number; done: number; failed: number; numbersOnly: number } } }).__harness
      .modelWorkerStats,
  }));
const timings = (page: Page) =>
  page.$eval(
    '[data-testid=lgtmapm-servermap-canvas]',
    (el) => (el as unknown as { __lgtmapm: { timings?: Record<string, number> } }).__lgtmapm.timings ?? {}
  );
const counts = (page: Page) => page.textContent('[data-testid=lgtmapm-servermap-counts]');

describeBrowser('server map layout worker and budget (Chromium)', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('builds and lays a 1,000-node map out in the worker, in one round trip, and draws all of it', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'large', n: '1000' });
    const scene = await drawnScene(page);
    expect(scene.nodes).toHaveLength(1000);
    expect(scene.edges).toHaveLength(3000);
    expect(await timings(page)).toMatchObject({ modelInWorker: 1, layoutInWorker: 1, hiddenByBudget: 0 });
    // The layout came with the model: no second layout job.
    expect(await modelStats(page)).toMatchObject({ started: 1, done: 1, failed: 0 });
    expect(await stats(page)).toMatchObject({ started: 0, fallbacks: 0 });
    expect(await page.$('[data-testid=lgtmapm-hidden-nodes]')).toBeNull();
    // A refresh with the same series: only their numbers go to the worker (which kept the rest), the map stays;
    // the reply's numbers are written into the map and the scene's items (the same objects drawn again).
    const kept = await page.evaluate(async () => {
      const h = (window as unknown as { __harness: { refresh(): void; painted?: Promise<unknown> } }).__harness;
      const canvas = () =>
        (document.querySelector('[data-testid=lgtmapm-servermap-canvas]') as unknown as { __lgtmapm: { scene: { nodes: object[]; edges: Array<{ label: string }> } } })
          .__lgtmapm.scene;
      const before = canvas();
      const labels = before.edges.map((e) => e.label);
      h.refresh();
      await h.painted;
      const after = canvas();
      return {
        newScene: after !== before,
        sameNodes: after.nodes === before.nodes,
        sameEdge: after.edges[0] === before.edges[0],
        // The fixture's refresh scales every count: the items hold the new labels.
        labelsChanged: after.edges.some((e, i) => e.label !== labels[i]),
      };
    });
    expect(kept).toEqual({ newScene: true, sameNodes: true, sameEdge: true, labelsChanged: true });
    expect(await modelStats(page)).toMatchObject({ started: 2, done: 2, failed: 0, numbersOnly: 1, mapsRefilled: 1 });
    expect((await drawnScene(page)).nodes).toHaveLength(1000);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lays a random 500-node / 2,500-link graph out whole, the longest links drawn straight', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'large', random: '1', n: '500', links: '2500' });
    const scene = await drawnScene(page);
    expect(scene.nodes).toHaveLength(500);
    expect(scene.edges).toHaveLength(2500);
    // A straight link has just its two ports; routed links bend through the layers in between.
    const straight = scene.edges.filter((e) => e.screenPoints.length === 2).length;
    expect(straight).toBeGreaterThan(0);
    expect(await timings(page)).toMatchObject({ layoutInWorker: 1, hiddenByBudget: 0 });
    await screenshot(page, 'layout-random-500');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('50,000 links: draws the busiest part, says how many nodes are hidden; show all runs in the worker with progress and can be cancelled', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'large', links: '50000', format: 'table' });
    const budgeted = await drawnScene(page);
    const t = await timings(page);
    expect(t.layoutInWorker).toBe(1);
    expect(t.hiddenByBudget).toBeGreaterThan(0);
    // The fixture's maxNodes (5,000) keeps the busiest 5,000 of the 15,313 nodes the 20,000-link cap leaves; the
    // layout budget fewer.
    expect(budgeted.nodes.length).toBeGreaterThan(100);
    expect(budgeted.nodes.length).toBeLessThan(5000);
    const hiddenText = await page.textContent('[data-testid=lgtmapm-hidden-nodes]');
    const hidden = Number(/^([\d,]+) nodes hidden · show all$/.exec(hiddenText ?? '')?.[1]?.replace(/,/g, ''));
    expect(hidden + budgeted.nodes.length).toBe(15313);
    await screenshot(page, 'layout-50k-budgeted');

    await page.click('[data-testid=lgtmapm-hidden-nodes]');
    await page.waitForSelector('[data-testid=lgtmapm-layout-progress]');
    expect(await page.textContent('[data-testid=lgtmapm-layout-progress]')).toMatch(/^Laying out 15,313 nodes · /);
    // The budgeted map stays drawn and the page answers while the worker works.
    expect((await drawnScene(page)).nodes).toHaveLength(budgeted.nodes.length);
    expect(
      await page.evaluate(() => new Promise<boolean>((resolve) => requestAnimationFrame(() => resolve(true))))
    ).toBe(true);
    await screenshot(page, 'layout-50k-show-all-progress');
    await page.click('[data-testid=lgtmapm-layout-cancel]');
    await page.waitForSelector('[data-testid=lgtmapm-layout-progress]', { state: 'detached' });
    expect(await page.textContent('[data-testid=lgtmapm-hidden-nodes]')).toBe(hiddenText);
    expect((await drawnScene(page)).nodes).toHaveLength(budgeted.nodes.length);
    expect((await stats(page)).cancelled).toBe(1);
    expect(await counts(page)).toBe(`${budgeted.nodes.length} nodes · ${budgeted.edges.length} links`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('falls back to the main thread, with a note, when the worker cannot start', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'large', n: '1000', noWorker: '1' });
    expect((await drawnScene(page)).nodes).toHaveLength(1000);
    expect(await timings(page)).toMatchObject({ modelInWorker: 0, layoutInWorker: 0 });
    expect(await stats(page)).toMatchObject({ workerDone: 0, fallbacks: 1 });
    await page.hover('[data-testid=lgtmapm-warnings]');
    await page.waitForSelector('text=Layout ran on the main thread');
    expect(errors).toEqual([]);
    await page.close();
  });
});
