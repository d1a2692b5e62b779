import React from 'react';
import { css } from '@emotion/css';
import { type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { Badge, Button, LinkButton, RadioButtonGroup, Stack, useStyles2 } from '@grafana/ui';
import { type ServerMapEdge, type ServerMapNode, type TrafficStats } from './model';
import { HistogramBars } from './HistogramBars';
import { type Palette } from './render/palette';
import { approx, formatExactCount, formatMs, formatPercent, formatRate } from './render/format';
import { dashboardLink, edgeTraceQl, type LinkOptions, logsLink, nodeTraceQl, tracesLink } from './links';
import { instanceSelector, linkScatterNote, loadSelector, traceLinkOf } from './details/selectors';
import { useDetailsData } from './details/useDetailsData';
import { LoadChart } from './details/LoadChart';
import { InstanceTable } from './details/InstanceTable';

export interface FocusState {
  node?: string;
  inbound: number;
  outbound: number;
}

interface Props {
  node?: ServerMapNode;
  edge?: ServerMapEdge;
  nodesById: Map<string, ServerMapNode>;
  palette: Palette;
  links: LinkOptions;
  focus: FocusState;
  onFocus: (focus: FocusState) => void;
  onClose: () => void;
  /** Prometheus/Mimir data source uid for the load chart and the instance table. */
  metricsDatasource: string;
  timeRange: TimeRange;
  /** Changes on every dashboard refresh (the panel request's id), so the details query again. */
  refreshId?: string;
  /** The scatter is on screen beside the map (it then shows a picked link's calls). */
  scatterShown?: boolean;
  /** Compare: the same node's or link's numbers over the baseline range; its histogram is drawn beside this one. */
  baseline?: TrafficStats;
  /** Compare: what changed (lines of text), shown under the title. */
  changes?: string[];
}

const DEPTHS = [1, 2, 3, 4].map((d) => ({ label: String(d), value: d }));

function StatsTable({ stats, testId }: { stats: TrafficStats; testId: string }) {
  const styles = useStyles2(getStyles);
  // Percentiles come from bucket interpolation (histogram_quantile) and are always estimates: one "≈" for the row.
  const percentiles = [stats.p50Ms, stats.p95Ms, stats.p99Ms].map(formatMs).join(' / ');
  const rows: Array<[string, string, string]> = [
    ['Calls', formatExactCount(stats.calls), 'calls'],
    ['Rate', formatRate(stats.ratePerSecond), 'rate'],
    [
      'Errors',
      stats.errors === undefined ? 'unknown' : `${formatExactCount(stats.errors)} (${formatPercent(stats.errorRate)})`,
      'errors',
    ],
    ['Avg', approx(formatMs(stats.avgMs), stats.avgApproximate), 'avg'],
    ['p50 / p95 / p99', stats.p50Ms === undefined ? percentiles : `≈ ${percentiles}`, 'percentiles'],
    ['Apdex', stats.apdex === undefined ? '–' : approx(stats.apdex.toFixed(2), stats.apdexApproximate), 'apdex'],
  ];
  return (
    <table className={styles.table} data-testid={testId}>
      <tbody>
        {rows.map(([k, v, id]) => (
          <tr key={k} data-testid={`${testId}-${id}`}>
            <th>{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * Side panel for the clicked node or link: Pinpoint's histogram, statistics, load over time, instances and
 * drill-down links.
 */
export function DetailsPanel(props: Props) {
  const { node, edge, nodesById, palette, links, focus, onFocus, onClose } = props;
  const { metricsDatasource, timeRange, refreshId, scatterShown } = props;
  const { baseline, changes } = props;
  const styles = useStyles2(getStyles);
  const stats = node ? node.inbound : edge?.stats;
  const source = edge ? nodesById.get(edge.source) : undefined;
  const target = edge ? nodesById.get(edge.target) : undefined;
  const details = useDetailsData(
    metricsDatasource,
    loadSelector(node, source && target ? { source, target } : undefined),
    instanceSelector(node),
    timeRange,
    refreshId
  );
  if (!stats || (!node && !edge)) {
    return null;
  }
  const title = node ? node.name : `${source?.name ?? edge!.source} → ${target?.name ?? edge!.target}`;
  const traceql = node
    ? nodeTraceQl(node)
    : source && target
      ? edgeTraceQl(source, target, edge?.connectionType || undefined)
      : undefined;
  const focused = node !== undefined && focus.node === node.id;

  return (
    <div className={styles.panel} data-testid="lgtmapm-details">
      <div className={styles.header}>
        <div className={styles.title} data-testid="lgtmapm-details-title" title={title}>
          {title}
        </div>
        <Button size="sm" variant="secondary" fill="text" aria-label="Close details" onClick={onClose}>
          ✕
        </Button>
      </div>
      <Stack gap={0.5} wrap="wrap">
        {node && <Badge color="blue" text={node.system ? `${node.kind} · ${node.system}` : node.kind} />}
        {node?.instances !== undefined && (
          <Badge
            color="green"
            text={`${node.instances} instance${node.instances === 1 ? '' : 's'}`}
            data-testid="lgtmapm-details-instances"
          />
        )}
        {edge && edge.connectionType && <Badge color="purple" text={edge.connectionType} />}
        {node && node.kind === 'user' && (
          <Badge color="blue" text={`${formatExactCount(node.outbound.calls)} requests sent`} />
        )}
      </Stack>
      {changes && changes.length > 0 && (
        <div className={styles.muted} data-testid="lgtmapm-details-changes">
          {changes.map((c) => (
            <div key={c}>{c}</div>
          ))}
        </div>
      )}
      {stats.histogram ? (
        <HistogramBars histogram={stats.histogram} palette={palette} baseline={baseline?.histogram} />
      ) : (
        node?.kind !== 'user' && (
          <div className={styles.muted}>No latency histogram for this {node ? 'node' : 'link'}.</div>
        )
      )}
      {node?.kind !== 'user' && <StatsTable stats={stats} testId="lgtmapm-details-stats" />}
      {details.load && <LoadChart load={details.load} palette={palette} />}
      {details.instances && <InstanceTable instances={details.instances} />}
      {scatterShown && edge && source && target && (
        <div className={styles.muted} data-testid="lgtmapm-details-scatter-note">
          {linkScatterNote(traceLinkOf(edge, source, target))}
        </div>
      )}
      <div className={styles.links}>
        {traceql && (
          <LinkButton
            size="sm"
            variant="secondary"
            href={tracesLink(traceql, links)}
            target="_blank"
            title={traceql}
            data-testid="lgtmapm-link-traces"
          >
            Traces
          </LinkButton>
        )}
        {node?.kind === 'service' && (
          <>
            <LinkButton
              size="sm"
              variant="secondary"
              href={logsLink(node.name, links)}
              target="_blank"
              data-testid="lgtmapm-link-logs"
            >
              Logs
            </LinkButton>
            <LinkButton
              size="sm"
              variant="secondary"
              href={dashboardLink(node.name, links)}
              target="_blank"
              data-testid="lgtmapm-link-dashboard"
            >
              Dashboard
            </LinkButton>
          </>
        )}
      </div>
      {node && (
        <div className={styles.focus}>
          <Button
            size="sm"
            variant={focused ? 'primary' : 'secondary'}
            onClick={() => onFocus({ ...focus, node: focused ? undefined : node.id })}
            data-testid="lgtmapm-focus"
          >
            {focused ? 'Show whole map' : 'Focus'}
          </Button>
          {focused && (
            <div className={styles.depths}>
              <span>Inbound</span>
              <div data-testid="lgtmapm-depth-inbound">
                <RadioButtonGroup
                  size="sm"
                  options={DEPTHS}
                  value={focus.inbound}
                  onChange={(v) => onFocus({ ...focus, inbound: v })}
                />
              </div>
              <span>Outbound</span>
              <div data-testid="lgtmapm-depth-outbound">
                <RadioButtonGroup
                  size="sm"
                  options={DEPTHS}
                  value={focus.outbound}
                  onChange={(v) => onFocus({ ...focus, outbound: v })}
                />
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    position: 'absolute',
    top: theme.spacing(1),
    right: theme.spacing(1),
    bottom: theme.spacing(1),
    width: 280,
    overflowY: 'auto',
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    boxShadow: theme.shadows.z2,
    padding: theme.spacing(1.5),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.5),
  }),
  header: css({ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: theme.spacing(1) }),
  title: css({
    fontSize: theme.typography.h5.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  table: css({
    width: '100%',
    fontSize: theme.typography.bodySmall.fontSize,
    th: {
      fontWeight: theme.typography.fontWeightRegular,
      color: theme.colors.text.secondary,
      textAlign: 'left',
      padding: '2px 0',
    },
    td: { textAlign: 'right', fontVariantNumeric: 'tabular-nums' },
  }),
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
