/**
 * @jest-environment node
 */
// The scatter in real Chromium (the harness renders the real panel; Tempo/Mimir answers come from
// test/fixtures/tempo through a fake DataSourceSrv). Screenshots go to test-results/scatter-*.png.
import type { Page } from 'playwright-core';
import { buildCallTree, coveredLength } from '../../src/calltree/buildCallTree';
import { parseTraceFrames } from '../../src/calltree/parseTrace';
import { transactionsFromFrames, type Transaction } from '../../src/scatter/dots';
import { fromDataFrameJSON } from '../../src/scatter/frameLike';
import { framesOf, readFixture } from '../fixtures/tempo/load';
import { describeBrowser, openFixture as openFixtureOnce, screenshot, startBrowserHarness, type BrowserHarness } from './harness';

/** openFixture with one retry: on a loaded 2-core machine a first navigation can exceed its 30 s budget. */
async function openFixture(...args: Parameters<typeof openFixtureOnce>): ReturnType<typeof openFixtureOnce> {
  try {
    return await openFixtureOnce(...args);
  } catch (e) {
    if (!String(e).includes('Timeout')) {
      throw e;
    }
    return openFixtureOnce(...args);
  }
}

type Envelope = Parameters<typeof framesOf>[0];
const READY = '[data-testid=lgtmapm-scatter-count], [data-testid=lgtmapm-scatter-error], [data-testid=lgtmapm-scatter-message]';
const ALL: Transaction[] = transactionsFromFrames(
  framesOf(readFixture<Envelope>('search-spans.json')).map((f) => fromDataFrameJSON(f as never)),
  'orders'
).transactions;
const TRACES = readFixture<Record<string, Envelope>>('traces.json');

interface Plot {
  left: number;
  top: number;
  width: number;
  height: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** Plot geometry in page coordinates plus the data domain the chart drew. */
async function plotOf(page: Page): Promise<Plot> {
  return page.$eval('[data-testid=scatter-chart]', (el) => {
    const r = el.getBoundingClientRect();
    const p = JSON.parse((el as HTMLElement).dataset.plot!);
    return { ...p, left: p.left + r.left, top: p.top + r.top };
  });
}

const pageX = (p: Plot, t: number) => p.left + ((t - p.xMin) / (p.xMax - p.xMin)) * p.width;
const pageY = (p: Plot, ms: number) => p.top + (1 - ms / p.yMax) * p.height;
const dataY = (p: Plot, y: number) => p.yMax * (1 - (y - p.top) / p.height);
const dataX = (p: Plot, x: number) => p.xMin + ((x - p.left) / p.width) * (p.xMax - p.xMin);

async function drag(page: Page, a: { x: number; y: number }, b: { x: number; y: number }) {
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 4 });
  await page.mouse.move(b.x, b.y, { steps: 4 });
  await page.mouse.up();
}

async function pixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.$eval(
    '[data-testid=scatter-canvas]',
    (el, pt) => {
      const c = el as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const k = c.width / r.width;
      const d = c.getContext('2d')!.getImageData(Math.round((pt.x - r.left) * k), Math.round((pt.y - r.top) * k), 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    { x, y }
  );
}

type RGB = [number, number, number];
const isGreen = ([r, g, b]: RGB) => g > 120 && g > r + 40 && g > b + 40;
const isRed = ([r, g, b]: RGB) => r > 150 && r > g + 60 && r > b + 40;

/** True when some pixel within ±2 px matches: dots are 5×5 squares snapped to the pixel grid (and clipped at the plot edge). */
async function near(page: Page, x: number, y: number, pred: (c: RGB) => boolean): Promise<boolean> {
  for (let dy = -2; dy <= 2; dy++) {
    for (let dx = -2; dx <= 2; dx++) {
      if (pred(await pixel(page, x + dx, y + dy))) {
        return true;
      }
    }
  }
  return false;
}

/** Polls `near` once per animation frame (up to 10 s) until it reports `want`: a legend click redraws asynchronously. */
async function nearEventually(page: Page, x: number, y: number, pred: (c: RGB) => boolean, want: boolean): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const got = await near(page, x, y, pred);
    if (got === want || Date.now() > deadline) {
      return got;
    }
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
  }
}

/** Page errors except the harness's missing Inter web fonts (Grafana serves them; the harness does not). */
function realErrors(errors: string[], fontMisses: number): string[] {
  let skip = fontMisses;
  return errors.filter((e) => !(e.startsWith('Failed to load resource') && skip-- > 0));
}

async function fontMisses(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (performance.getEntriesByType('resource') as Array<PerformanceResourceTiming & { responseStatus?: number }>).filter(
        (e) => e.name.includes('/public/fonts/') && e.responseStatus === 404
      ).length
  );
}

async function expectNoErrors(page: Page, errors: string[]): Promise<void> {
  expect(realErrors(errors, await fontMisses(page))).toEqual([]);
}

async function listedTraceIds(page: Page): Promise<string[]> {
  // The list is virtualised: scroll through it and collect every row once.
  return page.$eval('[data-testid=lgtmapm-transactions-rows]', async (el) => {
    const ids = new Set<string>();
    for (let top = 0; top <= el.scrollHeight; top += el.clientHeight / 2) {
      el.scrollTop = top;
      el.dispatchEvent(new Event('scroll'));
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      el.querySelectorAll('[data-testid=lgtmapm-transaction-row]').forEach((row) =>
        ids.add(`${(row as HTMLElement).dataset.traceId}`)
      );
    }
    return [...ids];
  });
}

describeBrowser('scatter in Chromium', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  it('draws every transaction as a dot, failed in red, with the runtime band and sampling note', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'scatter' }, { readySelector: READY });
    await page.waitForSelector('[data-testid=scatter-chart][data-plot]');
    expect(await page.textContent('[data-testid=lgtmapm-scatter-count]')).toBe('300 transactions');
    expect(await page.textContent('[data-testid=lgtmapm-scatter-sampling]')).toBe('sampling ≈ 50%');
    const p = await plotOf(page);
    expect(p.xMin).toBe(Date.UTC(2026, 10, 25, 10, 0, 0));
    const slow = ALL.filter((t) => t.durationMs > 1000 && !t.failed);
    const failed = ALL.filter((t) => t.failed);
    for (const t of slow.slice(0, 5)) {
      expect(await near(page, pageX(p, t.startMs), pageY(p, t.durationMs), isGreen)).toBe(true);
    }
    const lonelyFailed = failed.find((f) => !ALL.some((t) => !t.failed && Math.abs(t.startMs - f.startMs) < 4000 && Math.abs(t.durationMs - f.durationMs) < 60));
    expect(lonelyFailed).toBeDefined();
    expect(await near(page, pageX(p, lonelyFailed!.startMs), pageY(p, lonelyFailed!.durationMs), isRed)).toBe(true);
    // a spot with no transaction within 10 px stays background
    const empty = { x: p.left + p.width * 0.5, y: p.top + p.height * 0.45 };
    expect(ALL.some((t) => Math.hypot(pageX(p, t.startMs) - empty.x, pageY(p, t.durationMs) - empty.y) < 10)).toBe(false);
    expect(await near(page, empty.x, empty.y, (c) => isGreen(c) || isRed(c))).toBe(false);
    await screenshot(page, 'scatter-dots');
    // Click on a dot → its call tree: the slow dot farthest from any other dot, so the hit is unambiguous.
    const dist = (a: Transaction, b: Transaction) =>
      Math.hypot(pageX(p, a.startMs) - pageX(p, b.startMs), pageY(p, a.durationMs) - pageY(p, b.durationMs));
    const top = ALL.filter((t) => t.durationMs > 1000)
      .map((t) => ({ t, room: Math.min(...ALL.filter((u) => u !== t).map((u) => dist(t, u))) }))
      .sort((a, b) => b.room - a.room)[0]!.t;
    await page.mouse.click(pageX(p, top.startMs), pageY(p, top.durationMs));
    await page.waitForSelector('[data-testid=lgtmapm-calltree-row]');
    expect(await page.getAttribute('[data-testid=lgtmapm-open-explore]', 'href')).toContain(top.traceId);
    // The header toggle switches to a log axis: dots move to their log positions.
    await page.click('[data-testid=lgtmapm-yscale]');
    await page.waitForFunction(() => JSON.parse((document.querySelector('[data-testid=scatter-chart]') as HTMLElement).dataset.plot!).yScale === 'log');
    const lp = await plotOf(page);
    const logY = (ms: number) => lp.top + ((Math.log10(lp.yMax) - Math.log10(Math.max(ms, lp.yMin))) / (Math.log10(lp.yMax) - Math.log10(lp.yMin))) * lp.height;
    const mid = ALL.find((t) => t.durationMs > 100 && t.durationMs < 300 && !t.failed)!;
    expect(await near(page, pageX(lp, mid.startMs), logY(mid.durationMs), isGreen)).toBe(true);
    await screenshot(page, 'scatter-log-axis');
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  it('drag a rectangle → the list shows exactly the transactions inside it; click a row → call tree with the right self times', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'scatter', layout: 'both' }, { readySelector: READY });
    await page.waitForSelector('[data-testid=scatter-chart][data-plot]');
    const p = await plotOf(page);
    // Around the slow dots: from 1 s up to the top edge, whole time range.
    const a = { x: p.left + 2, y: pageY(p, 1000) };
    const b = { x: p.left + p.width - 2, y: p.top + 1 };
    await drag(page, a, b);
    await page.waitForSelector('[data-testid=lgtmapm-transaction-row]');
    const y0 = dataY(p, a.y);
    const expected = ALL.filter((t) => t.durationMs >= y0 && t.startMs >= dataX(p, a.x) && t.startMs <= dataX(p, b.x));
    expect(expected.length).toBeGreaterThan(20);
    expect(await page.textContent('[data-testid=lgtmapm-transactions-count]')).toBe(String(expected.length));
    expect((await listedTraceIds(page)).sort()).toEqual(expected.map((t) => t.traceId).sort());
    await screenshot(page, 'scatter-selection-list');

    // Brush → map: the selection store now highlights the services these transactions touched.
    await page.waitForFunction(() => (window as any).__lgtmapmSelection?.()?.highlight, null, { timeout: 20_000 });
    const highlight = await page.evaluate(() => (window as any).__lgtmapmSelection().highlight);
    expect(highlight.services).toEqual(expect.arrayContaining(['gateway', 'orders', 'payments', 'postgresql']));
    expect(highlight.edges).toEqual(expect.arrayContaining([['orders', 'postgresql'], ['gateway', 'orders']]));
    await screenshot(page, 'scatter-selection-map-highlight');

    // Sorted by duration (slowest first) by default: the first row is the slowest transaction.
    const slowest = [...expected].sort((x, y) => y.durationMs - x.durationMs)[0]!;
    await page.evaluate(() => {
      const el = document.querySelector('[data-testid=lgtmapm-transactions-rows]')!;
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    const first = page.locator('[data-testid=lgtmapm-transaction-row]').first();
    expect(await first.getAttribute('data-trace-id')).toBe(slowest.traceId);
    await first.click();
    await page.waitForSelector('[data-testid=lgtmapm-calltree-row]');

    const spans = parseTraceFrames(framesOf(TRACES[slowest.traceId]!)).spans;
    const tree = buildCallTree(spans);
    const hot = page.locator('[data-testid=lgtmapm-calltree-row][data-hot=true]');
    expect(await hot.getAttribute('data-span-name')).toBe('pg.query:SELECT test');
    const pg = spans.find((s) => s.name === 'pg.query:SELECT test')!;
    expect(Number(await hot.getAttribute('data-self-ms'))).toBeCloseTo(pg.durationMs, 6);
    const server = spans.find((s) => s.service === 'orders' && s.kind === 'server')!;
    const kids = spans.filter((s) => s.parentSpanId === server.spanId);
    const serverSelf =
      server.durationMs -
      coveredLength(kids.map((k) => [k.startMs, k.startMs + k.durationMs]), server.startMs, server.startMs + server.durationMs);
    const serverRow = page.locator(`[data-testid=lgtmapm-calltree-row][data-span-name="${server.name}"]`);
    expect(Number(await serverRow.getAttribute('data-self-ms'))).toBeCloseTo(serverSelf, 6);
    expect(await page.locator('[data-testid=lgtmapm-calltree-row]').count()).toBe(tree.rows.filter((r) => r.type === 'span').length);
    expect(await page.isVisible('[data-testid=lgtmapm-orphan-group]')).toBe(true);
    expect(await page.getAttribute('[data-testid=lgtmapm-open-explore]', 'href')).toContain(slowest.traceId);
    const logsHref = (await page.getAttribute('[data-testid=lgtmapm-open-logs]', 'href'))!;
    const logsPane = JSON.parse(new URL(logsHref, 'http://x').searchParams.get('panes')!).lgtmapm;
    expect(logsPane.queries[0].expr).toBe(`{service_name=~".+"} | trace_id="${slowest.traceId.padStart(32, '0')}"`);
    await screenshot(page, 'scatter-calltree');
    await page.click('[data-testid=lgtmapm-calltree-back]');
    await page.waitForSelector('[data-testid=lgtmapm-transactions]');
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  it('legend toggles hide a series from the drawing and from selections', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'scatter' }, { readySelector: READY });
    await page.waitForSelector('[data-testid=scatter-chart][data-plot]');
    const p = await plotOf(page);
    const failed = ALL.filter((t) => t.failed);
    const lonely = failed.find((f) => !ALL.some((t) => !t.failed && Math.abs(t.startMs - f.startMs) < 4000 && Math.abs(t.durationMs - f.durationMs) < 60))!;
    expect(await near(page, pageX(p, lonely.startMs), pageY(p, lonely.durationMs), isRed)).toBe(true);
    const boxes = await page.$eval('[data-testid=scatter-chart]', (el) => {
      const r = el.getBoundingClientRect();
      return JSON.parse((el as HTMLElement).dataset.legend!).map((b: any) => ({ ...b, x: r.left + (b.x0 + b.x1) / 2, y: r.top + (b.y0 + b.y1) / 2 }));
    });
    const failedBox = boxes.find((b: any) => b.series === 1);
    await page.mouse.click(failedBox.x, failedBox.y);
    expect(await nearEventually(page, pageX(p, lonely.startMs), pageY(p, lonely.durationMs), isRed, false)).toBe(false);
    await screenshot(page, 'scatter-legend-failed-off');
    // From inside the top-right corner to past the bottom-left one: the rectangle clamps to the whole plot.
    await drag(page, { x: p.left + p.width - 1, y: p.top + 1 }, { x: p.left - 20, y: p.top + p.height + 20 });
    await page.waitForSelector('[data-testid=lgtmapm-transactions-count]');
    expect(await page.textContent('[data-testid=lgtmapm-transactions-count]')).toBe(String(ALL.length - failed.length));
    await page.mouse.click(failedBox.x, failedBox.y);
    expect(await nearEventually(page, pageX(p, lonely.startMs), pageY(p, lonely.durationMs), isRed, true)).toBe(true);
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  it('when the dot query is truncated: heatmap underlay, "N of M shown", and selections go to Tempo', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'scatter', scenario: 'truncated' }, { readySelector: READY });
    await page.waitForSelector('[data-testid=scatter-chart][data-plot]');
    expect(await page.textContent('[data-testid=lgtmapm-scatter-count]')).toContain('120 of 300 transactions shown');
    const p = await plotOf(page);
    const all = ALL.filter((t) => t.durationMs > 1000);
    const first120 = new Set(ALL.slice(-120).map((t) => t.traceId));
    const notLoaded = all.find((t) => !first120.has(t.traceId) && !ALL.some((u) => first120.has(u.traceId) && Math.abs(u.startMs - t.startMs) < 40_000))!;
    // Where a slow transaction was not loaded as a dot, the underlay still shows its bucket (blue-ish).
    const [r, g, b] = await pixel(page, pageX(p, notLoaded.startMs), pageY(p, notLoaded.durationMs));
    expect(b).toBeGreaterThan(r + 10);
    expect(b).toBeGreaterThan(g);
    await screenshot(page, 'scatter-truncated-heatmap');
    await drag(page, { x: p.left + 2, y: pageY(p, 1000) }, { x: pageX(p, Date.UTC(2026, 10, 25, 10, 5)), y: p.top + 1 });
    await page.waitForSelector('text=queried from Tempo for this rectangle');
    const queries = await page.evaluate(() => (window as any).__lgtmapmQueries.map((q: any) => q.targets[0].query ?? q.targets[0].expr));
    expect(queries.some((q: string) => /duration >= \d+ms/.test(q))).toBe(true);
    const expected = ALL.filter((t) => t.durationMs >= 1000 && t.startMs <= Date.UTC(2026, 10, 25, 10, 5));
    expect(Number(await page.textContent('[data-testid=lgtmapm-transactions-count]'))).toBeGreaterThanOrEqual(expected.length - 1);
    await expectNoErrors(page, errors);
    await page.close();
  }, 120_000);

  it('bad data gives a clear message, never a crash', async () => {
    const tempoError = await openFixture(h, { fixture: 'scatter', scenario: 'tempo-error' }, { readySelector: READY });
    expect(await tempoError.page.textContent('[data-testid=lgtmapm-scatter-error]')).toContain('Tempo search failed');
    expect(await tempoError.page.textContent('[data-testid=lgtmapm-scatter-error]')).toContain('context deadline exceeded');
    await screenshot(tempoError.page, 'scatter-error');
    await expectNoErrors(tempoError.page, tempoError.errors);
    await tempoError.page.close();

    const empty = await openFixture(h, { fixture: 'scatter', scenario: 'empty' }, { readySelector: READY });
    await empty.page.waitForSelector('text=No transactions of orders in this time range.');
    await expectNoErrors(empty.page, empty.errors);
    await empty.page.close();

    const none = await openFixture(h, { fixture: 'scatter', service: 'none' }, { readySelector: READY });
    expect(await none.page.textContent('[data-testid=lgtmapm-scatter-message]')).toContain('Select a service');
    await expectNoErrors(none.page, none.errors);
    await none.page.close();

    const malformed = await openFixture(h, { fixture: 'scatter', scenario: 'malformed-trace' }, { readySelector: READY });
    await malformed.page.waitForSelector('[data-testid=scatter-chart][data-plot]');
    const p = await plotOf(malformed.page);
    await drag(malformed.page, { x: p.left + 2, y: pageY(p, 1000) }, { x: p.left + p.width - 2, y: p.top + 1 });
    await malformed.page.locator('[data-testid=lgtmapm-transaction-row]').first().click();
    // The status first reads "Loading trace …"; wait for the outcome (a timeout here means no error was shown).
    const status = malformed.page.locator('[data-testid=lgtmapm-calltree-status]');
    await status.filter({ hasNotText: 'Loading trace' }).waitFor({ timeout: 15_000 });
    expect(await status.textContent()).toContain('missing field "spanID"');

    const noMimir = await openFixture(h, { fixture: 'scatter', scenario: 'no-mimir' }, { readySelector: READY });
    await noMimir.page.waitForSelector('text=runtime overlay unavailable');
    expect(await noMimir.page.textContent('[data-testid=lgtmapm-scatter-sampling]')).toBe('sampling ratio unknown');
    for (const o of [malformed, noMimir]) {
      await expectNoErrors(o.page, o.errors);
      await o.page.close();
    }
  }, 180_000);
});
