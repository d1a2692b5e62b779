import React from 'react';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { type DataQueryRequest, type PanelProps } from '@grafana/data';
import { ApmPanel } from '../../src/components/ApmPanel';
import { type ApmPanelOptions } from '../../src/types';
import { resetSelectionStoreForTests, selectService } from '../../src/shared/selectionStore';
import { demoTopology, prometheusResponse, withScaledNumbers } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { panelProps } from '../fixtures/panelProps';

// Renders counted where they cost: Grafana's Button builds its styles on every render (≈ 1 ms each in Chromium
// inside a 1,000-node refresh), and the scatter does not read the panel's frames. (The map's canvas does render
// again here: a map this small is rebuilt during the render, so its scene is new.)
const mockRenders = { buttons: new Map<string, number>(), scatter: 0 };
jest.mock('@grafana/ui', () => {
  const actual = jest.requireActual('@grafana/ui');
  const R = jest.requireActual('react');
  const Button = R.forwardRef((props: object, ref: unknown) => {
    const id = (props as { 'data-testid'?: string })['data-testid'] ?? (props as { 'aria-label'?: string })['aria-label'] ?? '';
    mockRenders.buttons.set(id, (mockRenders.buttons.get(id) ?? 0) + 1);
    return R.createElement(actual.Button, { ...props, ref });
  });
  return { ...actual, Button };
});
jest.mock('../../src/scatter/ScatterView', () => {
  const actual = jest.requireActual('../../src/scatter/ScatterView');
  const R = jest.requireActual('react');
  return {
    ...actual,
    ScatterView: (props: object) => {
      mockRenders.scatter++;
      return R.createElement(actual.ScatterView, props);
    },
  };
});

function refreshed(base: PanelProps<ApmPanelOptions>, factor: number, requestId: string): PanelProps<ApmPanelOptions> {
  const series = framesFromResponse(prometheusResponse(withScaledNumbers(demoTopology(), factor)));
  return { ...base, data: { ...base.data, series, request: { requestId } as DataQueryRequest } };
}

/**
 * A dashboard refresh renders the panel with new frames of the same topology: the map takes the new numbers, but
 * the compare bar, the map's toolbar and the scatter have nothing new to show and are not rendered again.
 */
describe('a same-topology refresh renders only what reads the frames (jsdom)', () => {
  beforeEach(() => {
    resetSelectionStoreForTests();
    mockRenders.buttons.clear();
    mockRenders.scatter = 0;
  });

  it('the compare bar, the toolbar and the scatter do not render for new frames; a new request id renders the scatter', async () => {
    const first = refreshed(panelProps([], { options: { layout: 'both' } }), 1, 'r1');
    const { rerender } = render(<ApmPanel {...first} />);
    await screen.findByTestId('lgtmapm-servermap-canvas', undefined, { timeout: 20000 });
    expect(screen.getByTestId('lgtmapm-compare-toggle')).toBeTruthy();
    expect(screen.getByTestId('lgtmapm-hide-terminal')).toBeTruthy();
    const renders = () => ({
      compareBar: mockRenders.buttons.get('lgtmapm-compare-toggle'),
      toolbar: mockRenders.buttons.get('lgtmapm-hide-terminal'),
      scatter: mockRenders.scatter,
    });
    const before = renders();
    expect(before.compareBar).toBeGreaterThanOrEqual(1);
    expect(before.toolbar).toBeGreaterThanOrEqual(1);
    expect(before.scatter).toBeGreaterThanOrEqual(1);

    const counts = screen.getByTestId('lgtmapm-servermap-counts').textContent;
    act(() => rerender(<ApmPanel {...refreshed(first, 1.5, 'r1')} />));
    expect(screen.getByTestId('lgtmapm-servermap-counts').textContent).toBe(counts);
    expect(renders()).toEqual(before);

    // The counters do count: a new request (what a refresh in Grafana carries) reloads the scatter.
    act(() => rerender(<ApmPanel {...refreshed(first, 2, 'r2')} />));
    expect(mockRenders.scatter).toBeGreaterThan(before.scatter);
  });

  it("the details panel's buttons do not render for new numbers; its numbers do, and its buttons act on the latest props", async () => {
    const first = refreshed(panelProps([], { options: { layout: 'map' } }), 1, 'r1');
    const { rerender } = render(<ApmPanel {...first} />);
    await screen.findByTestId('lgtmapm-servermap-canvas', undefined, { timeout: 20000 });
    act(() => selectService('orders'));
    expect(screen.getByTestId('lgtmapm-details-title').textContent).toBe('orders');
    const buttons = () => ({ close: mockRenders.buttons.get('Close details'), focus: mockRenders.buttons.get('lgtmapm-focus') });
    const before = buttons();
    expect(before.close).toBeGreaterThanOrEqual(1);
    expect(before.focus).toBeGreaterThanOrEqual(1);
    const stats = screen.getByTestId('lgtmapm-details-stats').textContent;

    act(() => rerender(<ApmPanel {...refreshed(first, 3, 'r1')} />));
    expect(screen.getByTestId('lgtmapm-details-title').textContent).toBe('orders');
    expect(screen.getByTestId('lgtmapm-details-stats').textContent).not.toBe(stats);
    expect(buttons()).toEqual(before);

    fireEvent.click(screen.getByTestId('lgtmapm-focus'));
    expect(screen.getByTestId('lgtmapm-focus').textContent).toBe('Show whole map');
    expect(screen.getByTestId('lgtmapm-depth-inbound')).toBeTruthy();
    fireEvent.click(screen.getByTestId('lgtmapm-focus'));
    expect(screen.getByTestId('lgtmapm-focus').textContent).toBe('Focus');
    fireEvent.click(screen.getByLabelText('Close details'));
    expect(screen.queryByTestId('lgtmapm-details')).toBeNull();
  });
});
