/**
 * "Previous release": when each `service.version` of a service served traffic, read from Tempo's span metrics
 * (the metrics-generator's `traces_spanmetrics_calls_total` carries `service_version` once compose/tempo.yaml
 * lists `service.version` as a span-metrics dimension). Service-graph metrics carry no version, so a release
 * compare takes the previous version's time window as the baseline range of the map: the versions and their
 * windows come from span metrics, every number on the map still comes from the service graph over that window.
 */
import { type AbsoluteRange } from './baseline';

/** Label Tempo writes for the `service.version` dimension (dots become underscores). */
export const VERSION_LABEL = 'service_version';

/** How far back the picker looks for earlier versions. */
export const RELEASE_LOOKBACK_MS = 7 * 86_400_000;

function promqlString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Server spans of the service per version and step: a range query over the lookback. */
export function releaseQuery(service: string): { refId: string; expr: string; range: true; instant: false } {
  return {
    refId: 'releases',
    expr: `sum by (${VERSION_LABEL}) (increase(traces_spanmetrics_calls_total{service=${promqlString(service)}, span_kind="SPAN_KIND_SERVER"}[$__interval]))`,
    range: true,
    instant: false,
  };
}

export interface ReleaseWindow {
  version: string;
  /** First and last step with calls (epoch ms). */
  from: number;
  to: number;
  calls: number;
}

interface FieldLike {
  name?: string;
  type?: string;
  labels?: Record<string, string>;
  values: ArrayLike<unknown>;
}

function asNumber(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
}

/**
 * Each version's window from the range query's frames (one frame per version, or a Table frame with a
 * `service_version` column), oldest release first. Steps without calls do not count; frames without the label
 * are ignored (spans from before the dimension was configured). Never throws.
 */
export function releaseWindows(frames: readonly unknown[]): ReleaseWindow[] {
  const byVersion = new Map<string, ReleaseWindow>();
  const add = (version: string, t: number, v: number) => {
    if (!version || !Number.isFinite(t) || !Number.isFinite(v) || v <= 0) {
      return;
    }
    const w = byVersion.get(version);
    if (w) {
      w.from = Math.min(w.from, t);
      w.to = Math.max(w.to, t);
      w.calls += v;
    } else {
      byVersion.set(version, { version, from: t, to: t, calls: v });
    }
  };
  for (const frame of frames as Array<{ fields?: FieldLike[] }>) {
    const fields = Array.isArray(frame?.fields) ? frame.fields : [];
    const time = fields.find((f) => f.type === 'time' || f.name === 'Time');
    const values = fields.filter((f) => f !== time && (f.type === 'number' || f.name === 'Value'));
    const versionColumn = fields.find((f) => f.name === VERSION_LABEL);
    if (!time) {
      continue;
    }
    for (const field of values) {
      const labelled = field.labels?.[VERSION_LABEL];
      for (let i = 0; i < time.values.length; i++) {
        const version = labelled ?? (versionColumn ? String(versionColumn.values[i] ?? '') : '');
        add(version, asNumber(time.values[i]), asNumber(field.values[i]));
      }
    }
  }
  return [...byVersion.values()].sort((a, b) => a.from - b.from || a.to - b.to);
}

export type PreviousReleaseResult =
  { ok: true; current: ReleaseWindow; previous: ReleaseWindow; range: AbsoluteRange } | { ok: false; error: string };

/**
 * The version serving at the end of the current range, the one released before it, and the baseline range: the
 * last `current range length` of the previous version's window (all of it when shorter).
 */
export function previousRelease(
  windows: readonly ReleaseWindow[],
  current: AbsoluteRange,
  service: string,
  /** An earlier version picked by the user instead of the one just before the current. */
  version?: string
): PreviousReleaseResult {
  if (windows.length === 0) {
    return {
      ok: false,
      error: `No versions of ${service} in span metrics: set service.version on the service and list it as a span-metrics dimension in Tempo`,
    };
  }
  const serving = windows.filter((w) => w.from <= current.to);
  const latest = serving.reduce<ReleaseWindow | undefined>(
    (a, w) => (!a || w.to > a.to || (w.to === a.to && w.from > a.from) ? w : a),
    undefined
  );
  if (!latest) {
    return { ok: false, error: `No version of ${service} served traffic before the end of the current range` };
  }
  const earlier = windows.filter((w) => w !== latest && w.from < latest.from);
  const picked = version !== undefined ? earlier.find((w) => w.version === version) : undefined;
  if (version !== undefined && !picked) {
    return {
      ok: false,
      error: `Version ${version} of ${service} did not serve before ${latest.version} in the last 7 days`,
    };
  }
  const previous =
    picked ?? earlier.reduce<ReleaseWindow | undefined>((a, w) => (!a || w.from > a.from ? w : a), undefined);
  if (!previous) {
    return {
      ok: false,
      error: `Only one version of ${service} (${latest.version}) in the last 7 days: nothing to compare with`,
    };
  }
  const length = current.to - current.from;
  // Before the next version started (a rolling deploy overlaps them); at most the current range's length.
  const next = windows.filter((w) => w.from > previous.from).reduce((a, w) => Math.min(a, w.from), latest.from);
  const to = Math.min(previous.to, next);
  const from = Math.max(previous.from, to - length);
  // A window of a single step still needs a range: one step's worth before it.
  return { ok: true, current: latest, previous, range: to > from ? { from, to } : { from: to - 60_000, to } };
}
