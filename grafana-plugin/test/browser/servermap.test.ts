/**
 * @jest-environment node
 */
import {
  type BrowserHarness,
  canvasPixel,
  clickAt,
  colorDistance,
  describeBrowser,
  drawnScene,
  openFixture,
  parseColor,
  screenshot,
  startBrowserHarness,
} from './harness';
import { linkSpanset, type EndpointKind } from '../../src/traceql';
import { DEFAULT_OPTIONS } from '../../src/types';

jest.setTimeout(300_000);

describeBrowser('server map in Chromium (harness)', () => {
  let h: BrowserHarness;
  beforeAll(async () => {
    h = await startBrowserHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('draws the demo topology with kinds, instance badges and red error links (dark theme)', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'demo', theme: 'dark' });
    const scene = await drawnScene(page);
    await screenshot(page, 'servermap-demo-dark');
    expect(Object.fromEntries(scene.nodes.map((n) => [n.name, n.kind]))).toEqual({
      user: 'user',
      gateway: 'service',
      orders: 'service',
      payments: 'service',
      postgresql: 'database',
      redis: 'cache',
      external: 'external',
    });
    const names = new Map(scene.nodes.map((n) => [n.id, n.name]));
    expect(scene.edges.map((e) => `${names.get(e.source)}->${names.get(e.target)} ${e.label}`).sort()).toEqual([
      'gateway->orders 14k',
      'orders->payments 7.2k',
      'orders->postgresql 14k',
      'orders->redis 22k',
      'payments->external 7.2k',
      'user->gateway 18k',
    ]);
    expect(scene.nodes.find((n) => n.name === 'orders')!.instances).toBe(2);
    // Left-to-right like Pinpoint: user leftmost, terminal nodes rightmost.
    const x = (name: string) => scene.nodes.find((n) => n.name === name)!.screen.x;
    expect(x('user')).toBeLessThan(x('gateway'));
    expect(x('gateway')).toBeLessThan(x('orders'));
    expect(x('orders')).toBeLessThan(x('postgresql'));
    // Every node is inside the canvas (nothing clipped) and no two nodes overlap.
    for (const n of scene.nodes) {
      expect(n.screen.x).toBeGreaterThanOrEqual(0);
      expect(n.screen.x + n.screen.w).toBeLessThanOrEqual(1220);
    }
    for (const a of scene.nodes) {
      for (const b of scene.nodes) {
        if (a !== b) {
          const overlap = a.screen.x < b.screen.x + b.screen.w && b.screen.x < a.screen.x + a.screen.w && a.screen.y < b.screen.y + b.screen.h && b.screen.y < a.screen.y + a.screen.h;
          expect(overlap).toBe(false);
        }
      }
    }
    // Pixel check: a 5 %-error link is drawn in the theme's error colour, a clean one in the edge grey.
    const along = (id: string) => {
      const e = scene.edges.find((ed) => `${names.get(ed.source)}->${names.get(ed.target)}` === id)!;
      const [a, b] = [e.screenPoints[0]!, e.screenPoints[1]!];
      return { x: a.x + (b.x - a.x) * 0.15, y: a.y + (b.y - a.y) * 0.15 };
    };
    const red = parseColor(scene.palette.error);
    const bad = await canvasPixel(page, along('user->gateway').x, along('user->gateway').y);
    expect(colorDistance(bad, red)).toBeLessThan(40);
    const clean = await canvasPixel(page, along('orders->postgresql').x, along('orders->postgresql').y);
    expect(colorDistance(clean, red)).toBeGreaterThan(100);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('click on a node shows its histogram, stats and instances, and puts it in the URL', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'demo', theme: 'dark' });
    const orders = (await drawnScene(page)).nodes.find((n) => n.name === 'orders')!;
    await clickAt(page, { x: orders.screen.x + orders.screen.w / 2, y: orders.screen.y + orders.screen.h / 2 });
    await page.waitForSelector('[data-testid=lgtmapm-details]');
    expect(await page.textContent('[data-testid=lgtmapm-details-title]')).toBe('orders');
    const bar = async (k: string) => Number(await page.getAttribute(`[data-testid=lgtmapm-histogram-${k}]`, 'data-value'));
    // gateway→orders: 8000 + 3400 + 1700 ≤ 1 s, 800 ≤ 3 s, 300 ≤ 5 s, 150 + 50 slower, 720 failed.
    expect([await bar('le1s'), await bar('le3s'), await bar('le5s'), await bar('slow'), await bar('error')]).toEqual([13100, 800, 300, 200, 720]);
    expect(await page.textContent('[data-testid=lgtmapm-details-stats-calls] td')).toBe('14,400');
    // No _sum/_count queries in this fixture: the average is a bucket estimate and says so; percentiles always are.
    expect(await page.textContent('[data-testid=lgtmapm-details-stats-avg] td')).toMatch(/^≈ \d+ ms$/);
    expect(await page.textContent('[data-testid=lgtmapm-details-stats-percentiles] td')).toMatch(/^≈ \d.* \/ \d.* \/ \d.*$/);
    expect(await page.textContent('[data-testid=lgtmapm-details-stats-errors] td')).toBe('720 (5.0%)');
    expect(await page.textContent('[data-testid=lgtmapm-details-instances]')).toContain('2 instances');
    expect(new URL(page.url()).searchParams.get('lgtmapm-service')).toBe('orders');
    await screenshot(page, 'servermap-demo-selected');

    // The selection survives a reload (URL), and the links carry the service.
    await page.reload();
    await page.waitForSelector('[data-testid=lgtmapm-details]');
    expect(await page.textContent('[data-testid=lgtmapm-details-title]')).toBe('orders');
    const hrefs = await page.$$eval('[data-testid=lgtmapm-details] a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.some((u) => u.includes('/d/lgtm-apm-service?var-service=orders'))).toBe(true);
    expect(hrefs.every((u) => !u.includes('orgId=1'))).toBe(true);
    expect(hrefs.some((u) => decodeURIComponent(u).includes('resource.service.name = \\"orders\\"'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('click on a link shows the link statistics', async () => {
    const { page } = await openFixture(h, { fixture: 'demo', theme: 'dark' });
    const scene = await drawnScene(page);
    const names = new Map(scene.nodes.map((n) => [n.id, n.name]));
    const e = scene.edges.find((ed) => names.get(ed.source) === 'payments')!;
    const [a, b] = [e.screenPoints[0]!, e.screenPoints[e.screenPoints.length - 1]!];
    await clickAt(page, { x: a.x + (b.x - a.x) * 0.3, y: a.y + (b.y - a.y) * 0.3 });
    await page.waitForSelector('[data-testid=lgtmapm-details]');
    expect(await page.textContent('[data-testid=lgtmapm-details-title]')).toBe('payments → external');
    expect(await page.textContent('[data-testid=lgtmapm-details-stats-errors] td')).toBe('360 (5.0%)');
    await page.close();
  });

  it('the user → entry service link has a Traces button for the root server spans of that service', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'demo', theme: 'dark' });
    const scene = await drawnScene(page);
    const byId = new Map(scene.nodes.map((n) => [n.id, n]));
    const entry = scene.edges.find((ed) => byId.get(ed.source)!.kind === 'user')!;
    const [user, service] = [byId.get(entry.source)!, byId.get(entry.target)!];
    const [a, b] = [entry.screenPoints[0]!, entry.screenPoints[entry.screenPoints.length - 1]!];
    await clickAt(page, { x: a.x + (b.x - a.x) * 0.3, y: a.y + (b.y - a.y) * 0.3 });
    await page.waitForFunction((want) => document.querySelector('[data-testid=lgtmapm-details-title]')?.textContent === want, `${user.name} → ${service.name}`);
    const button = page.locator('[data-testid=lgtmapm-details]').getByRole('link', { name: 'Traces' });
    expect(await button.isVisible()).toBe(true);
    await screenshot(page, 'servermap-user-link-traces');

    const href = new URL((await button.getAttribute('href'))!, h.url);
    expect(href.pathname).toBe('/explore');
    const pane = JSON.parse(href.searchParams.get('panes')!).a;
    expect(pane.datasource).toBe(DEFAULT_OPTIONS.tempoDatasource);
    const query = pane.queries[0].query as string;
    // Read as a user would: the entry service's server spans that start a trace, nothing of the virtual "user".
    expect(query).toContain(`resource.service.name = "${service.name}"`);
    expect(query).toContain('kind = server');
    expect(query).toContain('nestedSetParent < 0');
    expect(query).not.toContain(`"${user.name}"`);
    // The same spans as the link builder gives for this link of the drawn map (what the link scatter shows).
    const endpoint = (n: typeof user) => ({ name: n.name, kind: n.kind as EndpointKind });
    expect(query).toBe(linkSpanset({ source: endpoint(user), target: endpoint(service) }));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('focus with depth and "services only" filter the drawn nodes', async () => {
    const { page } = await openFixture(h, { fixture: 'demo', theme: 'dark' });
    const payments = (await drawnScene(page)).nodes.find((n) => n.name === 'payments')!;
    await clickAt(page, { x: payments.screen.x + 20, y: payments.screen.y + 20 });
    await page.click('[data-testid=lgtmapm-focus]');
    await page.waitForFunction(() => document.querySelector('[data-testid=lgtmapm-servermap-counts]')?.textContent?.startsWith('3 nodes'));
    expect((await drawnScene(page)).nodes.map((n) => n.name).sort()).toEqual(['external', 'orders', 'payments']);
    // Inbound depth 2 brings gateway in.
    await page.locator('[data-testid=lgtmapm-depth-inbound] input[type=radio]').nth(1).check({ force: true });
    await page.waitForFunction(() => document.querySelector('[data-testid=lgtmapm-servermap-counts]')?.textContent?.startsWith('4 nodes'));
    expect((await drawnScene(page)).nodes.map((n) => n.name).sort()).toEqual(['external', 'gateway', 'orders', 'payments']);
    await screenshot(page, 'servermap-demo-focus');
    await page.click('[data-testid=lgtmapm-clear-focus]');
    await page.click('[data-testid=lgtmapm-hide-terminal]');
    await page.waitForFunction(() => document.querySelector('[data-testid=lgtmapm-servermap-counts]')?.textContent?.startsWith('4 nodes'));
    expect((await drawnScene(page)).nodes.map((n) => n.name).sort()).toEqual(['gateway', 'orders', 'payments', 'user']);
    await page.close();
  });

  it('follows the light theme', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'demo', theme: 'light' });
    const scene = await drawnScene(page);
    await screenshot(page, 'servermap-demo-light');
    const bg = await canvasPixel(page, 30, 120);
    expect(colorDistance(bg, parseColor(scene.palette.background))).toBeLessThan(10);
    expect(bg[0] + bg[1] + bg[2]).toBeGreaterThan(600); // light, not dark
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the same map from Tempo Service Graph frames and from range queries', async () => {
    for (const fixture of ['demo-tempo', 'demo-range']) {
      const { page, errors } = await openFixture(h, { fixture, theme: 'dark' });
      const scene = await drawnScene(page);
      expect(scene.nodes).toHaveLength(7);
      expect(scene.edges).toHaveLength(6);
      expect(errors).toEqual([]);
      await screenshot(page, `servermap-${fixture}`);
      await page.close();
    }
  });

  it('explains bad input instead of failing', async () => {
    const wrong = await openFixture(h, { fixture: 'wrong-labels' });
    expect(await wrong.page.textContent('[data-testid=lgtmapm-servermap-error]')).toMatch(/needs client, server/);
    await screenshot(wrong.page, 'servermap-wrong-labels');
    await wrong.page.close();
    const empty = await openFixture(h, { fixture: 'empty' });
    expect(await empty.page.textContent('[data-testid=lgtmapm-servermap-error]')).toMatch(/No data/);
    await empty.page.close();
  });

  it('hides nodes over the limit with a visible count and shows them on request', async () => {
    const { page } = await openFixture(h, { fixture: 'large', n: '300', options: JSON.stringify({ maxNodes: 100 }) });
    expect((await drawnScene(page)).nodes).toHaveLength(100);
    expect(await page.textContent('[data-testid=lgtmapm-hidden-nodes]')).toMatch(/^200 nodes hidden/);
    await page.click('[data-testid=lgtmapm-hidden-nodes]');
    await page.waitForFunction(() => document.querySelector('[data-testid=lgtmapm-servermap-counts]')?.textContent?.startsWith('300 nodes'));
    expect((await drawnScene(page)).nodes).toHaveLength(300);
    await page.close();
  });

  it('renders 1,000 nodes and 3,000 links on canvas and keeps zoom/pan working', async () => {
    const { page, errors } = await openFixture(h, { fixture: 'large', n: '1000' });
    const before = await drawnScene(page);
    expect(before.nodes).toHaveLength(1000);
    expect(before.edges).toHaveLength(3000);
    await screenshot(page, 'servermap-1000');
    await page.mouse.move(600, 400);
    await page.mouse.wheel(0, -1200);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=lgtmapm-servermap-canvas]')?.getAttribute('data-frames')) > n, before.frames);
    const after = await drawnScene(page);
    expect(after.scale).toBeGreaterThan(before.scale * 2);
    await screenshot(page, 'servermap-1000-zoomed');
    expect(errors).toEqual([]);
    await page.close();
  });
});
