import React from 'react';
import { css, cx } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { approx, formatExactCount, formatMs, formatPercent } from '../render/format';
import { type InstancesModel } from './instances';
import { type Loadable } from './useDetailsData';

/** Instance ids are UUIDs: the first block tells them apart in a short list; the full id is in the tooltip. */
const shortId = (id: string) => (/^[0-9a-f]{8}-/i.test(id) ? id.slice(0, 8) : id);

/**
 * Pinpoint's agent list for one service: each instance's requests, errors, average and p95 over the range,
 * from the SDK's HTTP server metric (every request, not only sampled traces).
 */
export function InstanceTable({ instances, narrow }: { instances: Loadable<InstancesModel>; narrow?: boolean }) {
  const styles = useStyles2(getStyles);
  if (instances.status === 'loading') {
    return (
      <div className={styles.message} data-testid="lgtmapm-instances-message">
        Loading instances…
      </div>
    );
  }
  if (instances.status === 'error') {
    return (
      <div className={styles.error} data-testid="lgtmapm-instances-message">
        Instances unavailable: {instances.error}
      </div>
    );
  }
  const { rows, httpMetric } = instances.value;
  if (rows.length === 0) {
    return (
      <div className={styles.message} data-testid="lgtmapm-instances-message">
        No instance reported HTTP server metrics or target_info in this range.
      </div>
    );
  }
  return (
    <div>
      <div className={styles.caption} data-testid="lgtmapm-instances-caption">
        Instances ({rows.length}) · {httpMetric ? 'HTTP server requests' : 'no HTTP server metric for this service'}
      </div>
      <table className={cx(styles.table, narrow ? styles.narrow : styles.withId)} data-testid="lgtmapm-instances">
        <thead>
          <tr>
            {!narrow && <th>Instance</th>}
            <th>Calls</th>
            <th>Err</th>
            <th>Avg</th>
            <th>p95</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const title = [r.instance, r.host && `host ${r.host}`, r.pid && `pid ${r.pid}`].filter(Boolean).join('\n');
            const who = (
              <>
                <div className={styles.id}>{shortId(r.instance)}</div>
                {(r.host || r.pid) && (
                  <div className={styles.sub}>{[r.host, r.pid && `pid ${r.pid}`].filter(Boolean).join(' · ')}</div>
                )}
              </>
            );
            return (
              <React.Fragment key={r.instance}>
                {narrow && (
                  // A narrow sheet has no room for an id column beside four numbers: the id gets its own line.
                  <tr className={styles.whoRow}>
                    <td colSpan={4} title={title}>
                      {who}
                    </td>
                  </tr>
                )}
                <tr data-testid="lgtmapm-instance-row" data-instance={r.instance} className={narrow ? styles.numbersRow : undefined}>
                  {!narrow && <td title={title}>{who}</td>}
                  <td data-testid="lgtmapm-instance-calls">{httpMetric ? formatExactCount(r.calls) : '–'}</td>
                  <td data-testid="lgtmapm-instance-errors" title={`${formatExactCount(r.errors)} errors`}>
                    {r.calls > 0 ? formatPercent(r.errorRate) : '–'}
                  </td>
                  <td data-testid="lgtmapm-instance-avg">{formatMs(r.avgMs)}</td>
                  <td data-testid="lgtmapm-instance-p95">{approx(formatMs(r.p95Ms), true)}</td>
                </tr>
              </React.Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  caption: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, marginBottom: 2 }),
  // The numbers take the width they need and are never cut (a narrow side sheet is ~200 px); the instance column
  // gets the rest: its id is cut with "…" (whole in the cell's tooltip), a long host wraps under it.
  table: css({
    width: '100%',
    tableLayout: 'auto',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    fontVariantNumeric: 'tabular-nums',
    th: {
      fontWeight: theme.typography.fontWeightRegular,
      color: theme.colors.text.secondary,
      textAlign: 'right',
      padding: '2px 0 2px 8px',
    },
    'th:first-child': { textAlign: 'left', paddingLeft: 0 },
    td: {
      textAlign: 'right',
      padding: '3px 0 3px 8px',
      borderTop: `1px solid ${theme.colors.border.weak}`,
      verticalAlign: 'top',
      whiteSpace: 'nowrap',
    },
    'td:first-child': { textAlign: 'left', paddingLeft: 0 },
  }),
  id: css({
    fontFamily: theme.typography.fontFamilyMonospace,
    fontSize: 11,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  // With the id column: it takes the width the numbers leave.
  withId: css({ 'td:first-child, th:first-child': { width: '100%', maxWidth: 0 } }),
  // Narrow: the id line spans the row, the numbers under it share the width.
  narrow: css({ 'th:first-child, tr[data-testid] td:first-child': { textAlign: 'right', paddingLeft: 0 } }),
  whoRow: css({ td: { textAlign: 'left' } }),
  numbersRow: css({ td: { borderTop: 'none', paddingTop: 0 } }),
  sub: css({ fontSize: 10, color: theme.colors.text.secondary, whiteSpace: 'normal', overflowWrap: 'anywhere' }),
  message: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  error: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.error.text }),
});
