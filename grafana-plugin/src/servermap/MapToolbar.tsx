import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { Button, Icon, Tooltip, useStyles2 } from '@grafana/ui';

export interface MapToolbarProps {
  height: number;
  nodes: number;
  links: number;
  hideTerminal: boolean;
  onHideTerminal: (hide: boolean) => void;
  /** The focused node's name, when the map is focused on one. */
  focusName?: string;
  onClearFocus: () => void;
  /** Nodes left out by the node limit or the layout budget. */
  hidden: number;
  showAll: boolean;
  onShowAll: (all: boolean) => void;
  /** A "show all" layout is running (its progress bar has the Cancel). */
  showAllPending: boolean;
  /** The map's notes (warnings), compared by text: the view builds a new array on every render. */
  notes: readonly string[];
}

function sameNotes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((note, i) => note === b[i]);
}

/** Shallow, but the notes by text. */
function sameToolbarProps(a: MapToolbarProps, b: MapToolbarProps): boolean {
  const keys = Object.keys(a) as Array<keyof MapToolbarProps>;
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => (k === 'notes' ? sameNotes(a.notes, b.notes) : Object.is(a[k], b[k])))
  );
}

/**
 * The map's toolbar: counts, "Services only", the focus, the hidden nodes and the notes. Memoised: a dashboard
 * refresh with the same topology renders the map with new numbers but the same toolbar, and Grafana's Button
 * builds its styles on every render (≈ 1 ms a button in a busy Chromium, inside the refresh's render).
 */
export const MapToolbar = React.memo(function MapToolbar(props: MapToolbarProps) {
  const styles = useStyles2(getStyles);
  const { hideTerminal, showAll, hidden, notes } = props;
  return (
    <div className={styles.toolbar} style={{ height: props.height }}>
      <span className={styles.weak} data-testid="lgtmapm-servermap-counts">
        {props.nodes} nodes · {props.links} links
      </span>
      <Button size="sm" variant={hideTerminal ? 'primary' : 'secondary'} fill="outline" onClick={() => props.onHideTerminal(!hideTerminal)} data-testid="lgtmapm-hide-terminal">
        Services only
      </Button>
      {props.focusName !== undefined && (
        <Button size="sm" variant="secondary" fill="outline" onClick={props.onClearFocus} data-testid="lgtmapm-clear-focus">
          Focus: {props.focusName} ✕
        </Button>
      )}
      {(hidden > 0 || showAll) && !props.showAllPending && (
        <Button size="sm" variant="secondary" fill="outline" onClick={() => props.onShowAll(!showAll)} data-testid="lgtmapm-hidden-nodes">
          {showAll ? 'Show the busiest part' : `${hidden.toLocaleString('en-US')} nodes hidden · show all`}
        </Button>
      )}
      {notes.length > 0 && (
        <Tooltip content={<div>{notes.map((w) => <div key={w}>{w}</div>)}</div>}>
          <span className={styles.warn} data-testid="lgtmapm-warnings">
            <Icon name="info-circle" /> {notes.length} note{notes.length === 1 ? '' : 's'}
          </span>
        </Tooltip>
      )}
    </div>
  );
}, sameToolbarProps);

const getStyles = (theme: GrafanaTheme2) => ({
  toolbar: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1), padding: theme.spacing(0, 0.5), overflow: 'hidden', whiteSpace: 'nowrap' }),
  weak: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  warn: css({ color: theme.colors.warning.text, fontSize: theme.typography.bodySmall.fontSize, cursor: 'default' }),
});
