/**
 * Structural view of Grafana data frames: just what the model reads, so the model needs no Grafana runtime and
 * accepts both `DataFrame`s and plain objects in the same shape.
 */
export interface FieldLike {
  name: string;
  type?: string;
  labels?: Record<string, string>;
  values: ArrayLike<unknown>;
  config?: { displayNameFromDS?: string; displayName?: string };
}

export interface FrameLike {
  name?: string;
  refId?: string;
  fields: FieldLike[];
  meta?: { type?: string; executedQueryString?: string; preferredVisualisationType?: string; custom?: unknown };
}

/**
 * A frame the model reads (anything else in `data.series` is skipped): the model build, the packer and the
 * refresh's check must agree on it, or a refill would not be what a pack of the same frames is.
 */
export function isUsableFrame(f: FrameLike | null | undefined): f is FrameLike {
  return !!f && Array.isArray(f.fields);
}

/**
 * One labelled series from a Prometheus frame: label set plus its sample values, oldest first. Sample times are
 * not kept: the map only needs the newest value or the increase over the samples, and a large map has tens of
 * thousands of series.
 */
export interface Series {
  /** The frame field's own labels (shared, read-only). */
  readonly labels: Readonly<Record<string, string>>;
  values: number[];
  /** NaN/±Inf/null samples skipped while reading. */
  skipped: number;
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'string' && v.trim() !== '') {
    return Number(v);
  }
  return Number.NaN;
}

function isTimeField(f: FieldLike): boolean {
  return f.type === 'time' || f.name === 'Time' || f.name === 'time';
}

function isNumberField(f: FieldLike): boolean {
  if (f.type !== undefined) {
    return f.type === 'number';
  }
  return f.values.length > 0 && typeof f.values[0] === 'number';
}

/**
 * Reads Prometheus-style frames into series. Handles the two shapes Grafana's Prometheus data source emits:
 * time series ("Time" + one "Value" field per frame, labels on the value field; instant = 1 row, range = n rows)
 * and table format (one string field per label, one row per series, a "Value" / "Value #refId" number field).
 */
export function readSeries(frames: FrameLike[]): Series[] {
  const out: Series[] = [];
  // One pass over the fields of each frame: the map's queries return one small frame per series (thousands of
  // frames for a large map), so per-frame work dominates the model build.
  const numberFields: FieldLike[] = [];
  const stringFields: FieldLike[] = [];
  for (let fi = 0; fi < frames.length; fi++) {
    const fields = frames[fi]!.fields ?? [];
    numberFields.length = 0;
    stringFields.length = 0;
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k]!;
      if (isTimeField(f)) {
        // Sample times are not needed (see Series); the time column is neither a label nor a value.
        continue;
      }
      if (isNumberField(f)) {
        numberFields.push(f);
      } else {
        stringFields.push(f);
      }
    }
    const looksLikeTable = stringFields.length > 0 && numberFields.length === 1 && !numberFields[0]!.labels;
    if (looksLikeTable) {
      const valueField = numberFields[0]!;
      for (let row = 0; row < valueField.values.length; row++) {
        const labels: Record<string, string> = {};
        for (let k = 0; k < stringFields.length; k++) {
          const f = stringFields[k]!;
          const v = f.values[row];
          if (v !== undefined && v !== null && v !== '') {
            labels[f.name] = String(v);
          }
        }
        pushSample(out, labels, valueField.values[row]);
      }
      continue;
    }
    for (let k = 0; k < numberFields.length; k++) {
      const valueField = numberFields[k]!;
      // The frame's own label object is shared, not copied: the model only reads labels.
      const series: Series = { labels: valueField.labels ?? {}, values: [], skipped: 0 };
      const values = valueField.values;
      for (let row = 0; row < values.length; row++) {
        const v = toNumber(values[row]);
        if (!Number.isFinite(v)) {
          series.skipped++;
          continue;
        }
        series.values.push(v);
      }
      out.push(series);
    }
  }
  return out;
}

function pushSample(out: Series[], labels: Record<string, string>, raw: unknown) {
  const v = toNumber(raw);
  const finite = Number.isFinite(v);
  out.push({ labels, values: finite ? [v] : [], skipped: finite ? 0 : 1 });
}

/**
 * The amount a series stands for. Aggregated queries (`increase(...[$__range])`, no `__name__`) carry the
 * answer in the newest sample, for instant and range queries alike. A raw counter (still has `__name__`, e.g. a
 * range query without increase()) is turned into its increase over the samples, treating a drop as a reset.
 */
export function seriesAmount(series: Series): number | undefined {
  const n = series.values.length;
  if (n === 0) {
    return undefined;
  }
  if (series.labels.__name__ === undefined || n === 1) {
    return series.values[n - 1];
  }
  let total = 0;
  for (let i = 1; i < n; i++) {
    const prev = series.values[i - 1]!;
    const cur = series.values[i]!;
    total += cur >= prev ? cur - prev : cur;
  }
  return total;
}
