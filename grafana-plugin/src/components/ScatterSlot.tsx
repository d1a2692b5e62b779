import React from 'react';
import { type PanelData, type TimeRange } from '@grafana/data';
import { type ApmPanelOptions } from '../types';
import { ScatterView } from '../scatter/ScatterView';
import { type TraceLink } from '../traceql';

export interface ScatterSlotProps {
  data: PanelData;
  width: number;
  height: number;
  options: ApmPanelOptions;
  timeRange: TimeRange;
  service?: string;
  link?: TraceLink;
  /** Compare: the baseline range whose dots are drawn in grey under the current ones. */
  baselineRange?: { from: number; to: number };
}

/** The scatter half of the panel (issue 7): `src/scatter/ScatterView.tsx`. */
export function ScatterSlot(props: ScatterSlotProps) {
  return <ScatterView {...props} />;
}
