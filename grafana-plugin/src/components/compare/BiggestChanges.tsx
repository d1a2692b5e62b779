import React, { useEffect, useState } from 'react';
import { css, cx } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import { changeMark, formatPerMinute, type LinkDiff } from '../../compare';
import { type MapOverlayResult } from '../../servermap/ServerMapView';
import { whenIdle } from '../../shared/whenIdle';
import { type CompareOverlayData } from './compareOverlay';

type Tone = 'worse' | 'better' | 'mixed' | 'new' | 'gone';

interface Props {
  result: MapOverlayResult;
  onFocusLink: (id: string) => void;
}

/** Rows per section: the top of each list is what is read; the map marks every change. */
export const MAX_ROWS = 25;

/**
 * False until the browser is idle after the first frame this list was mounted in: turning Compare on paints the
 * compared map first, and the rows (some 75 buttons to create, style, lay out and paint: a third of what the
 * toggle's frame cost in a trace at 1,000 nodes) follow in the next idle period, within `ROWS_AT_MOST_MS`.
 */
function useAfterFirstPaint(): boolean {
  const [painted, setPainted] = useState(false);
  useEffect(() => {
    if (painted) {
      return;
    }
    let cancelIdle: (() => void) | undefined;
    const frame = requestAnimationFrame(() => {
      cancelIdle = whenIdle(() => setPainted(true), ROWS_AT_MOST_MS);
    });
    return () => {
      cancelAnimationFrame(frame);
      cancelIdle?.();
    };
  }, [painted]);
  return painted;
}

/** The rows wait for an idle period after the map's paint, at most this long on a busy page. */
const ROWS_AT_MOST_MS = 300;

/** The side list: links ranked by their change in error % and p95, then new and gone links. Click focuses one. */
export function BiggestChanges({ result, onFocusLink }: Props) {
  const styles = useStyles2(getStyles);
  const painted = useAfterFirstPaint();
  const data = result.data as CompareOverlayData | undefined;
  if (!data) {
    return null;
  }
  if (!painted) {
    return (
      <div className={styles.root} data-testid="lgtmapm-compare-changes" data-rows="pending">
        <div className={styles.heading}>Biggest changes</div>
      </div>
    );
  }
  const { diff, linkNames, linksById: byId } = data;
  const more = (total: number) =>
    total > MAX_ROWS && (
      <div className={styles.muted} data-testid="lgtmapm-compare-more">
        and {total - MAX_ROWS} more, marked on the map
      </div>
    );
  const row = (id: string, text: string, tone: Tone, testId: string, rank?: number) => (
    <button
      key={id}
      className={cx(styles.row, styles[tone])}
      onClick={() => onFocusLink(id)}
      data-testid={testId}
      data-link-id={id}
      title={result.changes?.get(id)?.join('\n') ?? id}
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
    <div className={styles.root} data-testid="lgtmapm-compare-changes" data-rows="shown">
      <div className={styles.heading}>Biggest changes</div>
      {diff.biggestChanges.length === 0 && (
        <div className={styles.muted}>No link changed its error % or p95 past the threshold.</div>
      )}
      {diff.biggestChanges.slice(0, MAX_ROWS).map((c, i) => {
        // The overlay marked every link already; computed again only for a result without marks.
        const mark = result.marks.edges.get(c.linkId) ?? changeMark(byId.get(c.linkId)!, diff.thresholds);
        const tone: Tone = c.direction === 'unchanged' ? 'gone' : c.direction;
        return row(c.linkId, mark.label, tone, 'lgtmapm-compare-change', i + 1);
      })}
      {more(diff.biggestChanges.length)}
      {diff.appeared.length > 0 && <div className={styles.heading}>New links ({diff.appeared.length})</div>}
      {diff.appeared.slice(0, MAX_ROWS).map((id) => row(id, added(byId.get(id)), 'new', 'lgtmapm-compare-new'))}
      {more(diff.appeared.length)}
      {diff.disappeared.length > 0 && <div className={styles.heading}>Gone links ({diff.disappeared.length})</div>}
      {diff.disappeared.slice(0, MAX_ROWS).map((id) => row(id, gone(byId.get(id)), 'gone', 'lgtmapm-compare-gone'))}
      {more(diff.disappeared.length)}
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
  worse: css({ borderLeftColor: theme.colors.error.main }),
  better: css({ borderLeftColor: theme.colors.success.main }),
  mixed: css({ borderLeftColor: theme.colors.warning.main }),
  new: css({ borderLeftColor: theme.colors.primary.main }),
  gone: css({ borderLeftColor: theme.colors.text.disabled }),
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
