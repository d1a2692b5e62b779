import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { type Palette } from '../render/palette';
import { formatExactCount } from '../render/format';
import { type LoadModel } from './load';
import { type Loadable } from './useDetailsData';

const HEIGHT = 64;

function intervalText(ms: number | undefined): string {
  if (!ms) {
    return 'interval';
  }
  return ms % 3_600_000 === 0
    ? `${ms / 3_600_000} h`
    : ms % 60_000 === 0
      ? `${ms / 60_000} min`
      : `${Math.round(ms / 1000)} s`;
}

const clock = (ms: number) => dateTimeFormat(ms, { format: 'HH:mm' });

/**
 * Pinpoint's load chart, reduced to what the service graph counts: one bar per interval, successful calls
 * stacked under failed ones. `increase()` extrapolates inside each interval, so per-bar counts carry "≈"; the
 * exact totals are in the statistics table.
 */
export function LoadChart({ load, palette }: { load: Loadable<LoadModel>; palette: Palette }) {
  const styles = useStyles2(getStyles);
  if (load.status === 'loading') {
    return (
      <div className={styles.message} data-testid="lgtmapm-load-message">
        Loading load over time…
      </div>
    );
  }
  if (load.status === 'error') {
    return (
      <div className={styles.error} data-testid="lgtmapm-load-message">
        Load over time unavailable: {load.error}
      </div>
    );
  }
  const { bars, intervalMs, totalErrors } = load.value;
  if (bars.length === 0 || load.value.totalCalls <= 0) {
    return (
      <div className={styles.message} data-testid="lgtmapm-load-message">
        No calls in this time range.
      </div>
    );
  }
  const max = Math.max(...bars.map((b) => b.calls));
  const step = intervalMs ?? 0;
  const first = bars[0]!.t - step;
  const span = Math.max(1, bars[bars.length - 1]!.t - first);
  // Bars sit at their interval on a time axis, so missing intervals show as gaps, not as squeezed neighbours.
  const width = (step > 0 ? step / span : 1 / bars.length) * 100;
  return (
    <div data-testid="lgtmapm-load">
      <div className={styles.caption}>
        <span>
          Calls per {intervalText(intervalMs)}
          {totalErrors === undefined && <span className={styles.error}> · errors unknown</span>}
        </span>
        <span data-testid="lgtmapm-load-max">max ≈ {formatExactCount(max)}</span>
      </div>
      <div className={styles.plot} style={{ height: HEIGHT }}>
        {bars.map((b) => {
          const errors = Math.min(b.errors ?? 0, b.calls);
          const left = ((b.t - step - first) / span) * 100;
          const title = `${clock(b.t - step)}–${clock(b.t)}: ≈ ${formatExactCount(b.calls)} calls${
            b.errors === undefined ? '' : `, ≈ ${formatExactCount(b.errors)} errors`
          }`;
          return (
            <div
              key={b.t}
              className={styles.bar}
              style={{ left: `${left}%`, width: `calc(${width}% - 1px)`, height: `${(b.calls / max) * 100}%` }}
              title={title}
              data-testid="lgtmapm-load-bar"
              data-t={b.t}
              data-calls={b.calls}
              data-errors={b.errors ?? ''}
            >
              <div style={{ flex: b.calls - errors, background: palette.histogram.le1s }} />
              <div style={{ flex: errors, background: palette.histogram.error }} />
            </div>
          );
        })}
      </div>
      <div className={styles.axis}>
        <span>{clock(first)}</span>
        <span>
          <span className={styles.swatch} style={{ background: palette.histogram.le1s }} /> ok{' '}
          <span className={styles.swatch} style={{ background: palette.histogram.error }} /> error
        </span>
        <span>{clock(bars[bars.length - 1]!.t)}</span>
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  caption: css({
    display: 'flex',
    justifyContent: 'space-between',
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    marginBottom: 2,
  }),
  plot: css({ position: 'relative', borderBottom: `1px solid ${theme.colors.border.medium}` }),
  bar: css({
    position: 'absolute',
    bottom: 0,
    display: 'flex',
    flexDirection: 'column-reverse',
    minHeight: 1,
    overflow: 'hidden',
  }),
  axis: css({
    display: 'flex',
    justifyContent: 'space-between',
    fontSize: 10,
    color: theme.colors.text.secondary,
    marginTop: 2,
  }),
  swatch: css({ display: 'inline-block', width: 8, height: 8, borderRadius: 1, verticalAlign: 'middle' }),
  message: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  error: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.error.text }),
});
