import React from 'react';
import { type TimeRange } from '@grafana/data';
import { type ApmPanelOptions } from '../types';
import { ScatterView } from '../scatter/ScatterView';
import { type TraceLink } from '../traceql';

export interface ScatterSlotProps {
  /** `data.request.requestId`: see ScatterViewProps. */
  requestId?: string;
  width: number;
  height: number;
  options: ApmPanelOptions;
  timeRange: TimeRange;
  service?: string;
  link?: TraceLink;
  /** Compare: the baseline range whose dots are drawn in grey under the current ones. */
  baselineRange?: { from: number; to: number };
}

/**
 * The scatter half of the panel (issue 7): `src/scatter/ScatterView.tsx`. Memoised: a dashboard refresh renders the
 * panel with new frames, which the scatter does not read (it queries Tempo itself, again for a new request id).
 */
export const ScatterSlot = React.memo(function ScatterSlot(props: ScatterSlotProps) {
  return <ScatterView {...props} />;
});
