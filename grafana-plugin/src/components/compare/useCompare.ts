/**
 * The panel's compare state: what the user picked in the compare bar, the baseline's range, its frames (the
 * panel's own targets run again over that range), its server map, and the map overlay. One hook, used by the
 * panel shell, so the map, the scatter and the bar agree on the same baseline.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { type PanelData, type TimeRange } from '@grafana/data';
import { type QueryLike, type ServerMap } from '../../servermap/model';
import { type MapOverlay, type MapOverlayResult } from '../../servermap/ServerMapView';
import {
  type AbsoluteRange,
  baselineRange,
  prepareCompareSide,
  previousRelease,
  RELEASE_LOOKBACK_MS,
  releaseQuery,
  releaseWindows,
  type ReleaseWindow,
  thresholdsFor,
  type ThresholdLevel,
} from '../../compare';
import { fetchBaselineFrames, groupTargets, type PanelTarget } from '../../compare/fetchBaseline';
import { runQuery } from '../../shared/queryClient';
import { whenIdle } from '../../shared/whenIdle';
import { type ApmPanelOptions } from '../../types';
import { applyCompare, baselineMapOf, type CompareOverlayData, extraTopologyOf, unionOf } from './compareOverlay';
import { type QueryState, useCachedQuery } from './useCachedQuery';

/** `grafana`: the baseline Grafana's own panel "Time comparison" delivered with the data (no query of ours). */
export type CompareMode = '1h' | '1d' | '7d' | 'custom' | 'release' | 'grafana';

/** Frames of Grafana's panel "Time comparison" split off `data.series` (`splitTimeCompareFrames`), refIds restored. */
export interface GrafanaBaseline {
  frames: unknown[];
  /** How far back Grafana took them (ms); undefined when the frames did not say. */
  shiftMs?: number;
}

export interface CompareSettings {
  on: boolean;
  mode: CompareMode;
  /** Custom baseline range (epoch ms). */
  custom?: AbsoluteRange;
  /** Release mode: an earlier version picked instead of the previous one. */
  version?: string;
  level: ThresholdLevel;
}

export interface CompareState {
  settings: CompareSettings;
  update: (patch: Partial<CompareSettings>) => void;
  /** The baseline's range when known. */
  range?: AbsoluteRange;
  status: 'off' | 'loading' | 'error' | 'ready';
  /** Why there is no comparison, phrased for the user. */
  error?: string;
  /** Non-fatal: queries not re-run, what the release numbers come from. */
  notes: string[];
  /** Release mode: the versions found and the pair compared. */
  releases?: { windows: ReleaseWindow[]; current?: string; previous?: string };
  /** Grafana's panel "Time comparison" delivered a baseline: the `grafana` mode can be picked. */
  grafanaShiftMs?: number;
  grafanaAvailable: boolean;
  overlay?: MapOverlay;
}

function initialSettings(options: ApmPanelOptions, grafana: boolean): CompareSettings {
  const start = options.compareBaseline;
  const level = options.compareThreshold ?? 'default';
  if (grafana) {
    return { on: true, mode: 'grafana', level };
  }
  const on = start !== undefined && start !== 'off';
  return { on, mode: on ? (start as CompareMode) : '1d', level };
}

/** The delivered frames as a settled query, kept stable while the frames are the same (memoised by the caller). */
function deliveredFrames(grafana: GrafanaBaseline): QueryState<{ frames: unknown[]; skipped: string[] }> {
  return { status: 'done', value: { frames: grafana.frames, skipped: [] } };
}

export function useCompare(
  data: PanelData,
  timeRange: TimeRange,
  options: ApmPanelOptions,
  service: string | undefined,
  renderSide?: MapOverlay['renderSide'],
  grafana?: GrafanaBaseline
): CompareState {
  const [settings, setSettings] = useState<CompareSettings>(() => initialSettings(options, !!grafana));
  // Once Compare has been on, the baseline stays loaded (and its map, diff and layout with it) while it is off, so
  // turning it on again only repaints.
  const [used, setUsed] = useState(settings.on);
  // Whether the user has changed anything in the bar: until then, a "Time comparison" Grafana turns on later (its
  // frames usually arrive after the panel mounted) is taken as the baseline, and one turned off is let go.
  const [touched, setTouched] = useState(false);
  const update = useCallback((patch: Partial<CompareSettings>) => {
    if (patch.on) {
      setUsed(true);
    }
    setTouched(true);
    setSettings((s) => ({ ...s, ...patch }));
  }, []);
  if (!touched && grafana && settings.mode !== 'grafana') {
    setSettings({ ...settings, on: true, mode: 'grafana' });
    setUsed(true);
  } else if (!grafana && settings.mode === 'grafana') {
    setSettings(initialSettings(options, false));
  }
  const active = settings.on || used;
  const current: AbsoluteRange = useMemo(
    () => ({ from: timeRange.from.valueOf(), to: timeRange.to.valueOf() }),
    [timeRange]
  );
  const targets = data.request?.targets as PanelTarget[] | undefined;
  const requestId = data.request?.requestId ?? '';
  const promUid = useMemo(() => [...groupTargets(targets).byUid.keys()][0], [targets]);

  // Release mode: which versions served when (span metrics), then the previous one's window.
  const releaseKey =
    active && settings.mode === 'release' && service && promUid
      ? `releases|${promUid}|${service}|${current.to}|${requestId}`
      : undefined;
  const releases = useCachedQuery(releaseKey, async () =>
    releaseWindows(
      await runQuery(
        promUid!,
        [releaseQuery(service!)],
        { from: current.to - RELEASE_LOOKBACK_MS, to: current.to },
        { requestIdPrefix: 'lgtmapm-compare' }
      )
    )
  );

  let range: AbsoluteRange | undefined;
  let error: string | undefined;
  const notes: string[] = [];
  let releaseInfo: CompareState['releases'];
  if (active) {
    if (settings.mode === 'release') {
      if (!service) {
        error = 'Select a service on the map to compare its releases';
      } else if (!promUid) {
        error = 'The panel has no Prometheus/Mimir query to read span metrics through';
      } else if (releases.status === 'error') {
        error = `Could not list the versions of ${service}: ${releases.error}`;
      } else if (releases.status === 'done') {
        const prev = previousRelease(releases.value, current, service, settings.version);
        releaseInfo = { windows: releases.value };
        if (prev.ok) {
          range = prev.range;
          releaseInfo = { windows: releases.value, current: prev.current.version, previous: prev.previous.version };
          notes.push(
            `Versions and when each served come from span metrics (traces_spanmetrics_calls_total by service_version); the map's numbers come from the service graph over the window when ${service} ran ${prev.previous.version}, and cover every service in that window`
          );
        } else {
          error = prev.error;
        }
      }
    } else if (settings.mode === 'grafana') {
      if (grafana?.shiftMs === undefined) {
        error = "Grafana's time comparison frames do not say how far back they were taken";
      } else {
        range = { from: current.from - grafana.shiftMs, to: current.to - grafana.shiftMs };
        notes.push(
          "The baseline is the one Grafana's panel Time comparison queried (the panel's own queries, shifted); pick another baseline to query one of ours"
        );
      }
    } else {
      const choice =
        settings.mode === 'custom'
          ? settings.custom
            ? { range: settings.custom }
            : undefined
          : { shift: settings.mode };
      if (!choice) {
        error = 'Enter the baseline range';
      } else {
        const r = baselineRange(current, choice);
        if (r.ok) {
          range = r.range;
        } else {
          error = r.error;
        }
      }
    }
  }

  const fromGrafana = settings.mode === 'grafana' && grafana !== undefined;
  const baselineKey =
    range && !fromGrafana
      ? `baseline|${requestId}|${range.from}|${range.to}|${JSON.stringify(targets ?? [])}`
      : undefined;
  const fetched = useCachedQuery(baselineKey, () => fetchBaselineFrames(targets, range!));
  const delivered = useMemo(() => (grafana ? deliveredFrames(grafana) : undefined), [grafana]);
  const frames = fromGrafana && range && delivered ? delivered : fetched;
  const baselineSeconds = range ? (range.to - range.from) / 1000 : 0;
  const queries = data.request?.targets as QueryLike[] | undefined;
  const baselineMap = useMemo(
    () =>
      frames.status === 'done' ? baselineMapOf(frames.value.frames, options, queries, baselineSeconds) : undefined,
    // The build options that matter are the role overrides and Apdex T; the options object changes identity often.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      frames,
      baselineSeconds,
      queries,
      options.callsRefId,
      options.errorsRefId,
      options.latencyRefId,
      options.clientLatencyRefId,
      options.instancesRefId,
      options.latencySumRefId,
      options.latencyCountRefId,
      options.apdexThresholdSeconds,
    ]
  );
  // The baseline's side of the diff (its numbers by id) is read while the panel is idle, so the diff at the next
  // compared paint reads only the current map (kept per baseline map, page-wide like the map itself).
  useEffect(() => {
    if (!baselineMap?.ok || !(baselineSeconds > 0)) {
      return;
    }
    const map = baselineMap.map;
    return whenIdle(() => prepareCompareSide({ map, rangeSeconds: baselineSeconds }, 'baseline'));
  }, [baselineMap, baselineSeconds]);
  if (frames.status === 'done' && frames.value.skipped.length > 0) {
    notes.push(`Not re-run for the baseline: ${frames.value.skipped.join('; ')}`);
  }

  const currentSeconds = (current.to - current.from) / 1000;
  // Built while Compare is off too (it only holds closures), so turning Compare on again hands the map the same
  // overlay, whose results for a map it has seen come from its cache: no second diff for the same two maps.
  const thresholds = thresholdsFor(settings.level);
  const ready: MapOverlay | undefined = useMemo(() => {
    if (!baselineMap?.ok || !(currentSeconds > 0)) {
      return undefined;
    }
    const baseline: ServerMap = baselineMap.map;
    const unions = new WeakMap<ServerMap, ServerMap>();
    const topology = (map: ServerMap): ServerMap => {
      let union = unions.get(map);
      if (!union) {
        union = unionOf(map, baseline);
        unions.set(map, union);
      }
      return union;
    };
    const results = new WeakMap<ServerMap, MapOverlayResult>();
    const applyOnce = (map: ServerMap): MapOverlayResult => {
      const union = topology(map);
      const applied = applyCompare(map, currentSeconds, baseline, baselineSeconds, thresholds, union);
      if (!applied.ok) {
        // Both ranges are checked above, so this is not expected; the map stays as it is and says why.
        return { map: union, marks: { nodes: new Map(), edges: new Map() }, warnings: [`Compare: ${applied.error}`] };
      }
      return applied.result;
    };
    return {
      topology,
      extraTopology: extraTopologyOf(baseline),
      apply: (map: ServerMap): MapOverlayResult => {
        let result = results.get(map);
        if (!result) {
          result = applyOnce(map);
          results.set(map, result);
        }
        return result;
      },
      renderSide,
      sideWidth: 250,
    };
  }, [thresholds, baselineMap, currentSeconds, baselineSeconds, renderSide]);
  const overlay = settings.on ? ready : undefined;

  let status: CompareState['status'] = 'off';
  if (settings.on) {
    if (error) {
      status = 'error';
    } else if (frames.status === 'error') {
      status = 'error';
      error = `The baseline query failed: ${frames.error}`;
    } else if (baselineMap && !baselineMap.ok) {
      status = 'error';
      error = baselineMap.error;
    } else if (!(currentSeconds > 0)) {
      status = 'error';
      error = 'The current time range is not a valid range';
    } else {
      status = overlay ? 'ready' : 'loading';
    }
  }
  // The same state object while nothing in it changed (a dashboard refresh with Compare off): the compare bar and
  // the scatter are memoised on it and on its range. The range and the notes are rebuilt on every render, so they
  // are compared by value.
  const rangeFrom = range?.from;
  const rangeTo = range?.to;
  const stableRange = useMemo(
    () => (rangeFrom === undefined || rangeTo === undefined ? undefined : { from: rangeFrom, to: rangeTo }),
    [rangeFrom, rangeTo]
  );
  const notesKey = notes.join('\n');
  const grafanaShiftMs = grafana?.shiftMs;
  const grafanaAvailable = grafana !== undefined;
  return useMemo(
    () => ({
      settings,
      update,
      range: stableRange,
      status,
      error,
      notes,
      releases: releaseInfo,
      grafanaShiftMs,
      grafanaAvailable,
      overlay,
    }),
    // `notes` by its text (notesKey); `releaseInfo` is rebuilt per render only in release mode.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [settings, update, stableRange, status, error, notesKey, releaseInfo, grafanaShiftMs, grafanaAvailable, overlay]
  );
}

export type { CompareOverlayData };
