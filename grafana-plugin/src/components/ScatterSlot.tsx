import React from 'react';
import { type PanelData, type TimeRange } from '@grafana/data';
import { type ApmPanelOptions } from '../types';

export interface ScatterSlotProps {
  data: PanelData;
  width: number;
  height: number;
  options: ApmPanelOptions;
  timeRange: TimeRange;
  service?: string;
}

/** Placeholder until `src/scatter/ScatterView.tsx` (issue 7) lands; then this renders `<ScatterView>`. */
export function ScatterSlot({ width, height, service }: ScatterSlotProps) {
  return (
    <div data-testid="lgtmapm-scatter-placeholder" style={{ width, height, display: 'grid', placeItems: 'center' }}>
      Response-time scatter{service ? ` for ${service}` : ''} is not built yet.
    </div>
  );
}
