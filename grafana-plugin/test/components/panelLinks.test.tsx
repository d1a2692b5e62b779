import React from 'react';
import { act, render, screen } from '@testing-library/react';
import { type PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { ApmPanel } from '../../src/components/ApmPanel';
import { type ApmPanelOptions } from '../../src/types';
import { resetSelectionStoreForTests, selectService } from '../../src/shared/selectionStore';
import { demoTopology, prometheusResponse } from '../fixtures/serviceGraph';
import { framesFromResponse } from '../fixtures/load';
import { panelProps } from '../fixtures/panelProps';

function props(): PanelProps<ApmPanelOptions> {
  return panelProps(framesFromResponse(prometheusResponse(demoTopology())));
}

const href = (testId: string) =>
  new URL(screen.getByTestId(testId).getAttribute('href')!, 'https://grafana.example.test');

/**
 * The details' links as the panel renders them, in a Grafana served under a sub-path with the user in org 4:
 * every link keeps the sub-path and the org (issue 15: they hard-coded orgId=1 and 404ed under /grafana/).
 */
describe('details links in the rendered panel (jsdom)', () => {
  const saved = { appSubUrl: config.appSubUrl, bootData: config.bootData };
  beforeEach(() => {
    resetSelectionStoreForTests();
    config.appSubUrl = '/grafana/';
    config.bootData = { ...config.bootData, user: { ...config.bootData?.user, orgId: 4 } } as typeof config.bootData;
  });
  afterEach(() => {
    config.appSubUrl = saved.appSubUrl;
    config.bootData = saved.bootData;
  });

  it('Traces, Logs and Dashboard of a service keep the sub-path and the current org', async () => {
    render(<ApmPanel {...props()} />);
    await screen.findByTestId('lgtmapm-servermap-canvas', undefined, { timeout: 20000 });
    act(() => selectService('orders'));
    for (const id of ['lgtmapm-link-traces', 'lgtmapm-link-logs', 'lgtmapm-link-dashboard']) {
      const url = href(id);
      expect([id, url.pathname.startsWith('/grafana/'), url.searchParams.get('orgId')]).toEqual([id, true, '4']);
    }
    expect(href('lgtmapm-link-traces').pathname).toBe('/grafana/explore');
    expect(href('lgtmapm-link-dashboard').pathname).toBe('/grafana/d/lgtm-apm-service');
    expect(JSON.parse(href('lgtmapm-link-traces').searchParams.get('panes')!).a.queries[0].query).toContain(
      'resource.service.name = "orders"'
    );
  });

  it('a database node has a Traces button: the client spans that call it', async () => {
    render(<ApmPanel {...props()} />);
    await screen.findByTestId('lgtmapm-servermap-canvas', undefined, { timeout: 20000 });
    act(() => selectService('postgresql'));
    expect(screen.getByTestId('lgtmapm-details-title').textContent).toBe('postgresql');
    const query = JSON.parse(href('lgtmapm-link-traces').searchParams.get('panes')!).a.queries[0].query as string;
    expect(query).toMatch(/^\{ kind = client && \(span\.db\.system = "postgresql"/);
    // Logs and the service dashboard are a service's own: not offered for a database.
    expect(screen.queryByTestId('lgtmapm-link-logs')).toBeNull();
  });
});
