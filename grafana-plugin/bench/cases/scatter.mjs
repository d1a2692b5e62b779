// Scatter, selection → list, call tree: timed in Chromium on the harness page `?fixture=scatter-bench`.
// Method as in reference/anchor-pinpoint-render.md: a fresh 800×400 chart per run, data generated before the
// timer, timer from handing the data over to two animation frames later; 1 warm-up + `rounds` timed runs with
// different seeds; medians. The two-frame wait alone (N=0) is measured in the same run as the baseline.
const PINPOINT = { 0: 33.4, 10_000: 66, 100_000: 400, 1_000_000: 3583 };
const TARGETS = { 100_000: 100, 1_000_000: 500 };

export default {
  name: 'scatter',
  description: 'scatter render 10k/100k/1M dots, rectangle selection → list, call tree build + first paint 1k/10k spans',
  async run({ browser, url, rounds, median, log }) {
    const runs = Math.max(5, rounds);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}?fixture=scatter-bench&w=400&h=200`);
    await page.waitForFunction(() => window.__scatterBench !== undefined, null, { timeout: 60_000 });
    const rows = [];

    const baseline = [];
    for (let i = 0; i < runs; i++) {baseline.push(await page.evaluate(() => window.__scatterBench.frames()));}
    const base = median(baseline);

    for (const n of [0, 10_000, 100_000, 1_000_000]) {
      const painted = [];
      const render = [];
      const bin = [];
      const draw = [];
      for (let i = 0; i <= runs; i++) {
        await page.evaluate(([n, seed]) => window.__scatterBench.prepare(n, seed), [n, 1000 + i]);
        const r = await page.evaluate(() => window.__scatterBench.render());
        if (i === 0) {continue;} // warm-up
        painted.push(r.paintedMs);
        render.push(r.renderMs);
        bin.push(r.binMs);
        draw.push(r.drawMs);
      }
      const m = median(painted);
      rows.push({
        step: `render ${n.toLocaleString('en-US')} dots`,
        median_ms: m,
        min_ms: Math.min(...painted),
        max_ms: Math.max(...painted),
        sync_ms: median(render),
        bin_ms: median(bin),
        paint_ms: median(draw),
        two_frame_baseline_ms: base,
        pinpoint_ms: PINPOINT[n] ?? '',
        vs_pinpoint: PINPOINT[n] ? PINPOINT[n] / m : '',
        target_ms: TARGETS[n] ?? '',
      });
      log(`render ${n}: ${m.toFixed(1)} ms`);
    }

    // Selection → list on 100k dots: a rectangle over the slow band (≥ 1 s) across the whole range.
    await page.evaluate(() => window.__scatterBench.prepare(100_000, 7));
    await page.evaluate(() => window.__scatterBench.render());
    const sel = [];
    let selected = 0;
    for (let i = 0; i <= runs; i++) {
      const r = await page.evaluate(() => {
        const plot = { w: 800 - 58 - 12, h: 400 - 24 - 26 };
        return window.__scatterBench.selectToList({ x: 0, y: 0 }, { x: plot.w, y: plot.h * 0.9 });
      });
      if (i === 0) {continue;}
      sel.push(r);
      selected = r.selected;
    }
    rows.push({
      step: `select → list (100k dots, ${selected.toLocaleString('en-US')} selected)`,
      median_ms: median(sel.map((r) => r.toPaintMs)),
      min_ms: Math.min(...sel.map((r) => r.toPaintMs)),
      max_ms: Math.max(...sel.map((r) => r.toPaintMs)),
      sync_ms: median(sel.map((r) => r.selectMs + r.listRenderMs)),
      bin_ms: median(sel.map((r) => r.selectMs)),
      paint_ms: median(sel.map((r) => r.listRenderMs)),
      two_frame_baseline_ms: base,
      pinpoint_ms: '',
      vs_pinpoint: '',
      target_ms: 16,
    });

    for (const n of [1000, 10_000]) {
      const t = [];
      for (let i = 0; i <= runs; i++) {
        const r = await page.evaluate(([n, seed]) => window.__scatterBench.callTree(n, seed), [n, 50 + i]);
        if (i === 0) {continue;}
        t.push(r);
      }
      rows.push({
        step: `call tree ${n.toLocaleString('en-US')} spans: build + first paint`,
        median_ms: median(t.map((r) => r.firstPaintMs)),
        min_ms: Math.min(...t.map((r) => r.firstPaintMs)),
        max_ms: Math.max(...t.map((r) => r.firstPaintMs)),
        sync_ms: median(t.map((r) => r.buildMs + r.renderMs)),
        bin_ms: median(t.map((r) => r.buildMs)),
        paint_ms: median(t.map((r) => r.renderMs)),
        two_frame_baseline_ms: base,
        pinpoint_ms: '',
        vs_pinpoint: '',
        target_ms: n === 10_000 ? 200 : '',
      });
    }
    await page.close();
    if (errors.length) {throw new Error(`page errors during the scatter bench: ${errors.join('; ')}`);}
    return {
      rows,
      notes: [
        'median_ms = data handed over → frame painted (includes the two-frame wait, see two_frame_baseline_ms).',
        'sync_ms = synchronous work; bin_ms/paint_ms = binning/drawing for dots, selection/list render for select, build/render for call trees.',
        'pinpoint_ms = @pinpoint-fe/scatter-chart on this machine kind, measured outside this repository, not in the same run (the project\'s reference notes), with the same method; vs_pinpoint = pinpoint_ms / median_ms.',
      ],
    };
  },
};
