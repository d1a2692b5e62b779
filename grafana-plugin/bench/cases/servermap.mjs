// Server map: model build + layout + first canvas paint in Chromium for 50 / 200 / 1,000 nodes (×3 links),
// cold (fresh page, as on dashboard load) and warm (re-render in the same page), a dashboard refresh (same
// topology, new frames: the layout is reused), then pan/zoom frame cost. Same-run baselines on the same graphs
// in the same Chromium (harness/fixtures/layout-bench.ts): the panel's layout (d3-dag, src/servermap/layout/layout.ts),
// the ELK settings it used before, and the engine Pinpoint uses (dagre, via @dagrejs/dagre).
const SIZES = [50, 200, 1000];
// dagre needs about a minute at 1,000 nodes on these machines (and Pinpoint's own map 8.9 s with
// cytoscape-dagre, reference/anchor-pinpoint-render.md); the baseline stops at 200 to keep the bench short.
const DAGRE_MAX = 200;

/**
 * Waits for the harness's own paint watcher (harness/main.tsx watchPaint), started in the same task as the
 * render it times: firstPaint = render → two animation frames after the first canvas draw. (Until 2026-11-25 the
 * watcher was installed by this function's own page.evaluate, so when it arrived after the draw, which the
 * Playwright round trip after a remount makes likely, its two frames started late and the driver's latency was
 * counted as paint time.)
 */
async function measurePaint(page) {
  await page.waitForFunction(() => window.__harness?.painted !== undefined, undefined, { timeout: 300_000 });
  const t = await page.evaluate(() => window.__harness.painted);
  return { firstPaintMs: t.paintMs, firstFrameMs: t.frameMs, modelMs: t.timings?.modelMs, layoutMs: t.timings?.layoutMs, nodes: t.nodes, edges: t.edges };
}

/** Remount (new frames, nothing reused) and time it; remount and watcher start in one page task. */
async function measureWarm(page) {
  await page.evaluate(() => window.__harness.remount());
  return measurePaint(page);
}

/** Refresh (same topology, new frames): render → two frames after the canvas drew the refreshed scene. */
async function measureRefresh(page) {
  await page.evaluate(() => window.__harness.refresh());
  const t = await measurePaint(page);
  return { paintMs: t.firstPaintMs, modelMs: t.modelMs };
}

async function panZoom(page, steps) {
  return page.evaluate(async (n) => {
    const c = document.querySelector('[data-testid=lgtmapm-servermap-canvas]');
    const r = c.getBoundingClientRect();
    const frame = () => new Promise((res) => requestAnimationFrame(() => res()));
    const draws = [];
    const intervals = [];
    let last = performance.now();
    for (let i = 0; i < n; i++) {
      const x = r.left + r.width / 2;
      const y = r.top + r.height / 2;
      if (i % 2 === 0) {
        c.dispatchEvent(new WheelEvent('wheel', { deltaY: i % 4 === 0 ? -240 : 200, clientX: x, clientY: y, bubbles: true, cancelable: true }));
      } else {
        c.dispatchEvent(new PointerEvent('pointerdown', { clientX: x, clientY: y, pointerId: 1, bubbles: true }));
        c.dispatchEvent(new PointerEvent('pointermove', { clientX: x + 40, clientY: y + 25, pointerId: 1, bubbles: true }));
        c.dispatchEvent(new PointerEvent('pointerup', { clientX: x + 40, clientY: y + 25, pointerId: 1, bubbles: true }));
      }
      await frame();
      await frame();
      const now = performance.now();
      intervals.push((now - last) / 2);
      last = now;
      draws.push(c.__lgtmapm.lastFrameMs);
    }
    return { draws, intervals, drawnNodes: c.__lgtmapm.drawnNodes };
  }, steps);
}

async function layoutBaseline(browser, url, n, rounds) {
  const page = await browser.newPage();
  await page.goto(`${url}?fixture=layout-bench`, { waitUntil: 'commit', timeout: 300_000 });
  await page.waitForFunction(() => window.__layoutBench !== undefined, undefined, { timeout: 300_000 });
  const out = [];
  // One warm-up each so every engine is measured JIT-compiled, like Pinpoint's anchor (1 warm-up + runs).
  await page.evaluate((k) => window.__layoutBench.panel(k, 99), n);
  await page.evaluate((k) => window.__layoutBench.dag(k, 99), n);
  await page.evaluate((k) => window.__layoutBench.elk(k, 99), n);
  if (n <= DAGRE_MAX) {await page.evaluate((k) => window.__layoutBench.dagre(k, 99), n);}
  for (let r = 0; r < rounds; r++) {
    const panelMs = await page.evaluate(([k, s]) => window.__layoutBench.panel(k, s), [n, r + 1]);
    const dagMs = await page.evaluate(([k, s]) => window.__layoutBench.dag(k, s), [n, r + 1]);
    const elkMs = await page.evaluate(([k, s]) => window.__layoutBench.elk(k, s), [n, r + 1]);
    const dagreMs = n <= DAGRE_MAX ? await page.evaluate(([k, s]) => window.__layoutBench.dagre(k, s), [n, r + 1]) : Number.NaN;
    out.push({ panelMs, dagMs, elkMs, dagreMs });
  }
  await page.close();
  return out;
}

export default {
  name: 'servermap',
  description: 'server map: model + layout + first paint (ms from render to 2 frames after first draw), refresh, pan/zoom frame cost',
  async run({ browser, url, rounds, median, percentile, log }) {
    const rows = [];
    for (const n of SIZES) {
      const cold = [];
      const warm = [];
      const refresh = [];
      let pz;
      for (let r = 0; r < rounds; r++) {
        const page = await browser.newPage({ viewport: { width: 1220, height: 720 } });
        await page.goto(`${url}?fixture=large&n=${n}&seed=${r + 1}&w=1200&h=700&benchPaint=1`, { waitUntil: 'commit', timeout: 300_000 });
        cold.push(await measurePaint(page));
        if (r === rounds - 1) {
          for (let k = 0; k < rounds; k++) {
            warm.push(await measureWarm(page));
          }
          for (let k = 0; k < rounds; k++) {
            refresh.push(await measureRefresh(page));
          }
          pz = await panZoom(page, 40);
        }
        await page.close();
      }
      // Dashboard-like cold start: the panel mounts, the queries take 500 ms, then the data arrives; the panel
      // uses the wait to load and warm up ELK. Timed from data arrival.
      const afterQuery = [];
      for (let r = 0; r < rounds; r++) {
        const page = await browser.newPage({ viewport: { width: 1220, height: 720 } });
        await page.goto(`${url}?fixture=large&n=${n}&seed=${r + 1}&w=1200&h=700&queryDelayMs=500&benchPaint=1`, { waitUntil: 'commit', timeout: 300_000 });
        await page.waitForFunction(() => window.__harness && window.__harness.renderStart > 0, undefined, { timeout: 300_000 });
        afterQuery.push(await measurePaint(page));
        await page.close();
      }
      // The shipped dashboards ask for table format (one frame per query, dashboards/src/apm-panel.ts); the rows
      // above use one frame per series, what a time-series-format query returns.
      const tablePage = await browser.newPage({ viewport: { width: 1220, height: 720 } });
      await tablePage.goto(`${url}?fixture=large&n=${n}&seed=${rounds}&w=1200&h=700&benchPaint=1&format=table`, { waitUntil: 'commit', timeout: 300_000 });
      const tableCold = await measurePaint(tablePage);
      const tableWarm = [];
      for (let k = 0; k < rounds; k++) {
        tableWarm.push(await measureWarm(tablePage));
      }
      await tablePage.close();
      const base = await layoutBaseline(browser, url, n, rounds);
      const m = (list, k) => median(list.map((x) => x[k]));
      const row = {
        nodes: n,
        links: cold[0].edges,
        cold_firstPaint: m(cold, 'firstPaintMs'),
        cold_model: m(cold, 'modelMs'),
        cold_layout: m(cold, 'layoutMs'),
        query500_firstPaint: m(afterQuery, 'firstPaintMs'),
        query500_layout: m(afterQuery, 'layoutMs'),
        warm_firstPaint: m(warm, 'firstPaintMs'),
        warm_drawn: m(warm, 'firstFrameMs'),
        warm_model: m(warm, 'modelMs'),
        warm_layout: m(warm, 'layoutMs'),
        table_cold_firstPaint: tableCold.firstPaintMs,
        table_warm_firstPaint: m(tableWarm, 'firstPaintMs'),
        table_warm_model: m(tableWarm, 'modelMs'),
        refresh_paint: m(refresh, 'paintMs'),
        refresh_model: m(refresh, 'modelMs'),
        panzoom_draw_p50: median(pz.draws),
        panzoom_draw_p95: percentile(pz.draws, 0.95),
        panzoom_frame_p50: median(pz.intervals),
        panel_layout: m(base, 'panelMs'),
        dag_layout: m(base, 'dagMs'),
        elk_layout: m(base, 'elkMs'),
        dagre_layout: m(base, 'dagreMs'),
        dag_over_panel: m(base, 'dagMs') / m(base, 'panelMs'),
        elk_over_dag: m(base, 'elkMs') / m(base, 'dagMs'),
        dagre_over_dag: m(base, 'dagreMs') / m(base, 'dagMs'),
        pinpoint_anchor_firstPaint: { 50: 305, 200: 707, 1000: 8891 }[n],
      };
      log(`nodes ${n}: cold ${row.cold_firstPaint.toFixed(0)} ms, warm ${row.warm_firstPaint.toFixed(0)} ms, table-format warm ${row.table_warm_firstPaint.toFixed(0)} ms, refresh ${row.refresh_paint.toFixed(0)} ms, pan/zoom draw p95 ${row.panzoom_draw_p95.toFixed(1)} ms`);
      rows.push(row);
    }
    return {
      rows,
      notes: [
        'all times ms, medians over rounds; cold = fresh page with the data present at mount (layout engine not yet JIT-compiled), warm = unmount and mount again in the same page (new frames, model and layout recomputed: no cache survives the unmount)',
        'query500 = fresh page where the data arrives 500 ms after the panel mounted, as in Grafana; timed from data arrival (the panel warms the layout engine up meanwhile)',
        'table_* = the same topology as table-format answers (one frame per query: Time, one column per label, "Value #refId"), which the shipped dashboards request; the other columns get one frame per series (time-series format); table_cold is one fresh page; table_* use the same generated graph as the warm column (the seed of the last round)',
        'refresh = new frames for the same topology in the mounted panel (a dashboard refresh): model rebuilt, layout positions reused; not a first paint',
        'firstPaint = from React render to two animation frames after the first canvas draw (same end point as the Pinpoint anchor); warm_drawn = from render to the end of that draw (the rest is the browser committing and compositing the canvas)',
        'panzoom_draw = canvas drawScene cost per frame during wheel-zoom and drag; panzoom_frame = rAF interval',
        `panel_layout / dag_layout / elk_layout / dagre_layout: the layout alone, warm, in the same Chromium on the same graphs: the panel's d3-dag 1.2.2 Sugiyama layout (src/servermap/layout/layout.ts; dag_layout is the same call again, kept so older result files compare), ELK with the settings the panel used before d3-dag, dagre as Pinpoint's map uses it; dagre skipped above ${DAGRE_MAX} nodes (about a minute at 1,000)`,
        'pinpoint_anchor_firstPaint: Pinpoint server-map (cytoscape + dagre) first paint, measured outside this repository, not in the same run (the project\'s reference notes), same machine kind, adjacent-layer graphs',
      ],
    };
  },
};
