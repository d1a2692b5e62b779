import React from 'react';
import { css, cx } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { changeMark, formatPerMinute, type LinkDiff } from '../../compare';
import { type MapOverlayResult } from '../../servermap/ServerMapView';
import { type CompareOverlayData } from './compareOverlay';

interface Props {
  result: MapOverlayResult;
  onFocusLink: (id: string) => void;
}

/** The side list: links ranked by their change in error % and p95, then new and gone links. Click focuses one. */
export function BiggestChanges({ result, onFocusLink }: Props) {
  const styles = useStyles2(getStyles);
  const data = result.data as CompareOverlayData | undefined;
  if (!data) {
    return null;
  }
  const { diff, linkNames } = data;
  const byId = new Map(diff.links.map((l) => [l.id, l]));
  const row = (id: string, text: string, tone: string, testId: string, rank?: number) => (
    <button
      key={id}
      className={cx(styles.row, styles.tone(tone))}
      onClick={() => onFocusLink(id)}
      data-testid={testId}
      data-link-id={id}
      title={byId.get(id) ? changeMark(byId.get(id)!, diff.thresholds).lines.join('\n') : id}
    >
      <span className={styles.name}>
        {rank !== undefined && <span className={styles.rank}>{rank}.</span>}
        {linkNames.get(id) ?? id}
      </span>
      <span className={styles.change}>{text}</span>
    </button>
  );
  const gone = (l: LinkDiff | undefined) => `was ${formatPerMinute(l?.callsPerMinute.baseline ?? 0)}`;
  const added = (l: LinkDiff | undefined) => formatPerMinute(l?.callsPerMinute.current ?? 0);
  return (
    <div className={styles.root} data-testid="lgtmapm-compare-changes">
      <div className={styles.heading}>Biggest changes</div>
      {diff.biggestChanges.length === 0 && (
        <div className={styles.muted}>No link changed its error % or p95 past the threshold.</div>
      )}
      {diff.biggestChanges.map((c, i) => {
        const mark = changeMark(byId.get(c.linkId)!, diff.thresholds);
        return row(c.linkId, mark.label, c.direction, 'lgtmapm-compare-change', i + 1);
      })}
      {diff.appeared.length > 0 && <div className={styles.heading}>New links ({diff.appeared.length})</div>}
      {diff.appeared.map((id) => row(id, added(byId.get(id)), 'new', 'lgtmapm-compare-new'))}
      {diff.disappeared.length > 0 && <div className={styles.heading}>Gone links ({diff.disappeared.length})</div>}
      {diff.disappeared.map((id) => row(id, gone(byId.get(id)), 'gone', 'lgtmapm-compare-gone'))}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({
    height: '100%',
    overflowY: 'auto',
    borderRight: `1px solid ${theme.colors.border.weak}`,
    padding: theme.spacing(0.5, 1, 1, 0.5),
    display: 'flex',
    flexDirection: 'column',
    gap: 2,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  heading: css({
    fontWeight: theme.typography.fontWeightMedium,
    color: theme.colors.text.primary,
    margin: theme.spacing(0.75, 0, 0.25),
  }),
  muted: css({ color: theme.colors.text.secondary }),
  row: css({
    all: 'unset',
    boxSizing: 'border-box',
    display: 'flex',
    flexDirection: 'column',
    gap: 1,
    width: '100%',
    padding: theme.spacing(0.5, 0.75),
    borderRadius: theme.shape.radius.default,
    borderLeft: '3px solid transparent',
    cursor: 'pointer',
    '&:hover': { background: theme.colors.action.hover },
    '&:focus-visible': { outline: `2px solid ${theme.colors.primary.main}` },
  }),
  tone: (tone: string) =>
    css({
      borderLeftColor:
        tone === 'worse'
          ? theme.colors.error.main
          : tone === 'better'
            ? theme.colors.success.main
            : tone === 'mixed'
              ? theme.colors.warning.main
              : tone === 'new'
                ? theme.colors.primary.main
                : theme.colors.text.disabled,
    }),
  name: css({ color: theme.colors.text.primary, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  rank: css({ color: theme.colors.text.secondary, marginRight: 4 }),
  change: css({
    color: theme.colors.text.secondary,
    fontVariantNumeric: 'tabular-nums',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
});
