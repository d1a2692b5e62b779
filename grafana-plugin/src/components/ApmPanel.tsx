import React, { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import { css } from '@emotion/css';
import { LoadingState, type PanelData, type PanelProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { type ApmPanelOptions, DEFAULT_OPTIONS } from '../types';
import { splitTimeCompareFrames } from '../compare';
import { getSelection, setUrlAdapter, subscribe } from '../shared/selectionStore';
import { grafanaUrlAdapter } from '../shared/grafanaUrlAdapter';
import { type MapOverlay, ServerMapView } from '../servermap/ServerMapView';
import { prewarmLayout } from '../servermap/layout/layout';
import { prewarmLayoutWorker } from '../servermap/layout/layoutClient';
import { ScatterSlot } from './ScatterSlot';
import { BiggestChanges } from './compare/BiggestChanges';
import { COMPARE_BAR_H, CompareBar } from './compare/CompareBar';
import { useCompare } from './compare/useCompare';

/** Panel root: splits the area between the server map and the scatter according to `layout`. */
export function ApmPanel(props: PanelProps<ApmPanelOptions>) {
  const { width, height, timeRange } = props;
  // Grafana's panel "Time comparison" (dashboard scenes) adds the panel's queries over a shifted range to the
  // same data, refIds suffixed "-compare": split them off so the map reads only the current range, and hand them
  // to Compare as its baseline (src/compare/README.md, "How the panel fetches the baseline"). Keyed by the series:
  // Grafana hands a new `data` for a change of state alone (Loading → Done) with the same series.
  const series = props.data.series;
  const split = useMemo(() => {
    const { current: currentSeries, baseline, shiftMs } = splitTimeCompareFrames(series);
    // Renamed: the React compiler's lint takes a `.current` read for a ref's.
    return { currentSeries, baseline, shiftMs };
  }, [series]);
  const data = useMemo(
    () => (split.baseline.length === 0 ? props.data : { ...props.data, series: split.currentSeries as PanelData['series'] }),
    [props.data, split]
  );
  const grafanaBaseline = useMemo(
    () => (split.baseline.length === 0 ? undefined : { frames: split.baseline, shiftMs: split.shiftMs }),
    [split]
  );
  // One object while the panel's options are the same: the views below memoise on it.
  const options = useMemo(() => ({ ...DEFAULT_OPTIONS, ...props.options }), [props.options]);
  const styles = useStyles2(getStyles);
  useEffect(() => setUrlAdapter(grafanaUrlAdapter()), []);
  // Grafana mounts the panel before its queries return: use that time to load and warm up the layout engine
  // (here, and the layout worker for large maps).
  useEffect(() => {
    if (options.layout !== 'scatter' && data.state !== LoadingState.Done) {
      prewarmLayout();
      prewarmLayoutWorker();
    }
  }, [options.layout, data.state]);
  const selection = useSyncExternalStore(subscribe, getSelection);
  const renderSide: NonNullable<MapOverlay['renderSide']> = useCallback(
    (result, focusLink) => <BiggestChanges result={result} onFocusLink={focusLink} />,
    []
  );
  const compare = useCompare(data, timeRange, options, selection.service, renderSide, grafanaBaseline);

  const layout = options.layout;
  const both = layout === 'both';
  const gap = both ? 8 : 0;
  // Side by side when wide, stacked when tall; the map gets the larger share as in Pinpoint.
  const viewsH = Math.max(0, height - COMPARE_BAR_H);
  const sideBySide = width >= viewsH * 1.2;
  const mapW = both && sideBySide ? Math.floor((width - gap) * 0.6) : width;
  const mapH = both && !sideBySide ? Math.floor((viewsH - gap) * 0.55) : viewsH;
  const scatterW = both && sideBySide ? width - mapW - gap : width;
  const scatterH = both && !sideBySide ? viewsH - mapH - gap : viewsH;

  return (
    <div className={styles.root} style={{ width, height }} data-testid="lgtmapm-panel">
      <CompareBar state={compare} />
      <div
        className={styles.views}
        style={{ width, height: viewsH, flexDirection: sideBySide ? 'row' : 'column', gap }}
      >
        {layout !== 'scatter' && (
          <ServerMapView
            data={data}
            width={mapW}
            height={mapH}
            options={options}
            timeRange={timeRange}
            overlay={compare.overlay}
          />
        )}
        {layout !== 'map' && (
          <ScatterSlot
            requestId={data.request?.requestId}
            width={scatterW}
            height={scatterH}
            options={options}
            timeRange={timeRange}
            service={selection.service}
            link={selection.link}
            baselineRange={compare.settings.on ? compare.range : undefined}
          />
        )}
      </div>
    </div>
  );
}

const getStyles = () => ({
  root: css({ display: 'flex', flexDirection: 'column', overflow: 'hidden' }),
  views: css({ display: 'flex', overflow: 'hidden' }),
});
