import React, { useState } from 'react';
import { css } from '@emotion/css';
import { dateMath, dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Button, Combobox, Icon, Input, RadioButtonGroup, Tooltip, useStyles2 } from '@grafana/ui';
import { THRESHOLD_LEVELS, type ThresholdLevel } from '../../compare';
import { type CompareMode, type CompareState } from './useCompare';

export const COMPARE_BAR_H = 32;

/**
 * Each choice's explanation is its `ariaLabel`, which Grafana's RadioButton also shows as the label's native
 * title; a `description` would wrap every option in a floating-ui Tooltip, and mounting nine of them was a visible
 * part of what turning Compare on costs.
 */
const MODES: Array<{ value: CompareMode; label: string; ariaLabel: string }> = [
  { value: '1h', label: '1 h', ariaLabel: 'The same range, one hour earlier' },
  { value: '1d', label: '1 d', ariaLabel: 'The same range, one day earlier' },
  { value: '7d', label: '7 d', ariaLabel: 'The same range, one week earlier' },
  { value: 'custom', label: 'Custom', ariaLabel: 'A range of your own (any length: calls are compared per minute)' },
  { value: 'release', label: 'Previous release', ariaLabel: "The selected service's previous service.version" },
];

/** "1 d", "90 min": how far back Grafana's own comparison was taken. */
function formatShift(ms: number | undefined): string {
  if (ms === undefined) {
    return '?';
  }
  const units: Array<[number, string]> = [
    [604_800_000, 'w'],
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'min'],
  ];
  const [size, unit] = units.find(([size]) => ms >= size && ms % size === 0) ?? [1000, 's'];
  return `${ms / size} ${unit}`;
}

/** The picker's choices; Grafana's own "Time comparison" first when the dashboard turned it on for this panel. */
function modesOf(state: CompareState): typeof MODES {
  if (!state.grafanaAvailable) {
    return MODES;
  }
  return [
    {
      value: 'grafana',
      label: `Grafana ${formatShift(state.grafanaShiftMs)}`,
      ariaLabel: "The panel's Time comparison set in Grafana (its frames came with the data: no query of ours)",
    },
    ...MODES,
  ];
}

const LEVELS = (Object.keys(THRESHOLD_LEVELS) as ThresholdLevel[]).map((value) => ({
  value,
  label: THRESHOLD_LEVELS[value].label,
  ariaLabel: THRESHOLD_LEVELS[value].description,
}));

function formatRange(r: { from: number; to: number }): string {
  const day = (t: number) => dateTimeFormat(t, { format: 'YYYY-MM-DD' });
  const time = (t: number) => dateTimeFormat(t, { format: 'HH:mm' });
  return day(r.from) === day(r.to)
    ? `${day(r.from)} ${time(r.from)}–${time(r.to)}`
    : `${day(r.from)} ${time(r.from)} – ${day(r.to)} ${time(r.to)}`;
}

/** Parses "now-2d", "2026-11-24 11:00" and the like, as Grafana's time picker does; undefined when it cannot. */
function parseInstant(text: string, roundUp: boolean): number | undefined {
  const t = dateMath.toDateTime(text.trim(), { roundUp });
  return t && t.isValid() ? t.valueOf() : undefined;
}

function CustomRange({ state }: { state: CompareState }) {
  const styles = useStyles2(getStyles);
  const initial = state.settings.custom;
  const [from, setFrom] = useState(
    initial ? dateTimeFormat(initial.from, { format: 'YYYY-MM-DD HH:mm:ss' }) : 'now-2d'
  );
  const [to, setTo] = useState(initial ? dateTimeFormat(initial.to, { format: 'YYYY-MM-DD HH:mm:ss' }) : 'now-1d');
  const [problem, setProblem] = useState<string | undefined>();
  const apply = () => {
    const f = parseInstant(from, false);
    const t = parseInstant(to, true);
    if (f === undefined || t === undefined) {
      setProblem(`Not a time: "${f === undefined ? from : to}" (use e.g. now-2d or 2026-11-24 11:00)`);
      return;
    }
    if (f >= t) {
      setProblem('The baseline must start before it ends');
      return;
    }
    setProblem(undefined);
    state.update({ custom: { from: f, to: t } });
  };
  return (
    <span className={styles.group}>
      <Input
        className={styles.time}
        value={from}
        onChange={(e) => setFrom(e.currentTarget.value)}
        aria-label="Baseline from"
        data-testid="lgtmapm-compare-from"
      />
      <span>to</span>
      <Input
        className={styles.time}
        value={to}
        onChange={(e) => setTo(e.currentTarget.value)}
        aria-label="Baseline to"
        data-testid="lgtmapm-compare-to"
      />
      <Button size="sm" variant="secondary" onClick={apply} data-testid="lgtmapm-compare-apply">
        Apply
      </Button>
      {problem && (
        <span className={styles.error} data-testid="lgtmapm-compare-input-error">
          {problem}
        </span>
      )}
    </span>
  );
}

/** The panel header's compare controls: the toggle, the baseline picker, the threshold, and what is compared. */
/** Memoised: `useCompare` keeps its state object while nothing in it changed (a dashboard refresh with Compare off). */
export const CompareBar = React.memo(function CompareBar({ state }: { state: CompareState }) {
  const styles = useStyles2(getStyles);
  const { settings, update } = state;
  const versions = state.releases?.windows
    .filter((w) => w.version !== state.releases?.current)
    .reverse()
    .map((w) => ({ value: w.version, label: w.version, description: formatRange(w) }));
  return (
    <div
      className={styles.bar}
      style={{ height: COMPARE_BAR_H }}
      data-testid="lgtmapm-compare-bar"
      data-status={state.status}
    >
      <Button
        size="sm"
        variant={settings.on ? 'primary' : 'secondary'}
        fill={settings.on ? 'solid' : 'outline'}
        onClick={() => update({ on: !settings.on })}
        aria-pressed={settings.on}
        data-testid="lgtmapm-compare-toggle"
      >
        Compare
      </Button>
      {settings.on && (
        <>
          <span data-testid="lgtmapm-compare-mode">
            <RadioButtonGroup
              size="sm"
              options={modesOf(state)}
              value={settings.mode}
              onChange={(mode) => update({ mode, version: undefined })}
            />
          </span>
          {settings.mode === 'custom' && <CustomRange state={state} />}
          {settings.mode === 'release' && versions && versions.length > 0 && (
            <span className={styles.group} data-testid="lgtmapm-compare-versions">
              <span>{state.releases?.current ?? '?'} vs</span>
              <Combobox
                width={16}
                options={versions}
                value={state.releases?.previous ?? null}
                onChange={(v) => update({ version: v?.value })}
                aria-label="Baseline version"
              />
            </span>
          )}
          <span className={styles.label}>Hide under</span>
          <span data-testid="lgtmapm-compare-threshold">
            <RadioButtonGroup
              size="sm"
              options={LEVELS}
              value={settings.level}
              onChange={(level) => update({ level })}
            />
          </span>
          <span className={styles.status} data-testid="lgtmapm-compare-status">
            {state.status === 'loading' && 'Loading the baseline…'}
            {state.status === 'ready' && state.range && `vs ${formatRange(state.range)}`}
            {state.status === 'error' && (
              <span className={styles.error} data-testid="lgtmapm-compare-error">
                <Icon name="exclamation-triangle" /> {state.error}
              </span>
            )}
          </span>
          {state.notes.length > 0 && (
            <Tooltip
              content={
                <div>
                  {state.notes.map((n) => (
                    <div key={n}>{n}</div>
                  ))}
                </div>
              }
            >
              <span className={styles.note} data-testid="lgtmapm-compare-notes">
                <Icon name="info-circle" /> {settings.mode === 'release' ? 'span metrics' : 'notes'}
              </span>
            </Tooltip>
          )}
        </>
      )}
    </div>
  );
});

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    padding: theme.spacing(0, 0.5),
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    flex: 'none',
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  group: css({ display: 'inline-flex', alignItems: 'center', gap: theme.spacing(0.5) }),
  time: css({ width: 150 }),
  label: css({ color: theme.colors.text.secondary }),
  status: css({ color: theme.colors.text.secondary, overflow: 'hidden', textOverflow: 'ellipsis' }),
  error: css({ color: theme.colors.error.text }),
  note: css({ color: theme.colors.text.secondary, cursor: 'default' }),
});
