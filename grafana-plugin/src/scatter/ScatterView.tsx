/**
 * The scatter half of the panel: Pinpoint's flow on Tempo. Dots for the selected service's transactions,
 * drag a rectangle → transaction list, click a row (or a dot) → call tree, plus the heatmap underlay when the
 * dot query was cut by its limit, the runtime band, the sampling note and the brush → map highlight.
 */
import React, { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, serializeStateToUrlParam, urlUtil, type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { grafanaBase } from '../shared/grafanaLinks';
import { useStyles2, useTheme2 } from '@grafana/ui';
import { setHighlight } from '../shared/selectionStore';
import { useLatest } from '../shared/useLatest';
import type { ApmPanelOptions } from '../types';
import { buildCallTree, type CallTree } from '../calltree/buildCallTree';
import { CallTreeView } from '../calltree/CallTreeView';
import { rangeAroundTrace, setPaneSerializer, traceExploreUrl, traceLogsExploreUrl } from '../calltree/links';

// Grafana's own Explore pane serialiser, so the link survives changes to Explore's URL format.
setPaneSerializer((pane) => serializeStateToUrlParam(pane as unknown as Parameters<typeof serializeStateToUrlParam>[0]));
import { parseTraceFrames, type SpanRecord } from '../calltree/parseTrace';
import { pathsOfTraces } from '../calltree/pathsOfTraces';
import { bandRequest, dotsRequest, histogramRequest, requestCountRequest, runtimeRequest, traceRequest } from '../traceql/requests';
import { linkLabel, linkSpanService, type TraceLink } from '../traceql/link';
import { TransactionList } from '../transactions/TransactionList';
import { formatShare, isTruncated, samplingEstimate, transactionLabel, transactionsInRect, withinRect } from '../transactions/model';
import { transactionsFromFrames, type ScatterPoints, type Transaction, type TransactionSet } from './dots';
import { percentileLines } from '../shared/percentiles';
import { heatmapFromFrames, runtimeSeriesFromFrames, type HeatmapGrid, type RuntimeSeries } from './heatmap';
import { scatterOptionsOf } from './options';
import { runQuery, type QueryRange } from '../shared/queryClient';
import { ScatterChart, type PercentileLine, type ScatterTheme } from './ScatterChart';
import type { DataRect } from './selection';

export interface ScatterViewProps {
  /**
   * The id of the request that produced the panel's data (`data.request.requestId`): a dashboard refresh gives a
   * new one and reloads the dots. Only the id, not the data: the panel's frames are the map's, and a new set of
   * them alone must not render the scatter again.
   */
  requestId?: string;
  width: number;
  height: number;
  /** The panel's options; the scatter's own settings (./options.ts) ride along in the same object. */
  options: ApmPanelOptions;
  timeRange: TimeRange;
  service?: string;
  /** A server-map link: the dots are then its calls (see traceql/link.ts) instead of the service's transactions. */
  link?: TraceLink;
  /** Compare: the baseline range; its dots are drawn in grey under the current ones, on the same axes. */
  baselineRange?: QueryRange;
}

interface BaselineDotsState {
  key: string;
  status: 'loading' | 'done' | 'error';
  set?: TransactionSet;
  error?: string;
}

/**
 * The baseline's dots placed on the current range's time axis (a shifted range lines up minute for minute; a
 * custom range of another length is stretched onto it), so both ranges share the plot.
 */
function baselineOnCurrentAxis(points: ScatterPoints, baseline: QueryRange, current: QueryRange): ScatterPoints {
  const k = (current.to - current.from) / Math.max(1, baseline.to - baseline.from);
  const x = new Float64Array(points.n);
  for (let i = 0; i < points.n; i++) {
    x[i] = current.from + (points.x[i]! - baseline.from) * k;
  }
  return { n: points.n, x, y: points.y, failed: points.failed };
}

function linesOf(set: TransactionSet | undefined, range: 'current' | 'baseline'): PercentileLine[] {
  const p = set ? percentileLines(set.points.y, set.points.n) : undefined;
  if (!p) {
    return [];
  }
  const name = range === 'current' ? 'now' : 'baseline';
  return [
    { valueMs: p.p50, label: `p50 ${name}`, range, dash: [2, 3] },
    { valueMs: p.p95, label: `p95 ${name}`, range, dash: [6, 3] },
  ];
}

interface DotsState {
  status: 'idle' | 'loading' | 'done' | 'error';
  set?: TransactionSet;
  truncated?: boolean;
  error?: string;
  heatmap?: HeatmapGrid;
  runtime?: RuntimeSeries;
  /** Requests counted by the SDK metrics over the range (sampling estimate). */
  requests?: number;
  notes: string[];
}

interface SelectionState {
  rect: DataRect;
  status: 'loading' | 'done' | 'error';
  list: Transaction[];
  source: 'loaded' | 'tempo';
  limitHit?: number;
  error?: string;
}

interface OpenedState {
  transaction: Transaction;
  status: 'loading' | 'done' | 'error';
  tree?: CallTree;
  warnings: string[];
  error?: string;
}

/** Traces fetched for the map highlight; the slowest first since those are what a user circles. */
const HIGHLIGHT_TRACES = 20;
const HEADER_H = 26;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function chartTheme(theme: GrafanaTheme2): Partial<ScatterTheme> {
  const c = (name: string) => theme.visualization.getColorByName(name);
  return {
    background: theme.colors.background.primary,
    text: theme.colors.text.primary,
    textWeak: theme.colors.text.secondary,
    grid: theme.colors.border.weak,
    ok: c('green'),
    failed: c('red'),
    heat: c('blue'),
    band: c('orange'),
    selection: c('yellow'),
    baseline: theme.isDark ? '#80848e' : '#9b9ea6',
    fontFamily: theme.typography.fontFamily,
  };
}

function firstNumber(frames: unknown[]): number | undefined {
  for (const f of frames as Array<{ fields?: Array<{ type?: string; values: ArrayLike<unknown> }> }>) {
    const v = f.fields?.find((x) => x.type === 'number')?.values[0];
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return undefined;
}

export function ScatterView({ requestId, width, height, options, timeRange, service: selectedService, link, baselineRange }: ScatterViewProps) {
  // For a link the dots are one service's spans too: the caller's client spans (the callee's for user → X).
  const service = link ? linkSpanService(link) : selectedService;
  const linkKey = link ? JSON.stringify(link) : '';
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const opts = useMemo(() => scatterOptionsOf(options), [options]);
  const tempo = options.tempoDatasource || 'tempo';
  const loki = options.lokiDatasource || 'loki';
  const range: QueryRange = useMemo(
    () => ({ from: timeRange.from.valueOf(), to: timeRange.to.valueOf() }),
    [timeRange]
  );
  // The header toggle overrides the option until the option itself changes.
  const [yOverride, setYOverride] = useState<{ option: string; value: 'linear' | 'log' } | undefined>();
  const yScale = yOverride?.option === opts.scatterYScale ? yOverride.value : opts.scatterYScale;
  const setYScale = (value: 'linear' | 'log') => setYOverride({ option: opts.scatterYScale, value });
  const traceCache = useRef(new Map<string, SpanRecord[]>());
  const generation = useRef(0);

  // Dashboard refresh produces a new request id; a new range or service reloads too. State from an older key
  // (dots, selection, opened trace) is ignored during render rather than reset inside the effect.
  const [retries, setRetries] = useState(0);
  const refreshKey = `${service ?? ''}|${linkKey}|${range.from}|${range.to}|${requestId ?? ''}|${tempo}|${opts.scatterDotLimit}|${opts.scatterRuntimeOverlay}|${opts.mimirDatasource}|${retries}`;
  const [loaded, setDots] = useState<DotsState & { key: string }>({ key: '', status: 'idle', notes: [] });
  const [selectionState, setSelectionState] = useState<(SelectionState & { key: string }) | undefined>();
  const [openedState, setOpenedState] = useState<(OpenedState & { key: string }) | undefined>();
  const dots: DotsState = useMemo(
    () => (loaded.key === refreshKey ? loaded : { status: service ? 'loading' : 'idle', notes: [] }),
    [loaded, refreshKey, service]
  );
  const selection = selectionState?.key === refreshKey ? selectionState : undefined;
  const opened = openedState?.key === refreshKey ? openedState : undefined;
  const keyRef = useRef(refreshKey);
  useLayoutEffect(() => {
    keyRef.current = refreshKey;
  });
  const setSelection = useCallback(
    (s: SelectionState | undefined) => setSelectionState(s && { ...s, key: keyRef.current }),
    []
  );
  const setOpened = useCallback((o: OpenedState | undefined) => setOpenedState(o && { ...o, key: keyRef.current }), []);

  useEffect(() => {
    const gen = ++generation.current;
    setHighlight(undefined);
    if (!service) {
      return;
    }
    const key = refreshKey;
    const filter = { service, link };
    const stepS = Math.max(15, Math.ceil((range.to - range.from) / 1000 / 120));
    const tasks = [
      runQuery(tempo, [dotsRequest(filter, opts.scatterDotLimit)], range, { timeRange }),
      runQuery(tempo, [histogramRequest(filter, `${stepS}s`)], range, { timeRange }),
      opts.scatterRuntimeOverlay === 'off'
        ? Promise.resolve([])
        : runQuery(opts.mimirDatasource, [runtimeRequest(opts.scatterRuntimeOverlay, service)], range, { timeRange }),
      // The sampling estimate compares with the service's HTTP server requests: no counterpart for a link's calls.
      link ? Promise.resolve([]) : runQuery(opts.mimirDatasource, [requestCountRequest(service)], range, { timeRange }),
    ] as const;
    Promise.allSettled(tasks).then(([dotsR, histR, rtR, reqR]) => {
      if (gen !== generation.current) {
        return;
      }
      const notes: string[] = [];
      if (dotsR.status === 'rejected') {
        setDots({ key, status: 'error', error: `Tempo search failed: ${message(dotsR.reason)}`, notes });
        return;
      }
      let set: TransactionSet;
      try {
        set = transactionsFromFrames(dotsR.value, service);
      } catch (e) {
        setDots({ key, status: 'error', error: message(e), notes });
        return;
      }
      if (set.skipped) {
        notes.push(`${set.skipped} row(s) without a time or duration were skipped`);
      }
      let heatmap: HeatmapGrid | undefined;
      if (histR.status === 'fulfilled') {
        try {
          heatmap = heatmapFromFrames(histR.value);
        } catch (e) {
          notes.push(`heatmap unavailable: ${message(e)}`);
        }
      } else {
        notes.push(`heatmap unavailable: ${message(histR.reason)}`);
      }
      let runtime: RuntimeSeries | undefined;
      if (opts.scatterRuntimeOverlay !== 'off') {
        if (rtR.status === 'fulfilled') {
          runtime = runtimeSeriesFromFrames(rtR.value);
        } else {
          notes.push(`runtime overlay unavailable: ${message(rtR.reason)}`);
        }
      }
      const requests = reqR.status === 'fulfilled' ? firstNumber(reqR.value) : undefined;
      setDots({
        key,
        status: 'done',
        set,
        truncated: isTruncated(set, opts.scatterDotLimit),
        heatmap,
        runtime,
        requests,
        notes,
      });
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refreshKey]);

  // Compare: the same dot query over the baseline range.
  const baselineKey =
    service && baselineRange
      ? `${service}|${baselineRange.from}|${baselineRange.to}|${requestId ?? ''}|${tempo}|${opts.scatterDotLimit}`
      : undefined;
  const [baselineLoaded, setBaselineLoaded] = useState<BaselineDotsState | undefined>();
  useEffect(() => {
    // Turning Compare off and on again finds the same baseline already loaded.
    if (!baselineKey || !service || !baselineRange || baselineLoaded?.key === baselineKey) {
      return;
    }
    let live = true;
    runQuery(tempo, [dotsRequest({ service }, opts.scatterDotLimit)], baselineRange)
      .then((frames) => transactionsFromFrames(frames, service))
      .then(
        (set) => live && setBaselineLoaded({ key: baselineKey, status: 'done', set }),
        (e: unknown) => live && setBaselineLoaded({ key: baselineKey, status: 'error', error: `Baseline dots: ${message(e)}` })
      );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [baselineKey]);
  const baselineDots: BaselineDotsState | undefined = useMemo(
    () =>
      baselineKey ? (baselineLoaded?.key === baselineKey ? baselineLoaded : { key: baselineKey, status: 'loading' }) : undefined,
    [baselineKey, baselineLoaded]
  );
  const baselinePoints = useMemo(
    () => (baselineDots?.set && baselineRange ? baselineOnCurrentAxis(baselineDots.set.points, baselineRange, range) : undefined),
    [baselineDots, baselineRange, range]
  );
  const lines = useMemo(
    () => (baselineDots ? [...linesOf(dots.set, 'current'), ...linesOf(baselineDots.set, 'baseline')] : []),
    [baselineDots, dots.set]
  );

  // The date is the dashboard range's; the list shows time of day to the millisecond (full timestamp on hover).
  const formatTime = useCallback((ms: number) => dateTimeFormat(ms, { format: 'HH:mm:ss.SSS' }), []);

  const highlightPaths = useCallback(
    async (list: Transaction[], gen: number) => {
      const slowest = [...list].sort((a, b) => b.durationMs - a.durationMs);
      const ids = [...new Set(slowest.map((t) => t.traceId))].slice(0, HIGHLIGHT_TRACES);
      const traces: SpanRecord[][] = [];
      for (let i = 0; i < ids.length; i += 4) {
        const batch = await Promise.allSettled(
          ids.slice(i, i + 4).map(async (id) => {
            const cached = traceCache.current.get(id);
            if (cached) {
              return cached;
            }
            const spans = parseTraceFrames(await runQuery(tempo, [traceRequest(id)], range, { timeRange })).spans;
            traceCache.current.set(id, spans);
            return spans;
          })
        );
        for (const r of batch) {
          if (r.status === 'fulfilled') {
            traces.push(r.value);
          }
        }
      }
      if (gen === generation.current && traces.length) {
        setHighlight(pathsOfTraces(traces));
      }
    },
    [tempo, range, timeRange]
  );

  const onSelect = useCallback(
    (rect: DataRect, indices: Uint32Array, visible: readonly [boolean, boolean]) => {
      const set = dots.set;
      if (!set || !service) {
        return;
      }
      setOpened(undefined);
      const gen = generation.current;
      if (!dots.truncated) {
        const list = Array.from(indices, (i) => set.transactions[i]!);
        setSelection({ rect, status: 'done', list, source: 'loaded' });
        void highlightPaths(list, gen);
        return;
      }
      // The loaded dots are a sample of the range: ask Tempo for this duration band and time window.
      const fromLoaded = transactionsInRect(set, rect, visible);
      setSelection({ rect, status: 'loading', list: fromLoaded, source: 'loaded' });
      const band = bandRequest({
        service,
        link,
        minMs: Math.max(0, rect.y0),
        maxMs: Number.isFinite(rect.y1) ? rect.y1 : undefined,
        status: visible[0] && !visible[1] ? 'ok' : !visible[0] && visible[1] ? 'error' : undefined,
      });
      const window = { from: Math.floor(rect.x0 / 1000) * 1000, to: Math.ceil(rect.x1 / 1000) * 1000 };
      runQuery(tempo, [band], window)
        .then((frames) => {
          if (gen !== generation.current) {
            return;
          }
          const got = transactionsFromFrames(frames, service);
          const list = withinRect(got.transactions, rect, visible);
          const limitHit = isTruncated(got, band.limit) ? band.limit : undefined;
          setSelection({ rect, status: 'done', list, source: 'tempo', limitHit });
          void highlightPaths(list, gen);
        })
        .catch((e) => {
          if (gen === generation.current) {
            setSelection({ rect, status: 'error', list: fromLoaded, source: 'loaded', error: message(e) });
          }
        });
    },
    [dots, service, link, tempo, highlightPaths, setSelection, setOpened]
  );

  const openTransaction = useCallback(
    (t: Transaction) => {
      const gen = generation.current;
      setOpened({ transaction: t, status: 'loading', warnings: [] });
      const cached = traceCache.current.get(t.traceId);
      const load = cached
        ? Promise.resolve({ spans: cached, warnings: [] as string[] })
        : runQuery(tempo, [traceRequest(t.traceId)], { from: t.startMs - 3_600_000, to: t.startMs + 3_600_000 }).then(
            (frames) => parseTraceFrames(frames)
          );
      load
        .then(({ spans, warnings }) => {
          traceCache.current.set(t.traceId, spans);
          if (gen === generation.current) {
            setOpened({ transaction: t, status: 'done', tree: buildCallTree(spans), warnings });
          }
        })
        .catch((e) => {
          if (gen === generation.current) {
            setOpened({ transaction: t, status: 'error', warnings: [], error: `Could not load trace ${t.traceId}: ${message(e)}` });
          }
        });
    },
    [tempo, setOpened]
  );

  const onClickDot = useCallback(
    (index: number) => {
      const t = dots.set?.transactions[index];
      if (t) {
        openTransaction(t);
      }
    },
    [dots, openTransaction]
  );

  const clearSelection = useCallback(() => {
    setSelection(undefined);
    setOpened(undefined);
    setHighlight(undefined);
  }, [setSelection, setOpened]);

  useEffect(() => () => setHighlight(undefined), []);

  const bodyH = Math.max(0, height - HEADER_H);
  const chartH = Math.max(140, Math.round(bodyH * 0.55));
  const bottomH = Math.max(0, bodyH - chartH);
  const set = dots.set;
  const shown = set ? set.transactions.length : 0;
  const total = dots.heatmap?.total;
  const sampling = samplingEstimate(total, dots.requests);

  let body: React.ReactNode;
  if (!service) {
    body = (
      <div className={styles.message} style={{ height: bodyH }} data-testid="lgtmapm-scatter-message">
        Select a service on the server map (or set the <code>service</code> dashboard variable) to see its transactions.
      </div>
    );
  } else if (dots.status === 'error') {
    body = (
      <div className={styles.error} style={{ height: bodyH }}>
        <span data-testid="lgtmapm-scatter-error">{dots.error}</span>{' '}
        <button className={styles.link} onClick={() => setRetries((n) => n + 1)} data-testid="lgtmapm-scatter-retry">
          Retry
        </button>
      </div>
    );
  } else {
    body = (
      <>
        <ScatterCanvas
          width={width}
          height={chartH}
          set={set}
          heatmap={dots.truncated ? dots.heatmap : undefined}
          runtime={dots.runtime}
          baseline={baselinePoints}
          lines={lines}
          runtimeLabel={opts.scatterRuntimeOverlay === 'gcPause' ? 'GC pause s/s' : 'event-loop lag p99'}
          range={range}
          yScale={yScale}
          yMax={opts.scatterYMax || 'auto'}
          theme={chartTheme(theme)}
          onSelect={onSelect}
          onClickDot={onClickDot}
        />
        <div className={styles.bottom} style={{ height: bottomH }}>
          {opened ? (
            opened.status === 'done' && opened.tree ? (
              <CallTreeView
                tree={opened.tree}
                warnings={opened.warnings}
                title={`${transactionLabel(opened.transaction)} · ${opened.transaction.traceId}`}
                height={bottomH}
                width={width}
                onBack={() => setOpened(undefined)}
                exploreUrl={`${grafanaBase().appSubUrl}${traceExploreUrl(
                  urlUtil.renderUrl,
                  tempo,
                  opened.transaction.traceId,
                  rangeAroundTrace(opened.tree.startMs, opened.tree.endMs),
                  grafanaBase().orgId
                )}`}
                logsUrl={`${grafanaBase().appSubUrl}${traceLogsExploreUrl(
                  urlUtil.renderUrl,
                  loki,
                  opened.transaction.traceId,
                  rangeAroundTrace(opened.tree.startMs, opened.tree.endMs),
                  grafanaBase().orgId
                )}`}
              />
            ) : (
              <div className={opened.status === 'error' ? styles.error : styles.message} data-testid="lgtmapm-calltree-status">
                {opened.status === 'error' ? opened.error : `Loading trace ${opened.transaction.traceId}…`}{' '}
                <button className={styles.link} onClick={() => setOpened(undefined)}>
                  Back to list
                </button>
              </div>
            )
          ) : selection ? (
            <>
              {selection.status === 'loading' && <div className={styles.message}>Querying Tempo for this rectangle…</div>}
              {selection.error && (
                <div className={styles.error} data-testid="lgtmapm-selection-error">
                  Tempo query for the rectangle failed ({selection.error}); showing the loaded dots inside it.
                </div>
              )}
              <TransactionList
                transactions={selection.list}
                source={selection.source}
                limitHit={selection.limitHit}
                height={bottomH - (selection.status === 'loading' || selection.error ? 24 : 0)}
                width={width}
                onOpen={openTransaction}
                formatTime={formatTime}
              />
            </>
          ) : (
            <div className={styles.message} data-testid="lgtmapm-scatter-hint">
              {dots.status === 'loading'
                ? 'Loading transactions…'
                : shown === 0 && dots.status === 'done'
                  ? link
                    ? `No calls along ${linkLabel(link)} in this time range.`
                    : `No transactions of ${service} in this time range.`
                  : 'Drag a rectangle around dots to list those transactions; click a dot to open its call tree.'}
            </div>
          )}
        </div>
      </>
    );
  }

  return (
    <div className={styles.root} style={{ width, height }} data-testid="lgtmapm-scatter">
      <div className={styles.header} style={{ height: HEADER_H }}>
        <span className={styles.title} data-testid="lgtmapm-scatter-title">
          {link ? `Calls · ${linkLabel(link)}` : service ? `Transactions · ${service}` : 'Transactions'}
        </span>
        {set && (
          <span className={styles.note} data-testid="lgtmapm-scatter-count">
            {dots.truncated && total !== undefined
              ? `${shown.toLocaleString('en-US')} of ${Math.max(total, shown).toLocaleString('en-US')} ${link ? 'calls' : 'transactions'} shown (limit ${opts.scatterDotLimit.toLocaleString('en-US')} traces; heatmap shows all)`
              : dots.truncated
                ? `${shown.toLocaleString('en-US')} ${link ? 'calls' : 'transactions'} shown (limit reached)`
                : `${shown.toLocaleString('en-US')} ${link ? 'calls' : 'transactions'}`}
          </span>
        )}
        {set && !link && (
          <span className={styles.note} data-testid="lgtmapm-scatter-sampling" title="Transactions in Tempo ÷ requests counted by the SDK's HTTP server metric">
            {sampling !== undefined ? `sampling ≈ ${formatShare(sampling)}` : 'sampling ratio unknown'}
          </span>
        )}
        {baselineDots && (
          <span className={baselineDots.status === 'error' ? styles.warn : styles.note} data-testid="lgtmapm-scatter-baseline">
            {baselineDots.status === 'loading'
              ? 'loading baseline dots…'
              : baselineDots.status === 'error'
                ? baselineDots.error
                : `grey: ${baselineDots.set!.transactions.length.toLocaleString('en-US')} baseline transactions`}
          </span>
        )}
        {dots.notes.map((n) => (
          <span key={n} className={styles.warn}>
            {n}
          </span>
        ))}
        <span className={styles.spacer} />
        {selection && (
          <button className={styles.link} onClick={clearSelection} data-testid="lgtmapm-clear-selection">
            Clear selection
          </button>
        )}
        <button
          className={styles.link}
          onClick={() => setYScale(yScale === 'log' ? 'linear' : 'log')}
          data-testid="lgtmapm-yscale"
          title="Toggle linear / log duration axis"
        >
          {yScale === 'log' ? 'log' : 'linear'}
        </button>
      </div>
      {body}
    </div>
  );
}

interface ScatterCanvasProps {
  width: number;
  height: number;
  set?: TransactionSet;
  heatmap?: HeatmapGrid;
  runtime?: RuntimeSeries;
  baseline?: ScatterPoints;
  lines?: PercentileLine[];
  runtimeLabel: string;
  range: QueryRange;
  yScale: 'linear' | 'log';
  yMax: number | 'auto';
  theme: Partial<ScatterTheme>;
  onSelect: (rect: DataRect, indices: Uint32Array, visible: readonly [boolean, boolean]) => void;
  onClickDot: (index: number) => void;
}

const EMPTY_POINTS = { n: 0, x: new Float64Array(0), y: new Float64Array(0), failed: new Uint8Array(0) };

/** React wrapper around the canvas widget: creates it once, pushes props into it, relays its events. */
function ScatterCanvas(props: ScatterCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<ScatterChart>();
  const latestRef = useLatest(props);

  useEffect(() => {
    const c = new ScatterChart(container.current!);
    chart.current = c;
    const offSelect = c.on('select', ({ rect, indices }) =>
      latestRef.current.onSelect(rect, indices, [c.isSeriesVisible(0), c.isSeriesVisible(1)])
    );
    const offClick = c.on('click', ({ index }) => latestRef.current.onClickDot(index));
    return () => {
      offSelect();
      offClick();
      c.destroy();
      chart.current = undefined;
    };
  }, [latestRef]);

  const { width, height, set, heatmap, runtime, baseline, lines, runtimeLabel, range, yScale, yMax, theme } = props;
  useEffect(() => {
    const c = chart.current;
    if (!c) {
      return;
    }
    c.setTheme(theme);
    c.setSize(width, height);
    c.setTimeRange(range.from, range.to);
    c.setOptions({ yScale, yMax, bandLabel: runtimeLabel, bandThreshold: runtimeLabel.startsWith('GC') ? 0.05 : 0.1 });
    c.setData(set?.points ?? EMPTY_POINTS);
    c.setHeatmap(heatmap);
    c.setRuntime(runtime);
    c.setBaseline(baseline);
    c.setPercentileLines(lines ?? []);
    c.render();
    const vp = c.getViewport();
    const plot = c.getPlotRect();
    const el = c.element;
    // Exposed for browser tests and the harness: where the plot is and what it spans.
    el.dataset.plot = JSON.stringify({ ...plot, xMin: vp?.xMin, xMax: vp?.xMax, yMin: vp?.yMin, yMax: vp?.yMax, yScale: vp?.yScale });
    el.dataset.legend = JSON.stringify(c.getLegendBoxes());
    el.dataset.renderMs = c.lastRender.totalMs.toFixed(2);
    el.dataset.baseline = String(baseline?.n ?? 0);
    el.dataset.lines = JSON.stringify((lines ?? []).map((l) => ({ label: l.label, valueMs: l.valueMs })));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [width, height, set, heatmap, runtime, baseline, lines, runtimeLabel, range, yScale, yMax, JSON.stringify(theme)]);

  return <div ref={container} style={{ width, height }} />;
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden', background: theme.colors.background.primary }),
  header: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1.5),
    padding: theme.spacing(0, 1),
    fontSize: theme.typography.bodySmall.fontSize,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
  }),
  title: css({ fontWeight: theme.typography.fontWeightMedium }),
  note: css({ color: theme.colors.text.secondary }),
  warn: css({ color: theme.colors.warning.text, overflow: 'hidden', textOverflow: 'ellipsis' }),
  spacer: css({ flex: 1 }),
  link: css({ all: 'unset', cursor: 'pointer', color: theme.colors.text.link, '&:hover': { textDecoration: 'underline' } }),
  bottom: css({ display: 'flex', flexDirection: 'column', borderTop: `1px solid ${theme.colors.border.weak}`, overflow: 'hidden' }),
  message: css({ padding: theme.spacing(1), color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  error: css({ padding: theme.spacing(1), color: theme.colors.error.text, fontSize: theme.typography.bodySmall.fontSize }),
});
