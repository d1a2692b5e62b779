import React from 'react';
import { type PanelData, type TimeRange } from '@grafana/data';
import { type ApmPanelOptions } from '../types';

export interface ServerMapViewProps {
  data: PanelData;
  width: number;
  height: number;
  options: ApmPanelOptions;
  timeRange: TimeRange;
}

export function ServerMapView({ width, height, data }: ServerMapViewProps) {
  return (
    <div data-testid="lgtmapm-servermap" style={{ width, height }}>
      {data.series.length} frames
    </div>
  );
}
