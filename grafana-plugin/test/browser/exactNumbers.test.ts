/**
 * @jest-environment node
 */
import type { Page } from 'playwright-core';
import { demoTopology, type Topology, type TopologyEdge, withScaledNumbers } from '../fixtures/serviceGraph';
import { demoOnTempoDefaultBuckets } from '../fixtures/tempoDefaultBuckets';
import {
  type BrowserHarness,
  clickAt,
  describeBrowser,
  detailsCrowding,
  drawnScene,
  drawnTexts,
  openFixture,
  screenshot,
  startBrowserHarness,
} from './harness';

jest.setTimeout(300_000);

/** A duration as the panel prints it ("350 ms", "≈ 2.0 ms", "1.25 s"): its value in ms and whether it has "≈". */
function shownDuration(text: string): { ms: number; approx: boolean } {
  const m = /^(≈ )?(\d+(?:\.\d+)?) (ms|s)$/.exec(text.trim());
  if (!m) {
    throw new Error(`not a duration as the panel prints one: "${text}"`);
  }
  return { ms: Number(m[2]) * (m[3] === 's' ? 1000 : 1), approx: m[1] !== undefined };
}

/** Half the last printed digit of a duration of this size: how far a correct printed value can be from the truth. */
function printedPrecisionMs(ms: number): number {
  return (ms >= 10_000 ? 100 : ms >= 1000 ? 10 : ms >= 10 ? 1 : 0.1) / 2 + 1e-9;
}

/** A compact count as drawn on the map ("14k", "7.2k", "950") in calls. */
function shownCount(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(k|M)?$/.exec(text.trim());
  if (!m) {
    throw new Error(`not a count as the map draws one: "${text}"`);
  }
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

const callsOf = (e: TopologyEdge) => e.buckets[e.buckets.length - 1]![1];

/** The true average of the calls into the given links: total time ÷ calls, from the `_sum` / `_count` series. */
function trueAverageMs(edges: TopologyEdge[]): number {
  return (edges.reduce((s, e) => s + e.sumSeconds!, 0) / edges.reduce((s, e) => s + callsOf(e), 0)) * 1000;
}

/** What can be told from buckets alone: every call at its bucket's midpoint (the +Inf bucket at its lower bound). */
function bucketMidpointMs(edges: TopologyEdge[]): number {
  let seconds = 0;
  let calls = 0;
  for (const e of edges) {
    let prev: [number, number] = [0, 0];
    for (const [le, count] of e.buckets) {
      seconds += (count - prev[1]) * (Number.isFinite(le) ? (prev[0] + le) / 2 : prev[0]);
      prev = [Number.isFinite(le) ? le : prev[0], count];
    }
    calls += callsOf(e);
  }
  return (seconds / calls) * 1000;
}

/** Cumulative count at a bound the histogram has. */
const countAtBound = (e: TopologyEdge, le: number) => e.buckets.find(([b]) => b === le)![1];

interface ShownNumbers {
  /** Link "caller->callee" → its drawn label ("14k · 350 ms"). */
  links: Map<string, string>;
  /** Node name → its drawn numbers ("14k · 350 ms · 5.0%"). */
  nodes: Map<string, string>;
}

/** The numbers the map canvas drew under nodes and on links, by name (text the canvas really drew). */
async function shownOnMap(page: Page): Promise<ShownNumbers> {
  const scene = await drawnScene(page);
  const texts = await drawnTexts(page);
  const names = new Map(scene.nodes.map((n) => [n.id, n.name]));
  const edgeNames = new Map(scene.edges.map((e) => [e.id, `${names.get(e.source)}->${names.get(e.target)}`]));
  return {
    links: new Map(texts.filter((t) => t.role === 'edge').map((t) => [edgeNames.get(t.id)!, t.text])),
    nodes: new Map(texts.filter((t) => t.role === 'sub').map((t) => [names.get(t.id)!, t.text])),
  };
}

/** Hovers a node and returns the tooltip's text. */
async function tooltipOf(page: Page, name: string): Promise<string> {
  const n = (await drawnScene(page)).nodes.find((x) => x.name === name)!;
  await page.mouse.move(n.screen.x + n.screen.w / 2, n.screen.y + n.screen.h / 2);
  const tip = await page.waitForSelector('[data-testid=lgtmapm-tooltip]');
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=lgtmapm-tooltip]')?.textContent?.includes(want),
    name
  );
  return (await tip.textContent()) ?? '';
}

/** Clicks a node and waits for its details. */
async function openDetails(page: Page, name: string): Promise<void> {
  const n = (await drawnScene(page)).nodes.find((x) => x.name === name)!;
  await clickAt(page, { x: n.screen.x + n.screen.w / 2, y: n.screen.y + n.screen.h / 2 });
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=lgtmapm-details-title]')?.textContent === want,
    name
  );
}

const cell = async (page: Page, row: string) =>
  ((await page.textContent(`[data-testid=lgtmapm-details-stats-${row}] td`)) ?? '').trim();
/** A Pinpoint bar: the count it prints (its title, "≤ 1s: ≈ 9,876", in either bar layout) and its value. */
const bar = async (page: Page, key: string) => ({
  text: ((await page.getAttribute(`[data-testid=lgtmapm-histogram-${key}]`, 'title')) ?? '').replace(/^[^:]*: /, ''),
  value: Number(await page.getAttribute(`[data-testid=lgtmapm-histogram-${key}]`, 'data-value')),
});

/** Every link of the topology with the map's name for it, and the links into each node. */
function byName(t: Topology) {
  const links = new Map(t.edges.map((e) => [`${e.client}->${e.server}`, e]));
  const into = (name: string) => t.edges.filter((e) => e.server === name);
  return { links, into };
}

/**
 * Issue 15, "Exact numbers, shown honestly", as a user reads them in Chromium: with the service graph's `_sum` and
 * `_count` queries every average is exact and has no "≈"; with buckets only every average, percentile and
 * interpolated bar count has "≈". Expected values come from the fixture's topology (true sums, or the bucket
 * midpoints a bucket-only estimate can give), not from the panel's code.
 */
describeBrowser('exact averages and "≈" estimates in Chromium (harness)', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('with the _sum / _count queries (refIds A–F) the map, tooltip and details show exact averages, no "≈"', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'demo-exact', theme: 'dark' });
    const topology = byName(demoTopology());
    const shown = await shownOnMap(page);
    await screenshot(page, 'exact-averages-map');

    // Every link's drawn label: its calls and its exact average (sum ÷ count), without "≈".
    expect([...shown.links.keys()].sort()).toEqual([...topology.links.keys()].sort());
    for (const [link, label] of shown.links) {
      const e = topology.links.get(link)!;
      const [calls, avg] = label.split(' · ');
      expect([link, Math.abs(shownCount(calls!) - callsOf(e)) <= callsOf(e) * 0.05]).toEqual([link, true]);
      const d = shownDuration(avg!);
      expect([link, d.approx]).toEqual([link, false]);
      expect([link, Math.abs(d.ms - trueAverageMs([e])) <= printedPrecisionMs(d.ms)]).toEqual([link, true]);
    }
    // Every called node's drawn numbers: its inbound average, exact.
    for (const [name, sub] of shown.nodes) {
      if (name === 'user') {
        expect(sub).not.toContain('ms');
        continue;
      }
      const d = shownDuration(sub.split(' · ')[1]!);
      expect([name, d.approx, Math.abs(d.ms - trueAverageMs(topology.into(name))) <= printedPrecisionMs(d.ms)]).toEqual(
        [name, false, true]
      );
    }
    expect(shown.nodes.size).toBe(7);

    // The tooltip: exact calls and the exact average; p95 is interpolated inside buckets and keeps its "≈".
    const tip = await tooltipOf(page, 'orders');
    const ordersAvg = trueAverageMs(topology.into('orders'));
    expect(tip).toContain(`${callsOf(topology.links.get('gateway->orders')!).toLocaleString('en-US')} calls`);
    const tipAvg = /avg ([^·]+?) ·/.exec(tip)![1]!;
    expect(shownDuration(tipAvg).approx).toBe(false);
    expect(Math.abs(shownDuration(tipAvg).ms - ordersAvg)).toBeLessThanOrEqual(printedPrecisionMs(ordersAvg));
    expect(tip).toMatch(/p95 ≈ /);

    // The details: the exact average, exact counts, and bars read straight off the 1 s / 3 s / 5 s bounds.
    await openDetails(page, 'orders');
    const avg = shownDuration(await cell(page, 'avg'));
    expect(avg.approx).toBe(false);
    expect(Math.abs(avg.ms - ordersAvg)).toBeLessThanOrEqual(printedPrecisionMs(ordersAvg));
    expect(await cell(page, 'calls')).toBe(callsOf(topology.links.get('gateway->orders')!).toLocaleString('en-US'));
    const into = topology.links.get('gateway->orders')!;
    const le1s = await bar(page, 'le1s');
    expect(le1s).toEqual({ text: countAtBound(into, 1).toLocaleString('en-US'), value: countAtBound(into, 1) });
    for (const key of ['le3s', 'le5s', 'slow', 'error']) {
      expect([key, (await bar(page, key)).text]).toEqual([key, expect.not.stringContaining('≈')]);
    }
    expect(await page.textContent('[data-testid=lgtmapm-details]')).not.toContain('Approximate');
    await screenshot(page, 'exact-averages-details');
    // Every number readable where it is printed: none runs into a neighbour or out of its box.
    expect(await detailsCrowding(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('with buckets only (Tempo\'s default bounds) every average and interpolated count on the map and in the details has "≈"', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'demo-buckets', theme: 'dark' });
    const topology = byName(demoOnTempoDefaultBuckets());
    const truth = byName(demoTopology());
    const shown = await shownOnMap(page);
    await screenshot(page, 'bucket-estimates-map');

    // Every link's drawn average: "≈" and the bucket-midpoint estimate (which is not the true average).
    expect([...shown.links.keys()].sort()).toEqual([...topology.links.keys()].sort());
    for (const [link, label] of shown.links) {
      const d = shownDuration(label.split(' · ')[1]!);
      const estimate = bucketMidpointMs([topology.links.get(link)!]);
      expect([link, d.approx, Math.abs(d.ms - estimate) <= printedPrecisionMs(d.ms)]).toEqual([link, true, true]);
      expect([link, Math.abs(d.ms - trueAverageMs([truth.links.get(link)!])) > printedPrecisionMs(d.ms)]).toEqual([
        link,
        true,
      ]);
    }
    for (const [name, sub] of shown.nodes) {
      if (name !== 'user') {
        const d = shownDuration(sub.split(' · ')[1]!);
        expect([
          name,
          d.approx,
          Math.abs(d.ms - bucketMidpointMs(topology.into(name))) <= printedPrecisionMs(d.ms),
        ]).toEqual([name, true, true]);
      }
    }
    expect(shown.nodes.size).toBe(7);

    const tip = await tooltipOf(page, 'orders');
    expect(/avg ([^·]+?) ·/.exec(tip)![1]).toMatch(/^≈ /);
    // Each figure stays on one line with its name: the tooltip once broke "avg ≈" from "506 ms".
    const figureLines = await page.$$eval('[data-testid=lgtmapm-tooltip] div span', (spans) =>
      spans.map((span) => ({
        text: span.textContent,
        lines: new Set([...span.getClientRects()].map((r) => Math.round(r.top))).size,
      }))
    );
    expect(figureLines.map((f) => f.text)).toEqual(expect.arrayContaining([expect.stringMatching(/^avg ≈ /)]));
    expect(figureLines.filter((f) => f.lines !== 1)).toEqual([]);

    // The details: estimated average and Apdex (1 s and 4 s are no bounds), and Pinpoint's bars interpolated
    // between the bounds around 1 s, 3 s and 5 s, each marked "≈"; calls and errors are counted, so exact.
    await openDetails(page, 'orders');
    const into = topology.links.get('gateway->orders')!;
    expect(shownDuration(await cell(page, 'avg')).approx).toBe(true);
    expect(await cell(page, 'apdex')).toMatch(/^≈ 0\.\d\d$/);
    expect(await cell(page, 'calls')).toBe(callsOf(into).toLocaleString('en-US'));
    const le1s = await bar(page, 'le1s');
    expect(le1s.text).toBe(`≈ ${le1s.value.toLocaleString('en-US')}`);
    expect(le1s.value).toBeGreaterThan(countAtBound(into, 0.8));
    expect(le1s.value).toBeLessThan(countAtBound(into, 1.6));
    for (const key of ['le3s', 'le5s', 'slow']) {
      expect([key, (await bar(page, key)).text]).toEqual([key, expect.stringMatching(/^≈ \d/)]);
    }
    expect(await bar(page, 'error')).toEqual({ text: into.errors.toLocaleString('en-US'), value: into.errors });
    expect(await page.textContent('[data-testid=lgtmapm-details]')).toContain(
      'Approximate: the latency buckets do not include 1 s, 3 s and 5 s bounds.'
    );
    await screenshot(page, 'bucket-estimates-details');
    // Every number readable where it is printed: none runs into a neighbour or out of its box.
    expect(await detailsCrowding(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  // Pinpoint's bars print counts like "≈ 1,234,567": on the details sheet of a narrow panel (the map beside the
  // scatter) they must stay whole, on one line, inside their column.
  for (const [w, hgt] of [
    [900, 500],
    [1400, 800],
  ] as const) {
    it(`${w}×${hgt}: estimated counts of 6 and 7 digits stay readable on the details sheet`, async () => {
      const scale = 997;
      const { page, errors } = await openFixture(
        h,
        { fixture: 'demo-buckets', theme: 'light', layout: 'both', scale: String(scale) },
        { width: w, height: hgt }
      );
      await openDetails(page, 'orders');
      const into = withScaledNumbers(demoOnTempoDefaultBuckets(), scale).edges.find(
        (e) => e.client === 'gateway' && e.server === 'orders'
      )!;
      expect(await cell(page, 'calls')).toBe(into.calls.toLocaleString('en-US'));
      const le1s = await bar(page, 'le1s');
      expect(le1s.value).toBeGreaterThanOrEqual(100_000);
      expect(le1s.text).toBe(`≈ ${le1s.value.toLocaleString('en-US')}`);
      // What the bar prints, not only its title: the whole count, on one line.
      const printed = await page.$eval('[data-testid=lgtmapm-histogram-le1s] [data-testid=lgtmapm-histogram-count]', (span) => ({
        text: span.textContent,
        lines: new Set([...span.getClientRects()].map((r) => Math.round(r.top))).size,
      }));
      expect(printed).toEqual({ text: le1s.text, lines: 1 });
      // Too wide for five columns on either sheet: one row per bar.
      expect(await page.getAttribute('[data-testid=lgtmapm-histogram]', 'data-layout')).toBe('rows');
      await screenshot(page, `bucket-estimates-details-large-${w}x${hgt}`);
      expect(await detailsCrowding(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
