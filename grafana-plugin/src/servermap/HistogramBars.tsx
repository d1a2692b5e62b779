import React, { useLayoutEffect, useRef, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { type PinpointHistogram } from './model';
import { type Palette } from './render/palette';
import { approx, formatExactCount } from './render/format';

const BARS: Array<{ key: keyof Omit<PinpointHistogram, 'approximate'>; label: string }> = [
  { key: 'le1s', label: '1s' },
  { key: 'le3s', label: '3s' },
  { key: 'le5s', label: '5s' },
  { key: 'slow', label: 'Slow' },
  { key: 'error', label: 'Error' },
];

/** A row bar's width: proportional, at least 2 px when the count is not 0 (as the columns' minimum height). */
const rowWidth = (value: number, max: number) => (value > 0 ? `max(2px, ${(value / max) * 100}%)` : '0');

interface HistogramBarsProps {
  histogram: PinpointHistogram;
  palette: Palette;
  /** Compare: the baseline's counts, drawn as a grey bar beside each current one on the same scale. */
  baseline?: PinpointHistogram;
  /**
   * One row per bar (label, bar, count) instead of columns: on a narrow details sheet five columns are too narrow
   * for counts like "13,100", which would run into each other. Columns whose counts do not fit (say
   * "≈ 12,757,114" beside four others) turn into rows too, whatever the sheet's width.
   */
  rows?: boolean;
  /** The sheet's content width: columns are measured again when it changes. */
  width?: number;
}

/** Pinpoint's response summary: five bars with their counts (and the baseline's beside them while comparing). */
export function HistogramBars({ histogram, palette, baseline, rows, width }: HistogramBarsProps) {
  const styles = useStyles2(getStyles);
  // The counts' widths depend on the font and the digits: measure the columns as drawn, and switch to rows
  // before the paint when they are wider than the chart (the texts and the chart width are the key).
  const chartRef = useRef<HTMLDivElement>(null);
  const [overflowing, setOverflowing] = useState<string>();
  const max = Math.max(1, ...BARS.map((b) => histogram[b.key]), ...(baseline ? BARS.map((b) => baseline[b.key]) : []));
  const count = (h: PinpointHistogram, key: (typeof BARS)[number]['key']) => approx(formatExactCount(h[key]), h.approximate && key !== 'error');
  const notes = (
    <>
      {baseline && <div className={styles.note}>Grey bars and (counts): the baseline range. Counts are over each range, not per minute.</div>}
      {histogram.approximate && (
        <div className={styles.note}>Approximate: the latency buckets do not include 1 s, 3 s and 5 s bounds.</div>
      )}
    </>
  );
  const fitKey = [width, ...BARS.map((b) => count(histogram, b.key)), ...(baseline ? BARS.map((b) => count(baseline, b.key)) : [])].join('|');
  const asRows = rows || overflowing === fitKey;
  useLayoutEffect(() => {
    const chart = chartRef.current;
    if (chart && chart.scrollWidth > chart.clientWidth + 1) {
      setOverflowing(fitKey);
    }
  }, [fitKey, rows]);
  if (asRows) {
    return (
      <div>
        <div className={styles.rows} data-testid="lgtmapm-histogram" data-layout="rows">
          {BARS.map((b) => (
            <div key={b.key} className={styles.row} data-testid={`lgtmapm-histogram-${b.key}`} data-value={Math.round(histogram[b.key])} title={`${b.label}: ${count(histogram, b.key)}`}>
              <span className={styles.rowLabel}>{b.label}</span>
              <div className={styles.rowBars}>
                <div className={styles.rowBar} style={{ width: rowWidth(histogram[b.key], max), background: palette.histogram[b.key] }} />
                {baseline && (
                  <div className={styles.rowBar} style={{ width: rowWidth(baseline[b.key], max), background: palette.textWeak, opacity: 0.55 }} />
                )}
              </div>
              <span className={styles.rowCount} data-testid="lgtmapm-histogram-count">
                {count(histogram, b.key)}
                {baseline && (
                  <span className={styles.baselineCount} data-testid={`lgtmapm-histogram-baseline-${b.key}`} data-value={Math.round(baseline[b.key])}>
                    {' '}({count(baseline, b.key)})
                  </span>
                )}
              </span>
            </div>
          ))}
        </div>
        {notes}
      </div>
    );
  }
  return (
    <div>
      <div ref={chartRef} className={styles.chart} style={baseline ? { height: 120 } : undefined} data-testid="lgtmapm-histogram" data-layout="columns">
        {BARS.map((b) => {
          const value = histogram[b.key];
          return (
            <div key={b.key} className={styles.col} data-testid={`lgtmapm-histogram-${b.key}`} data-value={Math.round(value)} title={`${b.label}: ${approx(formatExactCount(value), histogram.approximate && b.key !== 'error')}`}>
              <span className={styles.count} data-testid="lgtmapm-histogram-count">{approx(formatExactCount(value), histogram.approximate && b.key !== 'error')}</span>
              {baseline && (
                <span className={styles.baselineCount} data-testid={`lgtmapm-histogram-baseline-${b.key}`} data-value={Math.round(baseline[b.key])}>
                  ({approx(formatExactCount(baseline[b.key]), baseline.approximate && b.key !== 'error')})
                </span>
              )}
              <div className={styles.bars}>
                {baseline && (
                  <div
                    className={styles.bar}
                    style={{ height: `${Math.max(baseline[b.key] > 0 ? 2 : 0, (baseline[b.key] / max) * 64)}px`, background: palette.textWeak, opacity: 0.55 }}
                  />
                )}
                <div
                  className={styles.bar}
                  style={{ height: `${Math.max(value > 0 ? 2 : 0, (value / max) * 64)}px`, background: palette.histogram[b.key] }}
                />
              </div>
              <span className={styles.label}>{b.label}</span>
            </div>
          );
        })}
      </div>
      {notes}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  chart: css({ display: 'flex', alignItems: 'flex-end', gap: theme.spacing(1), height: 100, padding: theme.spacing(0, 0.5) }),
  col: css({ flex: 1, display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'flex-end', height: '100%' }),
  bars: css({ display: 'flex', alignItems: 'flex-end', gap: 2, width: '100%' }),
  baselineCount: css({ fontSize: 11, color: theme.colors.text.secondary, marginBottom: 2, whiteSpace: 'nowrap' }),
  bar: css({ flex: 1, width: '100%', borderRadius: `${theme.shape.radius.default} ${theme.shape.radius.default} 0 0` }),
  // One line: a wrapped "≈ 12,796" grew the column past the chart's height and its "≈" rose into the badges above.
  count: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, marginBottom: 2, whiteSpace: 'nowrap' }),
  label: css({ fontSize: theme.typography.bodySmall.fontSize, marginTop: 2 }),
  rows: css({ display: 'flex', flexDirection: 'column', gap: 3, fontSize: theme.typography.bodySmall.fontSize }),
  row: css({ display: 'grid', gridTemplateColumns: '36px 1fr auto', alignItems: 'center', gap: theme.spacing(0.75) }),
  rowLabel: css({ whiteSpace: 'nowrap' }),
  rowBars: css({ display: 'flex', flexDirection: 'column', gap: 1, minWidth: 0 }),
  rowBar: css({ height: 8, borderRadius: 1 }),
  rowCount: css({ color: theme.colors.text.secondary, whiteSpace: 'nowrap', textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  note: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
});
