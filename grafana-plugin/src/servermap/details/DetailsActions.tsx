import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2 } from '@grafana/data';
import { Button, LinkButton, RadioButtonGroup, useStyles2 } from '@grafana/ui';

/*
 * The details panel's buttons, memoised apart from its numbers: a dashboard refresh renders the details with new
 * numbers, but the same links and focus controls, and Grafana's Button, LinkButton and RadioButtonGroup build
 * their styles on every render (≈ 1 ms a button in a busy Chromium). Their props are strings, numbers and
 * callbacks that keep their identity (DetailsPanel).
 */

export const CloseDetailsButton = React.memo(function CloseDetailsButton({ onClose }: { onClose: () => void }) {
  return (
    <Button size="sm" variant="secondary" fill="text" aria-label="Close details" onClick={onClose}>
      ✕
    </Button>
  );
});

export interface DetailsLinksProps {
  traceql?: string;
  tracesHref?: string;
  /** Logs and the service dashboard: a service's own. */
  logsHref?: string;
  dashboardHref?: string;
}

export const DetailsLinks = React.memo(function DetailsLinks({ traceql, tracesHref, logsHref, dashboardHref }: DetailsLinksProps) {
  const styles = useStyles2(getStyles);
  return (
    <div className={styles.links}>
      {traceql && (
        <LinkButton size="sm" variant="secondary" href={tracesHref} target="_blank" title={traceql} data-testid="lgtmapm-link-traces">
          Traces
        </LinkButton>
      )}
      {logsHref !== undefined && (
        <LinkButton size="sm" variant="secondary" href={logsHref} target="_blank" data-testid="lgtmapm-link-logs">
          Logs
        </LinkButton>
      )}
      {dashboardHref !== undefined && (
        <LinkButton size="sm" variant="secondary" href={dashboardHref} target="_blank" data-testid="lgtmapm-link-dashboard">
          Dashboard
        </LinkButton>
      )}
    </div>
  );
});

const DEPTHS = [1, 2, 3, 4].map((d) => ({ label: String(d), value: d }));

export interface FocusControlsProps {
  focused: boolean;
  inbound: number;
  outbound: number;
  onToggleFocus: () => void;
  onInbound: (depth: number) => void;
  onOutbound: (depth: number) => void;
}

export const FocusControls = React.memo(function FocusControls(props: FocusControlsProps) {
  const styles = useStyles2(getStyles);
  const { focused } = props;
  return (
    <div className={styles.focus}>
      <Button size="sm" variant={focused ? 'primary' : 'secondary'} onClick={props.onToggleFocus} data-testid="lgtmapm-focus">
        {focused ? 'Show whole map' : 'Focus'}
      </Button>
      {focused && (
        <div className={styles.depths}>
          <span>Inbound</span>
          <div data-testid="lgtmapm-depth-inbound">
            <RadioButtonGroup size="sm" options={DEPTHS} value={props.inbound} onChange={props.onInbound} />
          </div>
          <span>Outbound</span>
          <div data-testid="lgtmapm-depth-outbound">
            <RadioButtonGroup size="sm" options={DEPTHS} value={props.outbound} onChange={props.onOutbound} />
          </div>
        </div>
      )}
    </div>
  );
});

const getStyles = (theme: GrafanaTheme2) => ({
  links: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(0.5) }),
  focus: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1) }),
  depths: css({
    display: 'grid',
    gridTemplateColumns: 'auto 1fr',
    alignItems: 'center',
    gap: theme.spacing(0.5, 1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
