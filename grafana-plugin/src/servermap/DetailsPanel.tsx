import React, { useCallback } from 'react';
import { css, cx } from '@emotion/css';
import { type GrafanaTheme2, type TimeRange } from '@grafana/data';
import { Badge, Stack, useStyles2, useTheme2 } from '@grafana/ui';
import { type ServerMapEdge, type ServerMapNode, type TrafficStats } from './model';
import { HistogramBars } from './HistogramBars';
import { type Palette } from './render/palette';
import { approx, formatExactCount, formatMs, formatPercent, formatRate } from './render/format';
import { dashboardLink, edgeTraceQl, type LinkOptions, logsLink, nodeTraceQl, tracesLink } from './links';
import { instanceSelector, linkScatterNote, loadSelector, traceLinkOf } from './details/selectors';
import { useDetailsData } from './details/useDetailsData';
import { LoadChart } from './details/LoadChart';
import { InstanceTable } from './details/InstanceTable';
import { type DetailsSheet } from './details/sheet';
import { CloseDetailsButton, DetailsLinks, FocusControls } from './details/DetailsActions';
import { useLatest } from '../shared/useLatest';

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
  /** Where the panel sits beside the map (details/sheet.ts) and how much room it has. */
  sheet: DetailsSheet;
  /** Height of the map's toolbar: a side sheet starts below it. */
  top: number;
}

/** Below this content width the histogram is drawn as rows: five columns would be too narrow for their counts. */
const HISTOGRAM_COLUMNS_MIN_W = 250;
/** Below this content width an instance's id goes on its own line above its numbers. */
const INSTANCE_ID_COLUMN_MIN_W = 250;


function StatsTable({ stats, testId }: { stats: TrafficStats; testId: string }) {
  const styles = useStyles2(getStyles);
  // Percentiles come from bucket interpolation (histogram_quantile) and are always estimates: one "≈" for the row.
  // Each value unbroken ("≈ 90 ms", "2.45 s"): a narrow sheet wraps the row at its " / " only.
  const estimated = stats.p50Ms !== undefined;
  const values = [stats.p50Ms, stats.p95Ms, stats.p99Ms].map(formatMs);
  const percentiles = values.map((v, i) => (
    <React.Fragment key={i}>
      {i > 0 && ' '}
      <span className={styles.nowrap}>
        {i === 0 && estimated ? `≈ ${v}` : v}
        {i < values.length - 1 && ' /'}
      </span>
    </React.Fragment>
  ));
  const rows: Array<[string, React.ReactNode, string]> = [
    ['Calls', formatExactCount(stats.calls), 'calls'],
    ['Rate', formatRate(stats.ratePerSecond), 'rate'],
    [
      'Errors',
      stats.errors === undefined ? 'unknown' : `${formatExactCount(stats.errors)} (${formatPercent(stats.errorRate)})`,
      'errors',
    ],
    ['Avg', approx(formatMs(stats.avgMs), stats.avgApproximate), 'avg'],
    ['p50 / p95 / p99', percentiles, 'percentiles'],
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
  const { node, edge, nodesById, palette, links, focus } = props;
  const { metricsDatasource, timeRange, refreshId, scatterShown } = props;
  const { baseline, changes, sheet, top } = props;
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const stats = node ? node.inbound : edge?.stats;
  const source = edge ? nodesById.get(edge.source) : undefined;
  const target = edge ? nodesById.get(edge.target) : undefined;
  // The buttons' callbacks keep their identity (the view hands new closures on every render) and act on the
  // latest props: the memoised buttons then do not render again for new numbers.
  const latestRef = useLatest(props);
  const close = useCallback(() => latestRef.current.onClose(), [latestRef]);
  const toggleFocus = useCallback(() => {
    const { node: n, focus: f, onFocus: set } = latestRef.current;
    if (n) {
      set({ ...f, node: f.node === n.id ? undefined : n.id });
    }
  }, [latestRef]);
  const setInbound = useCallback((inbound: number) => latestRef.current.onFocus({ ...latestRef.current.focus, inbound }), [latestRef]);
  const setOutbound = useCallback((outbound: number) => latestRef.current.onFocus({ ...latestRef.current.focus, outbound }), [latestRef]);
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
  const bottom = sheet.placement === 'bottom';
  const padding = theme.spacing.gridSize * (bottom || sheet.width < 260 ? 1 : 1.5);
  const contentW = (bottom ? Math.min(360, sheet.mapWidth / 2) : sheet.width) - 2 * padding - 2;
  const place: React.CSSProperties = bottom
    ? { left: 0, right: 0, bottom: 0, height: sheet.height, padding }
    : { top: sheet.placement === 'side' ? top : top + theme.spacing.gridSize, right: 0, bottom: 0, width: sheet.width, padding };

  return (
    <div
      className={cx(styles.panel, sheet.placement === 'overlay' && styles.overlay, bottom && styles.bottom)}
      style={place}
      data-testid="lgtmapm-details"
      data-placement={sheet.placement}
    >
      <div className={styles.header} data-wide>
        <div className={styles.title} data-testid="lgtmapm-details-title" title={title}>
          {title}
        </div>
        <CloseDetailsButton onClose={close} />
      </div>
      <div data-wide>
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
      </div>
      {changes && changes.length > 0 && (
        <div className={styles.muted} data-testid="lgtmapm-details-changes">
          {changes.map((c) => (
            <div key={c}>{c}</div>
          ))}
        </div>
      )}
      {stats.histogram ? (
        <HistogramBars histogram={stats.histogram} palette={palette} baseline={baseline?.histogram} rows={contentW < HISTOGRAM_COLUMNS_MIN_W} width={contentW} />
      ) : (
        node?.kind !== 'user' && (
          <div className={styles.muted}>No latency histogram for this {node ? 'node' : 'link'}.</div>
        )
      )}
      {node?.kind !== 'user' && <StatsTable stats={stats} testId="lgtmapm-details-stats" />}
      {details.load && <LoadChart load={details.load} palette={palette} />}
      {details.instances && <InstanceTable instances={details.instances} narrow={contentW < INSTANCE_ID_COLUMN_MIN_W} />}
      {scatterShown && edge && source && target && (
        <div className={styles.muted} data-testid="lgtmapm-details-scatter-note">
          {linkScatterNote(traceLinkOf(edge, source, target))}
        </div>
      )}
      <DetailsLinks
        traceql={traceql}
        tracesHref={traceql ? tracesLink(traceql, links) : undefined}
        logsHref={node?.kind === 'service' ? logsLink(node.name, links) : undefined}
        dashboardHref={node?.kind === 'service' ? dashboardLink(node.name, links) : undefined}
      />
      {node && (
        <FocusControls
          focused={focused}
          inbound={focus.inbound}
          outbound={focus.outbound}
          onToggleFocus={toggleFocus}
          onInbound={setInbound}
          onOutbound={setOutbound}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({
    position: 'absolute',
    boxSizing: 'border-box',
    overflowY: 'auto',
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1.25),
  }),
  // Over the map (very small panels only): lifted off it.
  overlay: css({ boxShadow: theme.shadows.z2 }),
  // A bottom sheet lays its sections out side by side, in as many columns as its width holds.
  bottom: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(220px, 1fr))',
    alignContent: 'start',
    columnGap: theme.spacing(2),
    '& > [data-wide]': { gridColumn: '1 / -1' },
  }),
  header: css({ display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: theme.spacing(1) }),
  title: css({
    fontSize: theme.typography.h5.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  }),
  nowrap: css({ whiteSpace: 'nowrap' }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  table: css({
    width: '100%',
    fontSize: theme.typography.bodySmall.fontSize,
    th: {
      fontWeight: theme.typography.fontWeightRegular,
      color: theme.colors.text.secondary,
      textAlign: 'left',
      verticalAlign: 'top',
      whiteSpace: 'nowrap',
      padding: '2px 8px 2px 0',
    },
    // Numbers wrap at their " / " rather than running into the row's name.
    td: { textAlign: 'right', fontVariantNumeric: 'tabular-nums', padding: '2px 0' },
  }),
});
