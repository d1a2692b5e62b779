import React, { useEffect, useSyncExternalStore } from 'react';
import { css } from '@emotion/css';
import { LoadingState, type PanelProps } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { type ApmPanelOptions, DEFAULT_OPTIONS } from '../types';
import { getSelection, setUrlAdapter, subscribe } from '../shared/selectionStore';
import { grafanaUrlAdapter } from '../shared/grafanaUrlAdapter';
import { ServerMapView } from '../servermap/ServerMapView';
import { prewarmLayout } from '../servermap/layout/layout';
import { prewarmLayoutWorker } from '../servermap/layout/layoutClient';
import { ScatterSlot } from './ScatterSlot';

/** Panel root: splits the area between the server map and the scatter according to `layout`. */
export function ApmPanel(props: PanelProps<ApmPanelOptions>) {
  const { data, width, height, timeRange } = props;
  const options = { ...DEFAULT_OPTIONS, ...props.options };
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

  const layout = options.layout;
  const both = layout === 'both';
  const gap = both ? 8 : 0;
  // Side by side when wide, stacked when tall; the map gets the larger share as in Pinpoint.
  const sideBySide = width >= height * 1.2;
  const mapW = both && sideBySide ? Math.floor((width - gap) * 0.6) : width;
  const mapH = both && !sideBySide ? Math.floor((height - gap) * 0.55) : height;
  const scatterW = both && sideBySide ? width - mapW - gap : width;
  const scatterH = both && !sideBySide ? height - mapH - gap : height;

  return (
    <div
      className={styles.root}
      style={{ width, height, flexDirection: sideBySide ? 'row' : 'column', gap }}
      data-testid="lgtmapm-panel"
    >
      {layout !== 'scatter' && (
        <ServerMapView data={data} width={mapW} height={mapH} options={options} timeRange={timeRange} />
      )}
      {layout !== 'map' && (
        <ScatterSlot
          data={data}
          width={scatterW}
          height={scatterH}
          options={options}
          timeRange={timeRange}
          service={selection.service}
          link={selection.link}
        />
      )}
    </div>
  );
}

const getStyles = () => ({
  root: css({ display: 'flex', overflow: 'hidden' }),
});
