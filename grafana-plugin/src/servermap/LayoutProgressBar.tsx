import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { Button, useStyles2 } from '@grafana/ui';
import { type LayoutPending } from './useMapLayout';

const PHASES: Record<string, string> = {
  queued: 'starting',
  budget: 'sizing',
  layering: 'layering',
  ordering: 'ordering',
  coordinates: 'placing',
  routing: 'routing links',
};

/**
 * A layout running in the worker: what it does, how long it has run, and Cancel. The map stays usable meanwhile
 * (the layout is off the main thread), so this is a strip over the map, not a blocking overlay.
 */
export function LayoutProgressBar({
  pending,
  onCancel,
  inline = false,
}: {
  pending: LayoutPending;
  onCancel: () => void;
  inline?: boolean;
}) {
  const styles = useStyles2(getStyles);
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(t);
  }, []);
  const p = pending.progress;
  const seconds = Math.max(0, (now - pending.startedAt) / 1000);
  const fraction = p?.phase === 'ordering' ? p.fraction : undefined;
  return (
    <div className={inline ? styles.inline : styles.strip} data-testid="lgtmapm-layout-progress" role="status">
      <span>
        Laying out {pending.nodes.toLocaleString('en-US')} nodes · {PHASES[p?.phase ?? 'queued']}
        {fraction !== undefined ? ` ${Math.round(fraction * 100)} %` : ''} · {seconds.toFixed(0)} s
      </span>
      <progress className={styles.bar} max={1} value={fraction} data-testid="lgtmapm-layout-progress-bar" />
      {pending.all && (
        <Button size="sm" variant="secondary" onClick={onCancel} data-testid="lgtmapm-layout-cancel">
          Cancel
        </Button>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  strip: css({
    position: 'absolute',
    top: 36,
    left: theme.spacing(1),
    zIndex: 2,
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0.5, 1),
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.medium}`,
    borderRadius: theme.shape.radius.default,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  inline: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  bar: css({ width: 120 }),
});
