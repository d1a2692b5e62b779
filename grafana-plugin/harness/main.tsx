import React from 'react';
import { createRoot } from 'react-dom/client';
import { flushSync } from 'react-dom';
import {
  createTheme,
  type DataQueryRequest,
  dateTime,
  EventBusSrv,
  LoadingState,
  type PanelProps,
  type TimeRange,
  toUtc,
} from '@grafana/data';
import { GlobalStyles, ThemeContext } from '@grafana/ui';
import { ApmPanel } from '../src/components/ApmPanel';
import { clearLayoutCache } from '../src/servermap/layout/layout';
import { clearQueryCache } from '../src/components/compare/useCachedQuery';
import { layoutWorkerStats } from '../src/servermap/layout/layoutClient';
import { modelWorkerStats } from '../src/servermap/layout/modelClient';
import { type CanvasDebug } from '../src/servermap/ServerMapCanvas';
import { plugin } from '../src/module';
import { type ApmPanelOptions, DEFAULT_OPTIONS } from '../src/types';
import { installDefaultDataSources } from './defaultDataSources';
import { type HarnessFixture } from './types';

// Keeps the real plugin wiring (module.ts) in the bundle and checked at runtime.
void plugin;

const FIXTURE_END = Date.UTC(2026, 10, 25, 12, 0, 0);

interface PaintTiming {
  /** From render to two animation frames after the map canvas drew (the bench's firstPaint end point). */
  paintMs: number;
  /** From render to the end of that draw. */
  frameMs: number;
  timings?: Record<string, number>;
  /** The frame drew a compared map (links carry compare marks). */
  marked: boolean;
  nodes: number;
  edges: number;
  /**
   * From the map worker's reply to the end of the draw (wall time: an upper bound of the main thread's work on
   * the reply), when this render's model came from the worker; else undefined.
   */
  replyToDrawnMs?: number;
}

/**
 * Bench hook, started in the same task as the render it times, so the end point is "two animation frames after
 * the canvas drew" whatever the driver (Playwright) is doing: a watcher installed later by a separate
 * page.evaluate would start its two frames only when it arrives, adding the driver's round trip.
 * `since` = the render's start; `key` = which debug time marks the draw (first frame of a new canvas, or the
 * latest frame after a refresh).
 */
function watchPaint(since: number, key: 'firstFrameAt' | 'lastFrameAt'): Promise<PaintTiming> {
  return new Promise((resolve) => {
    const check = () => {
      const canvas = document.querySelector('[data-testid=lgtmapm-servermap-canvas]') as
        | (HTMLCanvasElement & { __lgtmapm?: CanvasDebug })
        | null;
      const d = canvas?.__lgtmapm;
      if (d && d[key] >= since) {
        requestAnimationFrame(() =>
          requestAnimationFrame(() =>
            resolve({
              paintMs: performance.now() - since,
              frameMs: d[key] - since,
              timings: d.timings,
              marked: d.scene.edges.some((e) => e.mark !== undefined),
              nodes: d.scene.nodes.length,
              edges: d.scene.edges.length,
              replyToDrawnMs:
                modelWorkerStats.last.replyAt >= since ? d[key] - modelWorkerStats.last.replyAt : undefined,
            }),
          ),
        );
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  });
}

/**
 * Bench hook (`&benchPaint=1`): every main-thread task over 50 ms (the Long Tasks API), from page start, so the
 * bench can say whether any task while the map was built and laid out blocked the page.
 */
const longTasks: Array<{ start: number; duration: number }> = [];
if (new URLSearchParams(window.location.search).has('benchPaint') && typeof PerformanceObserver !== 'undefined') {
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        longTasks.push({ start: e.startTime, duration: e.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No Long Tasks API: the bench reports the column as missing.
  }
}

async function main() {
  const params = new URLSearchParams(window.location.search);
  // `&noWorker=1`: the layout worker cannot start (as under a CSP without worker-src), the main-thread fallback runs.
  (globalThis as { __harnessBreakWorker?: boolean }).__harnessBreakWorker = params.has('noWorker');
  const name = params.get('fixture') ?? 'demo';
  const mode = params.get('theme') === 'light' ? 'light' : 'dark';
  const width = Number(params.get('w') ?? 1200);
  const height = Number(params.get('h') ?? 700);
  const theme = createTheme({ colors: { mode } });
  document.body.style.background = theme.colors.background.canvas;
  document.body.style.color = theme.colors.text.primary;
  document.body.style.fontFamily = theme.typography.fontFamily;

  let fixture: HarnessFixture;
  try {
    fixture = (await import(`./fixtures/${name}.ts`)).default as HarnessFixture;
  } catch (err) {
    document.body.textContent = `harness: unknown fixture "${name}" (${String(err)})`;
    document.body.dataset.ready = 'error';
    return;
  }
  const range = fixture.timeRange ?? { from: FIXTURE_END - 3600_000, to: FIXTURE_END };
  const extra = params.get('options');
  const extraOptions = extra ? (JSON.parse(extra) as Partial<ApmPanelOptions>) : {};
  // `&noDataSources=1`: no data source service at all, as on a page outside Grafana (the panel's own message).
  if (!params.has('noDataSources')) {
    installDefaultDataSources({
      fixture: name,
      topology: fixture.topology,
      range,
      prometheusUids: [
        'mimir',
        ...(fixture.targets ?? []).flatMap((t) => (t.datasource && t.datasource.type !== 'tempo' ? [t.datasource.uid] : [])),
      ],
      tempoUid: extraOptions.tempoDatasource ?? fixture.options?.tempoDatasource ?? DEFAULT_OPTIONS.tempoDatasource,
    });
  }
  // A fixture with fakes of its own (scatter, details, compare) replaces the defaults here.
  await fixture.setup?.(params);
  const timeRange: TimeRange = {
    from: toUtc(range.from),
    to: toUtc(range.to),
    raw: { from: dateTime(range.from), to: dateTime(range.to) },
  };
  const options: ApmPanelOptions = {
    ...DEFAULT_OPTIONS,
    ...fixture.options,
    ...(params.get('layout') ? { layout: params.get('layout') as ApmPanelOptions['layout'] } : {}),
    ...extraOptions,
  };
  const t0 = performance.now();
  const series = fixture.series();
  const seriesMs = performance.now() - t0;
  // As Grafana hands it to a panel: the request that produced the data, when the fixture has queries.
  const request = fixture.targets
    ? ({
        requestId: 'harness-1',
        targets: fixture.targets,
        range: timeRange,
        interval: '15s',
        intervalMs: 15_000,
        timezone: 'utc',
        app: 'dashboard',
        scopedVars: {},
        startTime: range.from,
      } as unknown as DataQueryRequest)
    : undefined;
  const props: PanelProps<ApmPanelOptions> = {
    id: 1,
    data: { state: LoadingState.Done, series, timeRange, request },
    timeRange,
    timeZone: 'utc',
    options,
    transparent: false,
    width,
    height,
    fieldConfig: { defaults: {}, overrides: [] },
    renderCounter: 0,
    title: fixture.title,
    eventBus: new EventBusSrv(),
    onOptionsChange: () => {},
    onFieldConfigChange: () => {},
    replaceVariables: (s: string) => s,
    onChangeTimeRange: () => {},
  };
  const container = document.getElementById('root')!;
  let root = createRoot(container);
  const harness = {
    fixture: name,
    seriesMs,
    frames: series.length,
    renderStart: 0,
    /** Layouts run in the worker, fallbacks to the main thread, cancels (tests). */
    layoutWorkerStats,
    /** Model builds run in the map worker (tests, bench). */
    modelWorkerStats,
    /** Main-thread tasks over 50 ms since the page started (bench). */
    longTasks,
    /** Timing of the latest render started through the harness (see watchPaint). */
    painted: undefined as Promise<PaintTiming> | undefined,
    /** Bench hook: unmount and render again with freshly generated frames (warm JIT, new data objects). */
    remount(optionsPatch?: Partial<ApmPanelOptions>) {
      // "Warm" in the bench means a full layout with a warm JIT: the page-wide layout cache would skip it.
      clearLayoutCache();
      if (optionsPatch) {
        props.options = { ...props.options, ...optionsPatch };
      }
      root.unmount();
      root = createRoot(container);
      renderFresh('firstFrameAt');
    },
    /** Bench hook: forget compare baselines fetched so far (a baseline that still has to be queried). */
    clearCompareCache() {
      clearQueryCache();
    },
    /** Bench hook: render again in the same root with freshly generated frames (a dashboard refresh). */
    refresh() {
      renderFresh('lastFrameAt');
    },
  };
  // Frames are generated before the clock starts: the bench times the panel, not the fixture.
  const renderFresh = (drawn: 'firstFrameAt' | 'lastFrameAt') => {
    const fresh = fixture.series();
    harness.renderStart = performance.now();
    root.render(
      <ThemeContext.Provider value={theme}>
        <ApmPanel {...props} data={{ ...props.data, series: fresh }} />
      </ThemeContext.Provider>,
    );
    harness.painted = watchPaint(harness.renderStart, drawn);
  };
  (window as unknown as { __harness: typeof harness }).__harness = harness;
  // Grafana's global CSS lives outside the panel (as in Grafana, where it is there before any panel mounts).
  const globals = document.createElement('div');
  document.body.appendChild(globals);
  // Rendered now, before the clock starts (a root renders in a later task by default, and the bench then counted
  // Grafana's global CSS, ~100 ms of emotion work in a cold page, as the panel's first render).
  const globalsRoot = createRoot(globals);
  flushSync(() =>
    globalsRoot.render(
      <ThemeContext.Provider value={theme}>
        <GlobalStyles />
      </ThemeContext.Provider>,
    ),
  );
  const delay = Number(params.get('queryDelayMs') ?? 0);
  if (delay > 0) {
    // As in Grafana: the panel mounts while its queries run, and the data arrives later.
    root.render(
      <ThemeContext.Provider value={theme}>
        <ApmPanel {...props} data={{ state: LoadingState.Loading, series: [], timeRange, request }} />
      </ThemeContext.Provider>,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  harness.renderStart = performance.now();
  root.render(
    <ThemeContext.Provider value={theme}>
      <ApmPanel {...props} />
    </ThemeContext.Provider>,
  );
  // Only for the bench (`&benchPaint=1`): elsewhere a page without a map would keep polling frames for nothing.
  if (params.has('benchPaint')) {
    harness.painted = watchPaint(harness.renderStart, 'firstFrameAt');
  }
  document.body.dataset.ready = '1';
}

main().catch((err) => {
  document.body.dataset.ready = 'error';
  document.body.textContent = `harness failed: ${String(err)}`;
});
