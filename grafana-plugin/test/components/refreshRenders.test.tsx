import React from 'react';
import { act, render, screen } from '@testing-library/react';
import { type DataQueryRequest, type PanelProps } from '@grafana/data';
import { ApmPanel } from '../../src/components/ApmPanel';
import { type ApmPanelOptions } from '../../src/types';
import { resetSelectionStoreForTests } from '../../src/shared/selectionStore';
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
    const id = (props as { 'data-testid'?: string })['data-testid'] ?? '';
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
  beforeEach(() => resetSelectionStoreForTests());

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
});
