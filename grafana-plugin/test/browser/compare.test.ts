/**
 * @jest-environment node
 */
import type { Page } from 'playwright-core';
import {
  type BrowserHarness,
  describeBrowser,
  openFixture,
  parseColor,
  screenshot,
  startBrowserHarness,
} from './harness';

jest.setTimeout(300_000);

const RANGE = { from: 1795600800000, to: 1795601700000 };
const DAY = 86_400_000;

interface MarkedScene {
  nodes: Array<{ id: string; box: { x: number; y: number }; mark?: { presence: string; tone: string } }>;
  edges: Array<{
    id: string;
    label: string;
    mark?: { presence: string; tone: string; label: string };
    mid: { x: number; y: number };
  }>;
  palette: { error: string; primary: string; background: string };
  viewport: { scale: number };
  canvas: { x: number; y: number; w: number; h: number };
}

/** The scene last drawn, with each link's marks and the page position of its label. */
async function markedScene(page: Page): Promise<MarkedScene> {
  return page.$eval('[data-testid=lgtmapm-servermap-canvas]', (el) => {
    const c = el as HTMLCanvasElement & { __lgtmapm?: any };
    const d = c.__lgtmapm;
    const r = c.getBoundingClientRect();
    const scr = (p: { x: number; y: number }) => {
      const s = d.toScreen(p.x, p.y);
      return { x: s.x + r.left, y: s.y + r.top };
    };
    return {
      nodes: d.scene.nodes.map((n: any) => ({ id: n.id, box: { x: n.box.x, y: n.box.y }, mark: n.mark })),
      edges: d.scene.edges.map((e: any) => ({ id: e.id, label: e.label, mark: e.mark, mid: scr(e.labelAt) })),
      palette: d.palette,
      viewport: { scale: d.viewport.scale },
      canvas: { x: r.left, y: r.top, w: r.width, h: r.height },
    };
  });
}

/** Waits until the bar says `status` and, when ready, the canvas drew the compared (marked) scene. */
async function waitCompare(page: Page, status: 'ready' | 'error' | 'off', marked = status === 'ready'): Promise<void> {
  await page.waitForSelector(`[data-testid=lgtmapm-compare-bar][data-status=${status}]`);
  await page.waitForFunction((want) => {
    const c = document.querySelector('[data-testid=lgtmapm-servermap-canvas]') as
      (HTMLCanvasElement & { __lgtmapm?: any }) | null;
    const has = !!c?.__lgtmapm?.scene.edges.some((e: any) => e.mark);
    return c?.__lgtmapm && has === want;
  }, marked);
  if (marked) {
    // The side list's rows follow the compared map's first paint (BiggestChanges).
    await page.waitForSelector('[data-testid=lgtmapm-compare-changes][data-rows=shown]');
  }
}

/** Smallest RGB distance to `color` among the canvas pixels of a page rectangle (one read of the bitmap). */
async function closestColor(
  page: Page,
  rect: { x: number; y: number; w: number; h: number },
  color: [number, number, number]
): Promise<number> {
  return page.$eval(
    '[data-testid=lgtmapm-servermap-canvas]',
    (el, { rect, color }) => {
      const c = el as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const k = c.width / r.width;
      const x = Math.max(0, Math.round((rect.x - r.left) * k));
      const y = Math.max(0, Math.round((rect.y - r.top) * k));
      const d = c.getContext('2d')!.getImageData(x, y, Math.round(rect.w * k), Math.round(rect.h * k)).data;
      let best = Infinity;
      for (let i = 0; i < d.length; i += 4) {
        best = Math.min(best, Math.hypot(d[i]! - color[0], d[i + 1]! - color[1], d[i + 2]! - color[2]));
      }
      return best;
    },
    { rect, color }
  );
}

async function rankedRows(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=lgtmapm-compare-change]', (rows) =>
    rows.map((r) => (r as HTMLElement).dataset.linkId!)
  );
}

describeBrowser('compare in Chromium (harness: the demo before and after a bad release)', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('ranks the slowed link first, marks new and gone links, colours the worse link red (dark)', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'compare', theme: 'dark', service: 'none' });
    await waitCompare(page, 'ready');
    await screenshot(page, 'compare-demo-dark');
    expect(await rankedRows(page)).toEqual([
      'demo/orders->demo/payments',
      'user->demo/gateway',
      'demo/gateway->demo/orders',
    ]);
    expect(
      await page.$$eval('[data-testid=lgtmapm-compare-new]', (r) => r.map((e) => (e as HTMLElement).dataset.linkId))
    ).toEqual(['demo/payments->demo/fraud-check']);
    expect(
      await page.$$eval('[data-testid=lgtmapm-compare-gone]', (r) => r.map((e) => (e as HTMLElement).dataset.linkId))
    ).toEqual(['demo/orders->redis']);
    expect(await page.textContent('[data-testid=lgtmapm-compare-change]')).toContain('p95 ×10.2 +2.6 s · err +3.5 pt');

    const scene = await markedScene(page);
    const edge = (id: string) => scene.edges.find((e) => e.id === id)!;
    expect(edge('demo/orders->demo/payments')).toMatchObject({
      label: 'p95 ×10.2 +2.6 s · err +3.5 pt',
      mark: { tone: 'worse' },
    });
    expect(edge('demo/orders->redis')).toMatchObject({ label: 'gone · was 360/min', mark: { presence: 'gone' } });
    expect(edge('demo/payments->demo/fraud-check').mark).toMatchObject({ presence: 'new' });
    // Unchanged: no Δ label, the call count stays.
    expect(edge('demo/orders->postgresql')).toMatchObject({ label: '5.0k', mark: { tone: 'neutral' } });
    expect(scene.nodes.find((n) => n.id === 'redis')!.mark).toMatchObject({ presence: 'gone' });
    // The baseline query: the panel's own targets, over the same 15 min one day earlier, absolute.
    const queries = await page.evaluate(
      () => (window as any).__lgtmapmQueries as Array<{ uid: string; refIds: string[]; from: number; to: number }>
    );
    expect(queries.filter((q) => q.uid === 'mimir')).toEqual([
      {
        uid: 'mimir',
        refIds: ['calls', 'errors', 'latency', 'instances'],
        exprs: expect.any(Array),
        from: RANGE.from - DAY,
        to: RANGE.to - DAY,
      },
    ]);
    // Pixel check: the worse link's label pill is outlined in the theme's error colour, on the canvas itself.
    const pill = edge('demo/orders->demo/payments');
    const red = parseColor(scene.palette.error);
    expect(await closestColor(page, { x: pill.mid.x - 60, y: pill.mid.y - 9, w: 120, h: 18 }, red)).toBeLessThan(30);
    // …and an unchanged link's is not.
    const calm = edge('demo/orders->postgresql');
    expect(await closestColor(page, { x: calm.mid.x - 14, y: calm.mid.y - 9, w: 28, h: 18 }, red)).toBeGreaterThan(100);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('clicking a row focuses that link: selected, centred, its baseline histogram beside the current one (light)', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'compare', theme: 'light', service: 'none' });
    await waitCompare(page, 'ready');
    // The whole compared map in the light theme, before anything is selected (the dark one is in the first test).
    await screenshot(page, 'compare-demo-light');
    expect(await rankedRows(page)).toEqual([
      'demo/orders->demo/payments',
      'user->demo/gateway',
      'demo/gateway->demo/orders',
    ]);
    await page.click('[data-testid=lgtmapm-compare-change][data-link-id="demo/orders->demo/payments"]');
    await page.waitForSelector('[data-testid=lgtmapm-details]');
    await page.waitForFunction(() => {
      const c = document.querySelector('[data-testid=lgtmapm-servermap-canvas]') as any;
      return c?.__lgtmapm?.viewport.scale >= 0.9;
    });
    // The details' load chart is answered by the fake Mimir from the current topology (harness/topologyDetails.ts).
    await page.waitForSelector('[data-testid=lgtmapm-load-bar]');
    await screenshot(page, 'compare-demo-light-focused');
    expect(await page.$$('[data-testid=lgtmapm-load-bar]')).not.toHaveLength(0);
    expect(await page.$('[data-testid=lgtmapm-load-message]')).toBeNull();
    expect(await page.textContent('[data-testid=lgtmapm-details-title]')).toBe('orders → payments');
    expect(await page.textContent('[data-testid=lgtmapm-details-changes]')).toContain(
      'p95 ≈ 287 ms → ≈ 2.9 s (+2.6 s, ×10.2)'
    );
    const scene = await markedScene(page);
    const mid = scene.edges.find((e) => e.id === 'demo/orders->demo/payments')!.mid;
    // Centred in the part of the map the details panel does not cover.
    expect(Math.abs(mid.y - (scene.canvas.y + scene.canvas.h / 2))).toBeLessThan(4);
    expect(mid.x).toBeGreaterThan(scene.canvas.x + 40);
    expect(mid.x).toBeLessThan(scene.canvas.x + scene.canvas.w - 40);
    const baseline = await page.$$eval('[data-testid^=lgtmapm-histogram-baseline-]', (els) =>
      els.map((e) => [(e as HTMLElement).dataset.testid, Number((e as HTMLElement).dataset.value)])
    );
    // The demo before the release over 15 min: a quarter of the hour's cumulative bucket counts, rounded
    // (7,150 and 7,200 calls ≤ 1 s and ≤ 3 s become 1,788 and 1,800: test/fixtures/serviceGraph.ts).
    expect(baseline).toEqual([
      ['lgtmapm-histogram-baseline-le1s', 1788],
      ['lgtmapm-histogram-baseline-le3s', 12],
      ['lgtmapm-histogram-baseline-le5s', 0],
      ['lgtmapm-histogram-baseline-slow', 0],
      ['lgtmapm-histogram-baseline-error', 9],
    ]);
    const bg = parseColor(scene.palette.background);
    expect(bg[0] + bg[1] + bg[2]).toBeGreaterThan(600);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('toggles off and on with the baseline loaded: no query again, the marks come and go', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'compare', theme: 'dark', service: 'none' });
    await waitCompare(page, 'ready');
    const on = await markedScene(page);
    await page.click('[data-testid=lgtmapm-compare-toggle]');
    await waitCompare(page, 'off');
    const off = await markedScene(page);
    expect(off.edges.map((e) => e.id)).not.toContain('demo/orders->redis');
    // Off keeps the compared map's positions (the current map is part of the union): nothing jumps.
    for (const n of off.nodes) {
      expect(n.box).toEqual(on.nodes.find((m) => m.id === n.id)!.box);
    }
    expect(await page.$('[data-testid=lgtmapm-compare-changes]')).toBeNull();
    await page.click('[data-testid=lgtmapm-compare-toggle]');
    await waitCompare(page, 'ready');
    expect(await rankedRows(page)).toHaveLength(3);
    const queries = await page.evaluate(() => (window as any).__lgtmapmQueries as unknown[]);
    expect(queries).toHaveLength(1);
    // The threshold hides the smaller changes: at "50 %" only the slowed link is ranked.
    // Grafana's radio input lies over its label and takes the click.
    await page.click('[data-testid=lgtmapm-compare-threshold] input[id^="option-large-"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=lgtmapm-compare-change]').length === 1);
    expect(await rankedRows(page)).toEqual(['demo/orders->demo/payments']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("Grafana's own Time comparison delivered the baseline: used as it is, no query of ours", async () => {
    const { page, errors } = await openFixture(h, {
      fixture: 'compare',
      theme: 'dark',
      service: 'none',
      grafanaCompare: '1',
    });
    await waitCompare(page, 'ready');
    expect(await page.isChecked('[data-testid=lgtmapm-compare-mode] input[id^="option-grafana-"]')).toBe(true);
    expect(await page.textContent('[data-testid=lgtmapm-compare-mode]')).toContain('Grafana 1 d');
    expect(await rankedRows(page)).toEqual([
      'demo/orders->demo/payments',
      'user->demo/gateway',
      'demo/gateway->demo/orders',
    ]);
    const scene = await markedScene(page);
    // The "-compare" frames were split off: the map is the current range's, with the baseline's gone link added.
    expect(scene.edges.find((e) => e.id === 'demo/orders->redis')?.mark).toMatchObject({ presence: 'gone' });
    expect(scene.edges).toHaveLength(7);
    const mimir = () =>
      page.evaluate(() =>
        ((window as any).__lgtmapmQueries as Array<{ uid: string; from: number; to: number }>).filter(
          (q) => q.uid === 'mimir'
        )
      );
    expect(await mimir()).toEqual([]);
    // Picking one of ours queries it as usual.
    await page.click('[data-testid=lgtmapm-compare-mode] input[id^="option-1h-"]');
    await page.waitForFunction(() => ((window as any).__lgtmapmQueries as unknown[]).length === 1);
    await waitCompare(page, 'ready');
    expect(await mimir()).toMatchObject([{ from: RANGE.from - 3_600_000, to: RANGE.to - 3_600_000 }]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('custom baseline: a range of another length, typed like in the time picker; bad input says why', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'compare', theme: 'dark', service: 'none' });
    await waitCompare(page, 'ready');
    await page.click('[data-testid=lgtmapm-compare-mode] input[id^="option-custom-"]');
    await page.fill('[data-testid=lgtmapm-compare-from]', 'not a time');
    await page.click('[data-testid=lgtmapm-compare-apply]');
    expect(await page.textContent('[data-testid=lgtmapm-compare-input-error]')).toBe(
      'Not a time: "not a time" (use e.g. now-2d or 2026-11-24 11:00)'
    );
    await page.fill('[data-testid=lgtmapm-compare-from]', '2026-11-24 06:00:00');
    await page.fill('[data-testid=lgtmapm-compare-to]', '2026-11-24 08:00:00');
    await page.click('[data-testid=lgtmapm-compare-apply]');
    await page.waitForFunction(() => ((window as any).__lgtmapmQueries as unknown[]).length === 2);
    await waitCompare(page, 'ready');
    const queries = await page.evaluate(() => (window as any).__lgtmapmQueries as Array<{ from: number; to: number }>);
    // Two hours against the current 15 minutes: compared per minute, so the same demo load shows the same changes.
    expect(queries[1]).toMatchObject({ from: Date.UTC(2026, 10, 24, 6), to: Date.UTC(2026, 10, 24, 8) });
    expect(await page.textContent('[data-testid=lgtmapm-compare-status]')).toBe('vs 2026-11-24 06:00–08:00');
    expect(await rankedRows(page)).toEqual([
      'demo/orders->demo/payments',
      'user->demo/gateway',
      'demo/gateway->demo/orders',
    ]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('previous release: versions from span metrics, the baseline is the window before 1.4.0', async () => {
    const { page, errors } = await openFixture(h, {
      fixture: 'compare',
      theme: 'dark',
      compare: 'release',
      service: 'orders',
    });
    await waitCompare(page, 'ready');
    expect(await page.textContent('[data-testid=lgtmapm-compare-versions]')).toContain('1.4.0 vs');
    expect(await page.getAttribute('[data-testid=lgtmapm-compare-versions] input', 'value')).toBe('1.3.2');
    const queries = await page.evaluate(
      () =>
        (window as any).__lgtmapmQueries as Array<{
          uid: string;
          refIds: string[];
          exprs: string[];
          from: number;
          to: number;
        }>
    );
    // The details panel of the selected service queries Mimir too: pick the two compare queries by what they ask.
    const mimir = queries.filter((q) => q.uid === 'mimir');
    const release = mimir.filter((q) => q.exprs[0]!.includes('traces_spanmetrics_calls_total'));
    expect(release).toHaveLength(1);
    expect(release[0]!.exprs[0]).toContain('traces_spanmetrics_calls_total{service="orders"');
    // 1.3.2 served until a minute before the current range: the baseline is its last 15 minutes.
    const baseline = mimir.filter((q) => q.refIds.join() === 'calls,errors,latency,instances');
    expect(baseline).toHaveLength(1);
    expect(baseline[0]).toMatchObject({ from: RANGE.from - 60_000 - 900_000, to: RANGE.from - 60_000 });
    expect(await page.$('[data-testid=lgtmapm-compare-notes]')).not.toBeNull();
    expect(await rankedRows(page)).toEqual([
      'demo/orders->demo/payments',
      'user->demo/gateway',
      'demo/gateway->demo/orders',
    ]);
    await screenshot(page, 'compare-release-dark');
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([
    ['baseline-error', {}, 'The baseline query failed: bad_data: query timed out in expression evaluation'],
    ['baseline-empty', {}, 'The baseline range has no server map'],
    [
      'one-version',
      { compare: 'release', service: 'orders' },
      'Only one version of orders (1.4.0) in the last 7 days: nothing to compare with',
    ],
    ['ok', { compare: 'release', service: 'none' }, 'Select a service on the map to compare its releases'],
  ])('says what is wrong (%s %j) and keeps the map as it is', async (scenario, extra, message) => {
    const { page, errors } = await openFixture(h, {
      fixture: 'compare',
      theme: 'dark',
      scenario,
      service: 'none',
      ...extra,
    });
    await waitCompare(page, 'error', false);
    expect(await page.textContent('[data-testid=lgtmapm-compare-error]')).toContain(message);
    const scene = await markedScene(page);
    expect(scene.edges).toHaveLength(6);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the scatter draws the baseline dots in grey on the same axes, with both ranges p50/p95 lines', async () => {
    const { page, errors } = await openFixture(h, {
      fixture: 'compare',
      theme: 'dark',
      layout: 'both',
      service: 'orders',
    });
    await waitCompare(page, 'ready');
    await page.waitForSelector('[data-testid=scatter-chart][data-baseline="300"]');
    // The selected service's details: load over time and its two instances, from the fake Mimir.
    await page.waitForSelector('[data-testid=lgtmapm-instance-row]');
    await page.waitForSelector('[data-testid=lgtmapm-load-bar]');
    await screenshot(page, 'compare-scatter-dark');
    expect(
      await page.$$eval('[data-testid=lgtmapm-instance-row]', (rows) =>
        rows.map((r) => (r as HTMLElement).dataset.instance)
      )
    ).toEqual(['orders-1', 'orders-2']);
    const chart = await page.$eval('[data-testid=scatter-chart]', (el) => ({
      plot: JSON.parse((el as HTMLElement).dataset.plot!),
      lines: JSON.parse((el as HTMLElement).dataset.lines!) as Array<{ label: string; valueMs: number }>,
    }));
    expect(chart.lines.map((l) => l.label)).toEqual(['p50 now', 'p95 now', 'p50 baseline', 'p95 baseline']);
    const v = Object.fromEntries(chart.lines.map((l) => [l.label, l.valueMs]));
    // The fake Tempo's baseline dots are the current ones three times faster (harness/compareDataSources.ts).
    expect(v['p95 baseline']! * 3).toBeCloseTo(v['p95 now']!, 0);
    // One time axis: the current range's; one y scale covering the slowest dot of both.
    expect([chart.plot.xMin, chart.plot.xMax]).toEqual([RANGE.from, RANGE.to]);
    expect(chart.plot.yMax).toBeGreaterThanOrEqual(v['p95 now']!);
    expect(await page.textContent('[data-testid=lgtmapm-scatter-baseline]')).toBe('grey: 300 baseline transactions');
    const tempo = (
      await page.evaluate(() => (window as any).__lgtmapmQueries as Array<{ uid: string; from: number; to: number }>)
    ).filter((q) => q.uid === 'tempo' && q.from === RANGE.from - DAY);
    expect(tempo).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
