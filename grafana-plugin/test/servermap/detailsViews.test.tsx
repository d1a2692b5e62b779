import React from 'react';
import { render, screen } from '@testing-library/react';
import { createTheme } from '@grafana/data';
import { LoadChart } from '../../src/servermap/details/LoadChart';
import { InstanceTable } from '../../src/servermap/details/InstanceTable';
import { paletteFromTheme } from '../../src/servermap/render/palette';

const palette = paletteFromTheme(createTheme());

describe('load chart states (jsdom)', () => {
  it('says it is loading, that the range is empty, or why it failed', () => {
    const { rerender } = render(<LoadChart load={{ status: 'loading' }} palette={palette} />);
    expect(screen.getByTestId('lgtmapm-load-message').textContent).toBe('Loading load over time…');
    const empty = { bars: [], totalCalls: 0, totalErrors: 0, skipped: 0 };
    rerender(<LoadChart load={{ status: 'done', value: empty }} palette={palette} />);
    expect(screen.getByTestId('lgtmapm-load-message').textContent).toBe('No calls in this time range.');
    // Intervals that exist but counted nothing are an empty range too, not a chart of zero-height bars.
    const zeros = {
      bars: [{ t: 30_000, calls: 0, errors: 0 }],
      intervalMs: 30_000,
      totalCalls: 0,
      totalErrors: 0,
      skipped: 0,
    };
    rerender(<LoadChart load={{ status: 'done', value: zeros }} palette={palette} />);
    expect(screen.getByTestId('lgtmapm-load-message').textContent).toBe('No calls in this time range.');
    rerender(<LoadChart load={{ status: 'error', error: 'Data source "mimir" not found' }} palette={palette} />);
    expect(screen.getByTestId('lgtmapm-load-message').textContent).toBe(
      'Load over time unavailable: Data source "mimir" not found'
    );
  });

  it('draws bars proportional to calls, errors stacked, and says when errors are unknown', () => {
    const value = {
      bars: [
        { t: 60_000, calls: 100, errors: 25 },
        { t: 120_000, calls: 50, errors: 0 },
        // 180 000 missing: a gap, not a squeezed neighbour.
        { t: 240_000, calls: 10, errors: 10 },
      ],
      intervalMs: 60_000,
      totalCalls: 160,
      totalErrors: 35,
      skipped: 0,
    };
    render(<LoadChart load={{ status: 'done', value }} palette={palette} />);
    const bars = screen.getAllByTestId('lgtmapm-load-bar');
    expect(bars.map((b) => b.style.height)).toEqual(['100%', '50%', '10%']);
    expect(bars.map((b) => b.style.left)).toEqual(['0%', '25%', '75%']);
    const [ok, failed] = Array.from(bars[0]!.children) as HTMLElement[];
    expect([ok!.style.flex, failed!.style.flex]).toEqual(
      ['75', '25'].map((n) => expect.stringMatching(new RegExp(`^${n}( 1 0%)?$`)))
    );
    expect(bars[0]!.title).toBe('00:00–00:01: ≈ 100 calls, ≈ 25 errors');
    expect(screen.getByTestId('lgtmapm-load-max').textContent).toBe('max ≈ 100');
    expect(screen.getByTestId('lgtmapm-load').textContent).toContain('Calls per 1 min');
    expect(screen.getByTestId('lgtmapm-load').textContent).not.toContain('errors unknown');
  });

  it('marks errors unknown when only the errors query failed', () => {
    const value = { bars: [{ t: 30_000, calls: 5 }], intervalMs: 30_000, totalCalls: 5, skipped: 0 };
    render(<LoadChart load={{ status: 'done', value }} palette={palette} />);
    expect(screen.getByTestId('lgtmapm-load').textContent).toContain('errors unknown');
  });
});

describe('instance table states (jsdom)', () => {
  it('loading, empty, error and rows with exact counts and "≈" on p95', () => {
    const { rerender } = render(<InstanceTable instances={{ status: 'loading' }} />);
    expect(screen.getByTestId('lgtmapm-instances-message').textContent).toBe('Loading instances…');
    rerender(
      <InstanceTable instances={{ status: 'done', value: { rows: [], anyTraffic: false, httpMetric: false } }} />
    );
    expect(screen.getByTestId('lgtmapm-instances-message').textContent).toBe(
      'No instance reported HTTP server metrics or target_info in this range.'
    );
    rerender(<InstanceTable instances={{ status: 'error', error: 'bad_data: parse error' }} />);
    expect(screen.getByTestId('lgtmapm-instances-message').textContent).toBe(
      'Instances unavailable: bad_data: parse error'
    );
    const rows = [
      {
        instance: '1324043e-355c-4d04-ade0-0d193d19e913',
        host: 'vm',
        pid: '27806',
        calls: 2401.7,
        errors: 140,
        errorRate: 140 / 2401.7,
        avgMs: 226.4,
        p95Ms: 1140,
      },
      { instance: 'pod-b', calls: 0, errors: 0 },
    ];
    rerender(<InstanceTable instances={{ status: 'done', value: { rows, anyTraffic: true, httpMetric: true } }} />);
    const cells = screen
      .getAllByTestId('lgtmapm-instance-row')
      .map((r) => Array.from(r.querySelectorAll('td')).map((td) => td.textContent));
    expect(cells).toEqual([
      ['1324043evm · pid 27806', '2,402', '5.8%', '226 ms', '≈ 1.14 s'],
      ['pod-b', '0', '–', '–', '–'],
    ]);
    expect(screen.getByTestId('lgtmapm-instances-caption').textContent).toBe('Instances (2) · HTTP server requests');
    // Without the HTTP server metric the roster's instances are listed with unknown numbers, not zeros.
    rerender(
      <InstanceTable
        instances={{
          status: 'done',
          value: { rows: [{ instance: 'worker-1', calls: 0, errors: 0 }], anyTraffic: false, httpMetric: false },
        }}
      />
    );
    expect(screen.getByTestId('lgtmapm-instances-caption').textContent).toBe(
      'Instances (1) · no HTTP server metric for this service'
    );
    expect(
      Array.from(screen.getByTestId('lgtmapm-instance-row').querySelectorAll('td')).map((td) => td.textContent)
    ).toEqual(['worker-1', '–', '–', '–', '–']);
  });
});
