/**
 * @jest-environment node
 */
// Pinpoint parity in the details panel, in real Chromium with the details recording (real Prometheus 3 and
// Tempo v3.0.3 answers while two copies of the demo ran): the load mini chart and the instance table for a node,
// the load chart and the link-filtered scatter for a link. Screenshots: test-results/details-*.png.
import type { Page } from 'playwright-core';
import { transactionsFromFrames } from '../../src/scatter/dots';
import { formatExactCount } from '../../src/servermap/render/format';
import { fromDataFrameJSON } from '../../src/scatter/frameLike';
import { detailsManifest, detailsProm, detailsTempo } from '../fixtures/recorded/details';
import { tempoSpansFrame } from '../fixtures/recorded/toFrames';
import {
  type BrowserHarness,
  clickAt,
  describeBrowser,
  drawnScene,
  openFixture,
  screenshot,
  startBrowserHarness,
} from './harness';

jest.setTimeout(600_000);

const q = detailsManifest.queries;
const values = (file: string) => detailsProm[file]!.data!.result[0]!.values!.map(([, v]) => Number(v));
// Read without @grafana/data (this suite runs in the node environment), as the scatter's browser test does.
const LINK_DOTS = transactionsFromFrames(
  [fromDataFrameJSON(tempoSpansFrame('dots', detailsTempo['link-dots']) as never)],
  'gateway'
).transactions;

interface Logged {
  uid: string;
  targets: Array<{ refId: string; expr?: string; query?: string; interval?: string }>;
  maxDataPoints?: number;
}
const queries = (page: Page) =>
  page.evaluate(() => (window as unknown as { __lgtmapmQueries: Logged[] }).__lgtmapmQueries);

async function clickNode(page: Page, name: string) {
  const n = (await drawnScene(page)).nodes.find((x) => x.name === name)!;
  await clickAt(page, { x: n.screen.x + n.screen.w / 2, y: n.screen.y + n.screen.h / 2 });
}

async function clickLink(page: Page, from: string, to: string) {
  const scene = await drawnScene(page);
  const names = new Map(scene.nodes.map((n) => [n.id, n.name]));
  const e = scene.edges.find((x) => names.get(x.source) === from && names.get(x.target) === to)!;
  const [a, b] = [e.screenPoints[0]!, e.screenPoints[e.screenPoints.length - 1]!];
  await clickAt(page, { x: a.x + (b.x - a.x) * 0.5, y: a.y + (b.y - a.y) * 0.5 });
}

const bars = (page: Page) =>
  page.$$eval('[data-testid=lgtmapm-load-bar]', (els) =>
    els.map((el) => ({
      t: Number((el as HTMLElement).dataset.t),
      calls: Number((el as HTMLElement).dataset.calls),
      errors: Number((el as HTMLElement).dataset.errors),
      h: el.getBoundingClientRect().height,
    }))
  );

describeBrowser('details panel: load, instances, link-filtered scatter (Chromium, recorded)', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  for (const theme of ['dark', 'light']) {
    it(`node orders: load chart and instance table from the recording (${theme})`, async () => {
      const { page, errors } = await openFixture(h, { fixture: 'details', theme }, { width: 1400, height: 800 });
      await clickNode(page, 'orders');
      await page.waitForSelector('[data-testid=lgtmapm-load]');
      await page.waitForSelector('[data-testid=lgtmapm-instances]');
      await page.waitForSelector('[data-testid=lgtmapm-scatter-count]');

      // One bar per recorded interval, carrying the recorded numbers; the tallest bar is the busiest interval.
      const drawn = await bars(page);
      expect(drawn.map((b) => b.calls)).toEqual(values('load-node-calls'));
      expect(drawn.map((b) => b.t)).toEqual(
        detailsProm['load-node-calls']!.data!.result[0]!.values!.map(([t]) => t * 1000)
      );
      const tallest = drawn.reduce((m, b) => (b.h > m.h ? b : m));
      expect(tallest.calls).toBe(Math.max(...values('load-node-calls')));
      expect(drawn.reduce((s, b) => s + b.errors, 0)).toBeCloseTo(
        values('load-node-errors').reduce((s, v) => s + v, 0),
        6
      );

      // The queries went through the data source as built, at most 60 bars, 30 s minimum step.
      const sent = (await queries(page))
        .filter((x) => x.uid === 'mimir')
        .flatMap((x) => x.targets.map((t) => ({ ...t, maxDataPoints: x.maxDataPoints })));
      expect(sent.find((t) => t.refId === 'load-calls')).toMatchObject({
        expr: q['prometheus/load-node-calls'],
        interval: '30s',
        maxDataPoints: 60,
      });
      expect(sent.find((t) => t.refId === 'load-errors')).toMatchObject({ expr: q['prometheus/load-node-errors'] });

      // Both recorded instances, busiest first, with the recorded calls.
      const rows = await page.$$eval('[data-testid=lgtmapm-instance-row]', (els) =>
        els.map((el) => ({
          instance: (el as HTMLElement).dataset.instance,
          calls: el.querySelector('[data-testid=lgtmapm-instance-calls]')!.textContent,
          p95: el.querySelector('[data-testid=lgtmapm-instance-p95]')!.textContent,
        }))
      );
      const recorded = detailsProm['instances-calls']!.data!.result.map((r) => ({
        instance: r.metric.instance,
        calls: Number(r.value![1]),
      }));
      recorded.sort((a, b) => b.calls - a.calls);
      expect(rows.map((r) => [r.instance, r.calls])).toEqual(
        recorded.map((r) => [r.instance, formatExactCount(r.calls)])
      );
      expect(rows.every((r) => r.p95!.startsWith('≈ '))).toBe(true);
      // Every number is readable in the 280 px panel: no cell is cut off (a long host wraps under the id).
      const cut = await page.$$eval(
        '[data-testid=lgtmapm-instance-row] td:not(:first-child), [data-testid=lgtmapm-instance-row] td:first-child > div',
        (els) => els.filter((el) => el.scrollWidth > el.clientWidth).map((el) => el.textContent)
      );
      expect(cut).toEqual([]);

      expect(await page.textContent('[data-testid=lgtmapm-scatter-title]')).toBe('Transactions · orders');
      await screenshot(page, `details-node-${theme}`);
      expect(errors).toEqual([]);
      await page.close();
    });

    it(`link gateway → orders: load chart and the scatter of that link's calls (${theme})`, async () => {
      const { page, errors } = await openFixture(h, { fixture: 'details', theme }, { width: 1400, height: 800 });
      await clickLink(page, 'gateway', 'orders');
      await page.waitForSelector('[data-testid=lgtmapm-load]');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=lgtmapm-scatter-title]')?.textContent === 'Calls · gateway → orders'
      );
      await page.waitForSelector('[data-testid=lgtmapm-scatter-count]');
      expect(await page.textContent('[data-testid=lgtmapm-details-title]')).toBe('gateway → orders');
      expect(await page.textContent('[data-testid=lgtmapm-details-scatter-note]')).toBe(
        "The scatter shows gateway's calls answered by orders (client spans of gateway)."
      );
      expect((await bars(page)).map((b) => b.calls)).toEqual(values('load-link-calls'));
      // A link has no instances of its own.
      expect(await page.$('[data-testid=lgtmapm-instances], [data-testid=lgtmapm-instances-message]')).toBeNull();

      // The scatter asked Tempo for gateway's client spans whose child is an orders server span, and drew them all.
      const tempo = (await queries(page)).filter((x) => x.uid === 'tempo').map((x) => x.targets[0]!.query);
      expect(tempo).toContain((q['tempo/link-dots'] as { q: string }).q);
      expect(tempo).toContain((q['tempo/link-histogram'] as { q: string }).q);
      expect(await page.textContent('[data-testid=lgtmapm-scatter-count]')).toBe(
        `${LINK_DOTS.length.toLocaleString('en-US')} calls`
      );
      expect(await page.$('[data-testid=lgtmapm-scatter-sampling]')).toBeNull();
      // The Traces button opens the same spans in Explore.
      const href = await page.getAttribute('[data-testid=lgtmapm-link-traces]', 'href');
      expect(JSON.parse(new URL(href!, 'http://x').searchParams.get('panes')!).a.queries[0].query).toBe(
        (q['tempo/link-histogram'] as { q: string }).q.replace(' | histogram_over_time(duration)', '')
      );
      await screenshot(page, `details-link-${theme}`);

      // Back to a node: the scatter leaves the link.
      await clickNode(page, 'orders');
      await page.waitForFunction(
        () => document.querySelector('[data-testid=lgtmapm-scatter-title]')?.textContent === 'Transactions · orders'
      );
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  it('a failing Prometheus gives clear messages in the details, never a crash', async () => {
    const { page, errors } = await openFixture(
      h,
      { fixture: 'details', theme: 'dark', prometheus: 'fail' },
      { width: 1400, height: 800 }
    );
    await clickNode(page, 'orders');
    await page.waitForFunction(() => {
      const els = [
        ...document.querySelectorAll('[data-testid=lgtmapm-load-message], [data-testid=lgtmapm-instances-message]'),
      ];
      return els.length === 2 && els.every((e) => !e.textContent!.startsWith('Loading'));
    });
    const texts = await page.$$eval(
      '[data-testid=lgtmapm-load-message], [data-testid=lgtmapm-instances-message]',
      (els) => els.map((e) => e.textContent)
    );
    expect(texts).toEqual([
      'Load over time unavailable: bad_data: the recording says no (harness failPrometheus)',
      'Instances unavailable: bad_data: the recording says no (harness failPrometheus)',
    ]);
    // The rest of the details still show.
    expect(await page.textContent('[data-testid=lgtmapm-details-stats-calls] td')).not.toBe('');
    await screenshot(page, 'details-prometheus-error-dark');
    expect(errors).toEqual([]);
    await page.close();
  });
});
