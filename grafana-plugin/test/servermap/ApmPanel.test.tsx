import React from 'react';
import { act, render, screen, waitFor } from '@testing-library/react';
import { type PanelProps } from '@grafana/data';
import { ApmPanel } from '../../src/components/ApmPanel';
import { type ApmPanelOptions } from '../../src/types';
import { resetSelectionStoreForTests } from '../../src/shared/selectionStore';
import { demoTopology, prometheusResponse, QUERIES } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { panelProps } from '../fixtures/panelProps';

function props(series: PanelProps['data']['series'], options: Partial<ApmPanelOptions> = {}): PanelProps<ApmPanelOptions> {
  return panelProps(series, { options, width: 900, height: 500 });
}

describe('ApmPanel (jsdom)', () => {
  beforeEach(() => resetSelectionStoreForTests());

  it('lays out the demo map and shows its size in the toolbar', async () => {
    render(<ApmPanel {...props(framesFromResponse(prometheusResponse(demoTopology())))} />);
    await waitFor(() => expect(screen.getByTestId('lgtmapm-servermap-counts').textContent).toBe('7 nodes · 6 links'), { timeout: 20000 });
    // The canvas appears once the ELK layout finished.
    expect(await screen.findByTestId('lgtmapm-servermap-canvas', undefined, { timeout: 20000 })).toBeInTheDocument();
    expect(screen.queryByTestId('lgtmapm-servermap-error')).toBeNull();
  });

  it('shows what is wrong instead of a map when the roles are missing', () => {
    // Other refIds and no executed query: nothing tells the calls query apart.
    const frames = framesFromResponse(prometheusResponse(demoTopology())).map((f) => ({ ...f, refId: `x${f.refId}`, meta: {} }));
    render(<ApmPanel {...props(frames)} />);
    expect(screen.getByTestId('lgtmapm-servermap-error').textContent).toMatch(/expected a query on traces_service_graph_request_total/);
  });

  it('draws a map from queries with Grafana\'s default refIds A, B, C, D (roles from the expressions)', async () => {
    const refIds = { calls: 'A', errors: 'B', latency: 'C', instances: 'D' };
    const frames = framesFromResponse(prometheusResponse(demoTopology(), { table: true, refIds }));
    const p = props(frames, { hideTerminal: true });
    p.data.request = {
      targets: Object.entries(refIds).map(([role, refId]) => ({ refId, expr: QUERIES[role as keyof typeof QUERIES] })),
    } as unknown as NonNullable<PanelProps['data']['request']>;
    render(<ApmPanel {...p} />);
    await waitFor(() => expect(screen.getByTestId('lgtmapm-servermap-counts').textContent).toBe('4 nodes · 3 links'), { timeout: 20000 });
    expect(screen.queryByTestId('lgtmapm-warnings')).toBeNull();
  });

  it('uses the refIds from the options', async () => {
    const frames = framesFromResponse(prometheusResponse(demoTopology())).map((f) => ({ ...f, refId: f.refId === 'calls' ? 'A' : f.refId }));
    render(<ApmPanel {...props(frames, { callsRefId: 'A', hideTerminal: true })} />);
    await waitFor(() => expect(screen.getByTestId('lgtmapm-servermap-counts').textContent).toBe('4 nodes · 3 links'), { timeout: 20000 });
  });
});

describe('ApmPanel selection', () => {
  beforeEach(() => resetSelectionStoreForTests());

  it('opens the details of the service selected elsewhere (scatter, URL) and follows changes', async () => {
    const { selectService } = await import('../../src/shared/selectionStore');
    render(<ApmPanel {...props(framesFromResponse(prometheusResponse(demoTopology())))} />);
    await screen.findByTestId('lgtmapm-servermap-canvas', undefined, { timeout: 20000 });
    expect(screen.queryByTestId('lgtmapm-details')).toBeNull();
    act(() => selectService('payments'));
    expect(screen.getByTestId('lgtmapm-details-title').textContent).toBe('payments');
    act(() => selectService('orders'));
    expect(screen.getByTestId('lgtmapm-details-title').textContent).toBe('orders');
    expect(screen.getByTestId('lgtmapm-details-instances').textContent).toContain('2 instances');
    act(() => selectService(undefined));
    expect(screen.queryByTestId('lgtmapm-details')).toBeNull();
  });
});
