import React, { useMemo, useState } from 'react';
import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { Transaction } from '../scatter/dots';
import { formatDurationMs } from '../scatter/scales';
import { rootLabel, shortTraceId, sortTransactions, transactionLabel, type SortDir, type SortKey } from './model';
import { VirtualRows } from './VirtualRows';

export interface TransactionListProps {
  transactions: Transaction[];
  /** Where the rows came from: the dots already loaded, or a Tempo query for the rectangle. */
  source: 'loaded' | 'tempo';
  /** Set when the Tempo query hit its row limit. */
  limitHit?: number;
  height: number;
  width: number;
  onOpen: (t: Transaction) => void;
  formatTime: (ms: number) => string;
}

interface Column {
  key: SortKey;
  label: string;
  width: string;
  /** Width in a narrow panel; null drops the column there. */
  compact: string | null;
  /** Shown only when some row has a value (exception, client address: only where the spans carry them). */
  optional?: (t: Transaction) => unknown;
  cell: (t: Transaction, formatTime: (ms: number) => string) => { text: string; title?: string };
}

const COLUMNS: Column[] = [
  { key: 'start', label: 'Start time', width: '100px', compact: '84px', cell: (t, f) => ({ text: f(t.startMs), title: new Date(t.startMs).toISOString() }) },
  { key: 'transaction', label: 'Transaction', width: 'minmax(120px, 1fr)', compact: 'minmax(80px, 1fr)', cell: (t) => ({ text: rootLabel(t) }) },
  { key: 'name', label: 'Endpoint', width: 'minmax(110px, 1fr)', compact: null, cell: (t) => ({ text: transactionLabel(t) }) },
  { key: 'duration', label: 'Duration', width: '76px', compact: '66px', cell: (t) => ({ text: formatDurationMs(t.durationMs) }) },
  { key: 'status', label: 'Status', width: '64px', compact: '58px', cell: (t) => ({ text: `${t.failed ? 'failed' : 'ok'}${t.httpStatus ? ` ${t.httpStatus}` : ''}` }) },
  { key: 'exception', label: 'Exception', width: 'minmax(90px, 1fr)', compact: 'minmax(60px, 0.8fr)', optional: (t) => t.exception, cell: (t) => ({ text: t.exception ?? '' }) },
  { key: 'client', label: 'Client', width: '110px', compact: null, optional: (t) => t.clientAddress, cell: (t) => ({ text: t.clientAddress ?? '' }) },
  { key: 'service', label: 'Service', width: '90px', compact: null, cell: (t) => ({ text: t.service }) },
  { key: 'traceId', label: 'Trace ID', width: '124px', compact: '112px', cell: (t) => ({ text: shortTraceId(t.traceId), title: t.traceId }) },
];
/** Below this width the endpoint, client and service columns are dropped and the others shrink. */
const COMPACT_BELOW = 640;
const ROW_H = 24;

export function TransactionList({ transactions, source, limitHit, height, width, onOpen, formatTime }: TransactionListProps) {
  const styles = useStyles2(getStyles);
  const compact = width < COMPACT_BELOW;
  const columns = useMemo(
    () => COLUMNS.filter((c) => (!compact || c.compact !== null) && (!c.optional || transactions.some((t) => c.optional!(t)))),
    [compact, transactions],
  );
  const GRID = columns.map((c) => (compact ? c.compact : c.width)).join(' ');
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: 'duration', dir: 'desc' });
  const rows = useMemo(() => sortTransactions(transactions, sort.key, sort.dir), [transactions, sort]);
  const cellClass = (key: SortKey, t: Transaction) =>
    key === 'duration'
      ? styles.num
      : key === 'status'
        ? t.failed
          ? styles.failed
          : styles.ok
        : key === 'traceId'
          ? cx(styles.ellipsis, styles.mono)
          : key === 'exception'
            ? cx(styles.ellipsis, styles.failedText)
            : styles.ellipsis;
  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: key === 'duration' ? 'desc' : 'asc' }));

  return (
    <div className={styles.root} data-testid="lgtmapm-transactions">
      <div className={styles.summary}>
        <strong data-testid="lgtmapm-transactions-count">{transactions.length.toLocaleString('en-US')}</strong>
        {` transaction${transactions.length === 1 ? '' : 's'} selected`}
        <span className={styles.weak}>
          {source === 'loaded' ? ' · from the loaded dots' : ' · queried from Tempo for this rectangle'}
          {limitHit ? ` · first ${limitHit.toLocaleString('en-US')} only (query limit)` : ''}
        </span>
      </div>
      <div className={cx(styles.row, styles.head)} style={{ gridTemplateColumns: GRID }} role="row">
        {columns.map((c) => (
          <button
            key={c.key}
            className={styles.headCell}
            onClick={() => onSort(c.key)}
            data-testid={`lgtmapm-sort-${c.key}`}
            aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
          >
            {c.label}
            {sort.key === c.key ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
          </button>
        ))}
      </div>
      {rows.length === 0 ? (
        <div className={styles.empty}>No transactions in this rectangle.</div>
      ) : (
        <VirtualRows
          count={rows.length}
          rowHeight={ROW_H}
          height={Math.max(ROW_H * 2, height - 54)}
          testId="lgtmapm-transactions-rows"
          renderRow={(i, style) => {
            const t = rows[i]!;
            return (
              <div
                key={`${t.traceId}-${t.spanId}`}
                role="row"
                className={cx(styles.row, styles.bodyRow)}
                style={{ ...style, gridTemplateColumns: GRID }}
                onClick={() => onOpen(t)}
                data-testid="lgtmapm-transaction-row"
                data-trace-id={t.traceId}
                data-duration-ms={t.durationMs}
                title="Open the call tree"
              >
                {columns.map((c) => {
                  const { text, title } = c.cell(t, formatTime);
                  return (
                    <span key={c.key} className={cellClass(c.key, t)} title={title ?? text} data-col={c.key}>
                      {text}
                    </span>
                  );
                })}
              </div>
            );
          }}
        />
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  root: css({ display: 'flex', flexDirection: 'column', fontSize: theme.typography.bodySmall.fontSize, minHeight: 0 }),
  summary: css({ padding: theme.spacing(0.5, 1), color: theme.colors.text.primary }),
  weak: css({ color: theme.colors.text.secondary }),
  row: css({ display: 'grid', alignItems: 'center', gap: theme.spacing(1), padding: theme.spacing(0, 1) }),
  head: css({ height: 26, borderBottom: `1px solid ${theme.colors.border.medium}`, color: theme.colors.text.secondary }),
  headCell: css({
    all: 'unset',
    cursor: 'pointer',
    fontWeight: theme.typography.fontWeightMedium,
    whiteSpace: 'nowrap',
    '&:hover': { color: theme.colors.text.primary },
  }),
  bodyRow: css({
    cursor: 'pointer',
    borderBottom: `1px solid ${theme.colors.border.weak}`,
    '&:hover': { background: theme.colors.action.hover },
  }),
  ellipsis: css({ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  num: css({ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }),
  ok: css({ color: theme.colors.success.text }),
  failed: css({ color: theme.colors.error.text, fontWeight: theme.typography.fontWeightMedium }),
  failedText: css({ color: theme.colors.error.text }),
  empty: css({ padding: theme.spacing(2), color: theme.colors.text.secondary }),
});
