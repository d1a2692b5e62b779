/**
 * The scatter's own panel options. Kept here (not in the panel's options type) so the scatter can evolve
 * without touching the server map's settings; `addScatterOptions` is called from the panel's options builder.
 */
import type { PanelOptionsEditorBuilder } from '@grafana/data';
import type { RuntimeOverlayKind } from '../traceql/promql';
import { DEFAULT_DOT_LIMIT } from '../traceql/requests';

export interface ScatterPanelOptions {
  scatterYScale: 'linear' | 'log';
  /** Fixed y-axis maximum in ms; 0 = fit the slowest dot. */
  scatterYMax: number;
  /** Tempo search `limit` (traces) for the dots. */
  scatterDotLimit: number;
  scatterRuntimeOverlay: 'off' | RuntimeOverlayKind;
  /** Mimir/Prometheus data source for the runtime overlay and the sampling estimate. */
  mimirDatasource: string;
}

export const SCATTER_DEFAULTS: ScatterPanelOptions = {
  scatterYScale: 'linear',
  scatterYMax: 0,
  scatterDotLimit: DEFAULT_DOT_LIMIT,
  scatterRuntimeOverlay: 'eventLoopLag',
  mimirDatasource: 'mimir',
};

/** Options as the panel passes them (any subset), with defaults and sanitised numbers. */
export function scatterOptionsOf(options: object): ScatterPanelOptions {
  const o = { ...SCATTER_DEFAULTS, ...(options as Partial<ScatterPanelOptions>) };
  return {
    scatterYScale: o.scatterYScale === 'log' ? 'log' : 'linear',
    scatterYMax: Number.isFinite(o.scatterYMax) && o.scatterYMax > 0 ? o.scatterYMax : 0,
    scatterDotLimit:
      Number.isFinite(o.scatterDotLimit) && o.scatterDotLimit >= 1 ? Math.floor(o.scatterDotLimit) : DEFAULT_DOT_LIMIT,
    scatterRuntimeOverlay: ['off', 'eventLoopLag', 'gcPause'].includes(o.scatterRuntimeOverlay) ? o.scatterRuntimeOverlay : 'off',
    mimirDatasource: o.mimirDatasource || SCATTER_DEFAULTS.mimirDatasource,
  };
}

const CATEGORY = ['Scatter'];

export function addScatterOptions<T extends object>(builder: PanelOptionsEditorBuilder<T>): PanelOptionsEditorBuilder<T> {
  const b = builder as unknown as PanelOptionsEditorBuilder<ScatterPanelOptions>;
  b.addRadio({
    path: 'scatterYScale',
    name: 'Y axis',
    category: CATEGORY,
    defaultValue: SCATTER_DEFAULTS.scatterYScale,
    settings: { options: [{ value: 'linear', label: 'Linear' }, { value: 'log', label: 'Log' }] },
  })
    .addNumberInput({
      path: 'scatterYMax',
      name: 'Y axis max (ms)',
      description: '0 fits the slowest dot; slower dots are drawn on the top edge',
      category: CATEGORY,
      defaultValue: SCATTER_DEFAULTS.scatterYMax,
      settings: { min: 0 },
    })
    .addNumberInput({
      path: 'scatterDotLimit',
      name: 'Dot limit (traces)',
      description: 'Tempo search limit; past it the heatmap underlay shows the rest',
      category: CATEGORY,
      defaultValue: SCATTER_DEFAULTS.scatterDotLimit,
      settings: { min: 1, integer: true },
    })
    .addRadio({
      path: 'scatterRuntimeOverlay',
      name: 'Runtime overlay',
      description: 'Band along the time axis from the Mimir data source',
      category: CATEGORY,
      defaultValue: SCATTER_DEFAULTS.scatterRuntimeOverlay,
      settings: {
        options: [
          { value: 'off', label: 'Off' },
          { value: 'eventLoopLag', label: 'Event-loop lag p99' },
          { value: 'gcPause', label: 'GC pause' },
        ],
      },
    })
    .addTextInput({
      path: 'mimirDatasource',
      name: 'Mimir data source uid',
      description: 'Runtime overlay and sampling estimate',
      category: CATEGORY,
      defaultValue: SCATTER_DEFAULTS.mimirDatasource,
    });
  return builder;
}
