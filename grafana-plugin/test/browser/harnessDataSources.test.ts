/**
 * @jest-environment node
 */
// The dev harness's default data sources (harness/defaultDataSources.ts), in real Chromium: a fixture that brings
// no fakes of its own (the demo) fills the details panel from its topology and says plainly that it has no Tempo
// data; with `&noDataSources=1` (a page without Grafana's data source service) the panel's own message shows,
// never a JavaScript TypeError's text. Screenshots: test-results/harness-datasources-*.png.
import type { Page } from 'playwright-core';
import { formatExactCount } from '../../src/servermap/render/format';
import { demoTopology } from '../fixtures/serviceGraph';
import { type BrowserHarness, describeBrowser, openFixture, screenshot, startBrowserHarness } from './harness';

jest.setTimeout(600_000);

const JS_ERROR_TEXT = /Cannot read properties|TypeError|is not a function|undefined \(reading/;

const text = (page: Page, testId: string) => page.locator(`[data-testid=${testId}]`).innerText();

describeBrowser('dev harness: data sources of fixtures without fakes (Chromium)', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the demo's details come from its topology; the scatter says the harness has no Tempo data", async () => {
    const { page, errors } = await openFixture(
      h,
      { fixture: 'demo', layout: 'both', 'lgtmapm-service': 'orders' },
      { width: 1400, height: 800, readySelector: '[data-testid=lgtmapm-details]' }
    );
    await page.waitForSelector('[data-testid=lgtmapm-load-bar]');
    await page.waitForSelector('[data-testid=lgtmapm-instance-row]');
    await page.waitForSelector('[data-testid=lgtmapm-scatter-error]');
    await screenshot(page, 'harness-datasources-demo-dark');

    // orders' two instances share the calls into orders (the topology's numbers, over the fixture's hour).
    const topology = demoTopology();
    const into = topology.edges.filter((e) => e.server === 'orders');
    const perInstance = into.reduce((s, e) => s + e.calls, 0) / topology.instances.orders!;
    const rows = await page.$$eval('[data-testid=lgtmapm-instance-row]', (els) =>
      els.map((el) => ({
        instance: (el as HTMLElement).dataset.instance,
        calls: el.querySelector('[data-testid=lgtmapm-instance-calls]')!.textContent,
      }))
    );
    expect(rows).toEqual([
      { instance: 'orders-1', calls: formatExactCount(perInstance) },
      { instance: 'orders-2', calls: formatExactCount(perInstance) },
    ]);
    const bars = await page.$$eval('[data-testid=lgtmapm-load-bar]', (els) =>
      els.map((el) => Number((el as HTMLElement).dataset.calls))
    );
    expect(bars.length).toBeGreaterThan(10);
    expect(bars.every((c) => c > 0)).toBe(true);

    expect(await text(page, 'lgtmapm-scatter-error')).toBe(
      'Tempo search failed: the dev harness has no Tempo data for fixture "demo" (recorded Tempo answers: ' +
        '?fixture=scatter, ?fixture=details, ?fixture=compare)'
    );
    expect(await page.locator('[data-testid=lgtmapm-load-message]').count()).toBe(0);
    expect(await page.locator('[data-testid=lgtmapm-instances-message]').count()).toBe(0);
    expect(await page.locator('body').innerText()).not.toMatch(JS_ERROR_TEXT);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('without a data source service (&noDataSources=1) the details and the scatter say so, no TypeError text', async () => {
    const { page } = await openFixture(
      h,
      { fixture: 'demo', layout: 'both', 'lgtmapm-service': 'orders', noDataSources: '1' },
      { width: 1400, height: 800, readySelector: '[data-testid=lgtmapm-details]' }
    );
    await page.waitForSelector('[data-testid=lgtmapm-load-message]');
    await page.waitForSelector('[data-testid=lgtmapm-instances-message]');
    await page.waitForSelector('[data-testid=lgtmapm-scatter-error]');
    await screenshot(page, 'harness-datasources-none-dark');
    const none = 'unavailable: no Grafana data source service on this page';
    expect(await text(page, 'lgtmapm-load-message')).toBe(`Load over time unavailable: Data source "mimir" ${none}`);
    expect(await text(page, 'lgtmapm-instances-message')).toBe(`Instances unavailable: Data source "mimir" ${none}`);
    expect(await text(page, 'lgtmapm-scatter-error')).toBe(`Tempo search failed: Data source "tempo" ${none}`);
    expect(await page.locator('body').innerText()).not.toMatch(JS_ERROR_TEXT);
    await page.close();
  });
});
