import React from 'react';
import { act, render, screen } from '@testing-library/react';
import { type PanelProps } from '@grafana/data';
import { ApmPanel } from '../../src/components/ApmPanel';
import { type ApmPanelOptions } from '../../src/types';
import { resetSelectionStoreForTests, selectService } from '../../src/shared/selectionStore';
import { demoTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { panelProps } from '../fixtures/panelProps';

function props(exactAverages: boolean): PanelProps<ApmPanelOptions> {
  return panelProps(framesFromResponse(prometheusResponse(demoTopology(), { exactAverages })));
}

const td = (id: string) => screen.getByTestId(id).querySelector('td')!.textContent;

/** What the panel shows for orders (14,400 calls from gateway, 5,040 s in total: 350 ms on average). */
async function ordersShown(exactAverages: boolean) {
  render(<ApmPanel {...props(exactAverages)} />);
  await screen.findByTestId('lgtmapm-servermap-canvas', undefined, { timeout: 20000 });
  act(() => selectService('orders'));
  return {
    avg: td('lgtmapm-details-stats-avg'),
    calls: td('lgtmapm-details-stats-calls'),
    percentiles: td('lgtmapm-details-stats-percentiles'),
  };
}

/** Issue 15, "Exact numbers, shown honestly", as the rendered panel shows them. */
describe('exact numbers and "≈" in the rendered panel (jsdom)', () => {
  beforeEach(() => resetSelectionStoreForTests());

  it('with the _sum/_count queries the average is exact (no "≈"); counts are exact with grouping', async () => {
    const shown = await ordersShown(true);
    expect(shown.avg).toBe('350 ms');
    expect(shown.calls).toBe('14,400');
    // Percentiles are always interpolated inside buckets.
    expect(shown.percentiles).toMatch(/^≈ /);
  });

  it('without them the average is a bucket estimate and says so', async () => {
    const shown = await ordersShown(false);
    expect(shown.avg).toMatch(/^≈ \d+ ms$/);
    expect(shown.avg).not.toBe('≈ 350 ms');
    expect(shown.calls).toBe('14,400');
  });
});
