import React, { useMemo, useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { formatDurationMs } from '../scatter/scales';
import { VirtualRows } from '../transactions/VirtualRows';
import { keyAttributes, visibleRowIndices, type CallTree, type CallTreeRow } from './buildCallTree';

export interface CallTreeViewProps {
  tree: CallTree;
  warnings: string[];
  title: string;
  height: number;
  width: number;
  onBack: () => void;
  exploreUrl?: string;
  logsUrl?: string;
}

const GRID = 'minmax(220px, 1fr) 90px 70px 80px 130px 80px';
/** Narrow panels (map and scatter side by side) drop the service column; the name's tooltip carries it. */
const GRID_COMPACT = 'minmax(120px, 1fr) 58px 66px 60px 66px';
const COMPACT_BELOW = 720;
const ROW_H = 24;

function fmt(ms: number): string {
  return ms === 0 ? '0' : formatDurationMs(ms);
}

/** Index of the span with the largest self time: where the time actually went. */
export function hottestRow(rows: CallTreeRow[]): number {
  let best = -1;
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.type === 'span' && (best < 0 || rows[i]!.selfMs > rows[best]!.selfMs)) {
      best = i;
    }
  }
  return best;
}

export function CallTreeView({ tree, warnings, title, height, width, onBack, exploreUrl, logsUrl }: CallTreeViewProps) {
  const styles = useStyles2(getStyles);
  const compact = width < COMPACT_BELOW;
  const grid = compact ? GRID_COMPACT : GRID;
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const visible = useMemo(() => visibleRowIndices(tree.rows, collapsed), [tree, collapsed]);
  const hot = useMemo(() => hottestRow(tree.rows), [tree]);
  const hotVisible = visible.indexOf(hot);
  const toggle = (i: number) =>
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(i)) {
        next.delete(i);
      } else {
        next.add(i);
      }
      return next;
    });

  return (
    <div className={styles.root} data-testid="lgtmapm-calltree">
      <div className={styles.toolbar}>
        <button className={styles.linkButton} onClick={onBack} data-testid="lgtmapm-calltree-back">
          ← Back to list
        </button>
        <span className={styles.title} title={title}>
          {title}
        </span>
        <span className={styles.weak} title={tree.services.join(', ')}>
          {tree.spanCount.toLocaleString('en-US')} spans · {fmt(tree.totalMs)}
        </span>
        <span className={styles.spacer} />
        {exploreUrl && (
          <a className={styles.linkButton} href={exploreUrl} target="_blank" rel="noreferrer" data-testid="lgtmapm-open-explore">
            Open in Explore
          </a>
        )}
        {logsUrl && (
          <a className={styles.linkButton} href={logsUrl} target="_blank" rel="noreferrer" data-testid="lgtmapm-open-logs">
            Logs for this trace
          </a>
        )}
      </div>
      <div className={cx(styles.row, styles.head)} style={{ gridTemplateColumns: grid }}>
        <span>Method</span>
        {!compact && <span>Service</span>}
        <span className={styles.num} title="Elapsed time between the start of the previous row and the entry of this one">
          Gap
        </span>
        <span className={styles.num} title="Duration from entry to exit">
          Exec
        </span>
        <span title="Light bar: when it ran within the whole trace; dark bar: its self time">Exec %</span>
        <span className={styles.num} title="Exec minus the time covered by its children">
          Self
        </span>
      </div>
      <VirtualRows
        count={visible.length}
        rowHeight={ROW_H}
        height={Math.max(ROW_H * 3, height - 56 - (warnings.length ? 20 : 0))}
        scrollToIndex={hotVisible}
        testId="lgtmapm-calltree-rows"
        renderRow={(vi, style) => {
          const index = visible[vi]!;
          const r = tree.rows[index]!;
          if (r.type === 'group') {
            return (
              <div key={`g${index}`} className={cx(styles.row, styles.group)} style={{ ...style, gridTemplateColumns: grid }}>
                <span onClick={() => toggle(index)} className={styles.name} data-testid="lgtmapm-orphan-group">
                  {collapsed.has(index) ? '▸' : '▾'} {r.label}
                </span>
              </div>
            );
          }
          const s = r.span!;
          const attrs = keyAttributes(s);
          const selfFrac = r.execMs > 0 ? r.selfMs / r.execMs : 0;
          return (
            <div
              key={s.spanId}
              className={cx(styles.row, styles.spanRow, r.failed && styles.failedRow, index === hot && styles.hotRow)}
              style={{ ...style, gridTemplateColumns: grid }}
              data-testid="lgtmapm-calltree-row"
              data-span-name={s.name}
              data-self-ms={r.selfMs}
              data-exec-ms={r.execMs}
              data-hot={index === hot ? 'true' : undefined}
              data-orphan={r.orphan ? 'true' : undefined}
              title={`${s.service} · ${s.name}${r.exception ? ` · ${r.exception.type}: ${r.exception.message}` : s.statusMessage ? ` · ${s.statusMessage}` : ''}`}
            >
              <span className={styles.name} style={{ paddingLeft: r.depth * 12 }}>
                <span className={styles.toggle} onClick={() => r.childCount && toggle(index)}>
                  {r.childCount ? (collapsed.has(index) ? '▸' : '▾') : '·'}
                </span>
                {r.exception && <span className={styles.exception}>⚠ </span>}
                <span className={styles.spanName}>{s.name}</span>
                {r.outlivesParent && <span className={styles.badge}>async</span>}
                {index === hot && <span className={styles.hotBadge}>most self time</span>}
                {attrs.map(([k, v]) => (
                  <span key={k} className={styles.attr}>
                    {k}={v}
                  </span>
                ))}
                {r.exception && <span className={styles.exceptionText}>{`${r.exception.type}: ${r.exception.message}`}</span>}
              </span>
              {!compact && <span className={styles.ellipsis}>{s.service}</span>}
              <span className={styles.num}>{fmt(r.gapMs)}</span>
              <span className={styles.num}>{fmt(r.execMs)}</span>
              <span className={styles.bar} title={`${r.execPct.toFixed(1)}%`}>
                <span
                  className={styles.barLight}
                  style={{ left: `${(r.offsetFrac * 100).toFixed(3)}%`, width: `${Math.max(0.5, r.execPct).toFixed(3)}%` }}
                >
                  <span className={styles.barDark} style={{ width: `${(selfFrac * 100).toFixed(3)}%` }} />
                </span>
              </span>
              <span className={cx(styles.num, index === hot && styles.hotText)} data-testid="lgtmapm-self">
                {fmt(r.selfMs)}
              </span>
            </div>
          );
        }}
      />
      {warnings.length > 0 && (
        <div className={styles.warning} data-testid="lgtmapm-calltree-warnings">
          {warnings.slice(0, 3).join(' · ')}
          {warnings.length > 3 ? ` · and ${warnings.length - 3} more` : ''}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ display: 'flex', flexDirection: 'column', fontSize: theme.typography.bodySmall.fontSize, minHeight: 0 }),
  toolbar: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), padding: theme.spacing(0.5, 1), minHeight: 28 }),
  title: css({ fontWeight: theme.typography.fontWeightMedium, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', maxWidth: '40%' }),
  weak: css({ color: theme.colors.text.secondary, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }),
  spacer: css({ flex: 1 }),
  linkButton: css({
    all: 'unset',
    cursor: 'pointer',
    color: theme.colors.text.link,
    whiteSpace: 'nowrap',
    '&:hover': { textDecoration: 'underline' },
  }),
  row: css({ display: 'grid', alignItems: 'center', gap: theme.spacing(1), padding: theme.spacing(0, 1) }),
  head: css({ height: 24, borderBottom: `1px solid ${theme.colors.border.medium}`, color: theme.colors.text.secondary }),
  spanRow: css({ borderBottom: `1px solid ${theme.colors.border.weak}`, '&:hover': { background: theme.colors.action.hover } }),
  failedRow: css({ background: theme.colors.error.transparent }),
  hotRow: css({ boxShadow: `inset 3px 0 0 ${theme.colors.warning.main}` }),
  hotText: css({ color: theme.colors.warning.text, fontWeight: theme.typography.fontWeightBold }),
  group: css({ color: theme.colors.text.secondary, fontStyle: 'italic', cursor: 'pointer' }),
  name: css({ display: 'flex', alignItems: 'center', gap: 6, overflow: 'hidden', whiteSpace: 'nowrap' }),
  toggle: css({ width: 10, cursor: 'pointer', color: theme.colors.text.secondary, flex: 'none' }),
  spanName: css({ flex: 'none' }),
  attr: css({ color: theme.colors.text.secondary, overflow: 'hidden', textOverflow: 'ellipsis', maxWidth: 320 }),
  badge: css({ fontSize: 10, padding: '0 4px', borderRadius: 2, background: theme.colors.info.transparent, color: theme.colors.info.text }),
  hotBadge: css({ fontSize: 10, padding: '0 4px', borderRadius: 2, background: theme.colors.warning.transparent, color: theme.colors.warning.text }),
  exception: css({ color: theme.colors.error.text }),
  exceptionText: css({ color: theme.colors.error.text, overflow: 'hidden', textOverflow: 'ellipsis' }),
  ellipsis: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  num: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  bar: css({ position: 'relative', height: 10, background: theme.colors.background.secondary }),
  barLight: css({ position: 'absolute', top: 0, bottom: 0, background: '#5bc0de', minWidth: 1 }),
  barDark: css({ position: 'absolute', left: 0, top: 0, bottom: 0, background: '#4343c8' }),
  warning: css({ color: theme.colors.warning.text, padding: theme.spacing(0.25, 1) }),
});
