import { type CompareThresholds, type Direction, type Presence, type TrafficDiff, type ValueChange } from './types';

/**
 * What the map draws for one compared link or node: a tone (worse / better), how strong the change is, and
 * short text. Pure, so the labels are unit-tested; the server map only paints what this says.
 */
export type Tone = 'worse' | 'better' | 'mixed' | 'neutral';

export interface ChangeMark {
  presence: Presence;
  tone: Tone;
  /** 0–1: how far past its threshold the largest change is (1 = five thresholds or more); 0 when nothing passed. */
  strength: number;
  /** The map label: the significant changes only ("p95 ×10.2 +2.6 s · err +3.5 pt"); "" when nothing passed. */
  label: string;
}

/** Five thresholds passed or more is drawn at full strength. */
const FULL_STRENGTH_AT = 5;

export function formatDurationMs(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 1000) {
    return `${(ms / 1000).toFixed(abs >= 10_000 ? 0 : 1)} s`;
  }
  return `${abs >= 10 ? Math.round(ms) : ms.toFixed(1)} ms`;
}

export function formatPerMinute(v: number): string {
  if (v >= 10_000) {
    return `${(v / 1000).toFixed(0)}k/min`;
  }
  if (v >= 1000) {
    return `${(v / 1000).toFixed(1)}k/min`;
  }
  return `${v >= 10 ? Math.round(v) : v.toFixed(1)}/min`;
}

export function formatRatio(r: number): string {
  return `×${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}`;
}

function signed(text: string, delta: number): string {
  return delta > 0 ? `+${text}` : delta < 0 ? `−${text.replace(/^-/, '')}` : `±${text}`;
}

function callsLine(c: ValueChange): string {
  if (c.current === undefined || c.baseline === undefined) {
    return 'calls/min: –';
  }
  const ratio = c.ratio !== undefined ? ` (${formatRatio(c.ratio)})` : c.note ? ` (${c.note})` : '';
  return `calls ${formatPerMinute(c.baseline)} → ${formatPerMinute(c.current)}${ratio}`;
}

function errorLine(c: ValueChange): string {
  if (c.delta === undefined) {
    return `errors: ${c.note ?? 'unknown'}`;
  }
  const ratio = c.ratio !== undefined ? `, ${formatRatio(c.ratio)}` : '';
  return `errors ${c.baseline!.toFixed(1)} % → ${c.current!.toFixed(1)} % (${signed(`${Math.abs(c.delta).toFixed(1)} pt`, c.delta)}${ratio})`;
}

function p95Line(c: ValueChange & { withinOneBucket?: boolean }): string {
  if (c.delta === undefined) {
    return `p95: ${c.note ?? 'unknown'}`;
  }
  const ratio = c.ratio !== undefined ? `, ${formatRatio(c.ratio)}` : '';
  const bucket = c.withinOneBucket ? ' · same bucket' : '';
  return `p95 ≈ ${formatDurationMs(c.baseline!)} → ≈ ${formatDurationMs(c.current!)} (${signed(formatDurationMs(Math.abs(c.delta)), c.delta)}${ratio})${bucket}`;
}

function toneOf(direction: Direction): Tone {
  return direction === 'unchanged' ? 'neutral' : direction;
}

/**
 * Every number of one link or node with its Δ and ratio, for the tooltip and the details panel. Apart from
 * `changeMark` because only the item hovered or selected needs them: formatting them for all 4,000 nodes and links
 * of a 1,000-node map took ~27 ms of the compared first paint (CPU profile, busy machine).
 */
export function changeLines(d: TrafficDiff): string[] {
  return [callsLine(d.callsPerMinute), errorLine(d.errorPercent), p95Line(d.p95Ms)];
}

/** The change on one link or node, as the map draws it. */
export function changeMark(d: TrafficDiff, t: CompareThresholds): ChangeMark {
  if (d.presence === 'new') {
    const now = d.callsPerMinute.current ?? 0;
    return { presence: 'new', tone: 'neutral', strength: 1, label: `new · ${formatPerMinute(now)}` };
  }
  if (d.presence === 'gone') {
    const was = d.callsPerMinute.baseline ?? 0;
    return { presence: 'gone', tone: 'neutral', strength: 1, label: `gone · was ${formatPerMinute(was)}` };
  }
  const parts: string[] = [];
  let passed = 0;
  const p95 = d.p95Ms;
  if (p95.significant && p95.delta !== undefined) {
    const ratio = p95.ratio !== undefined ? `${formatRatio(p95.ratio)} ` : '';
    parts.push(`p95 ${ratio}${signed(formatDurationMs(Math.abs(p95.delta)), p95.delta)}`);
    passed = Math.max(
      passed,
      p95.ratio !== undefined && t.p95Ratio > 0
        ? Math.abs(Math.log(p95.ratio)) / Math.log(1 + t.p95Ratio)
        : Math.abs(p95.delta) / Math.max(1, t.p95MinDeltaMs)
    );
  }
  const err = d.errorPercent;
  if (err.significant && err.delta !== undefined) {
    parts.push(`err ${signed(`${Math.abs(err.delta).toFixed(1)} pt`, err.delta)}`);
    passed = Math.max(passed, Math.abs(err.delta) / Math.max(t.errorPoints, 1e-9));
  }
  const calls = d.callsPerMinute;
  if (calls.significant && calls.ratio !== undefined) {
    parts.push(`calls ${formatRatio(calls.ratio)}`);
  }
  return {
    presence: 'both',
    tone: toneOf(d.direction),
    strength: Math.min(1, passed / FULL_STRENGTH_AT),
    label: parts.join(' · '),
  };
}
