/**
 * The slice of Grafana's DataFrame that the pure parsers read. Kept structural (no @grafana/data import)
 * so the parsers run in unit tests and benchmarks without the Grafana runtime; a real DataFrame fits it.
 */
export interface FieldLike {
  name: string;
  type?: string;
  values: ArrayLike<unknown>;
  labels?: Record<string, string>;
  config?: { displayNameFromDS?: string; unit?: string };
}

export interface FrameLike {
  name?: string;
  refId?: string;
  fields: FieldLike[];
  length?: number;
  meta?: { preferredVisualisationType?: string; custom?: Record<string, unknown> };
}

/** Thrown when a response does not have the shape Grafana's Tempo data source returns. */
export class FrameFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameFormatError';
  }
}

/** Grafana's wire encoding of a frame (`/api/ds/query` results, nested frames, Live messages). */
export interface DataFrameJSONLike {
  schema: {
    name?: string;
    refId?: string;
    meta?: FrameLike['meta'];
    fields: Array<{ name: string; type?: string; labels?: Record<string, string>; config?: FieldLike['config'] }>;
  };
  data?: { values: unknown[][] };
}

export function isDataFrameJSON(value: unknown): value is DataFrameJSONLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DataFrameJSONLike).schema === 'object' &&
    Array.isArray((value as DataFrameJSONLike).schema?.fields)
  );
}

/** Columnar wire frame → FrameLike (what `dataFrameFromJSON` does, without the Grafana runtime). */
export function fromDataFrameJSON(json: DataFrameJSONLike): FrameLike {
  const values = json.data?.values ?? [];
  const fields = json.schema.fields.map((f, i) => ({ ...f, values: values[i] ?? [] }));
  return {
    name: json.schema.name,
    refId: json.schema.refId,
    meta: json.schema.meta,
    fields,
    length: fields.reduce((n, f) => Math.max(n, f.values.length), 0),
  };
}

export function isFrameLike(value: unknown): value is FrameLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as FrameLike).fields) &&
    (value as FrameLike).fields.every((f) => typeof f === 'object' && f !== null && typeof f.name === 'string')
  );
}

export function frameLength(frame: FrameLike): number {
  if (typeof frame.length === 'number') {
    return frame.length;
  }
  return frame.fields.reduce((n, f) => Math.max(n, f.values?.length ?? 0), 0);
}

export function findField(frame: FrameLike, ...names: string[]): FieldLike | undefined {
  for (const name of names) {
    const f = frame.fields.find((field) => field.name === name);
    if (f) {
      return f;
    }
  }
  return undefined;
}

export function requireField(frame: FrameLike, what: string, ...names: string[]): FieldLike {
  const f = findField(frame, ...names);
  if (!f) {
    const have = frame.fields.map((x) => x.name).join(', ') || 'none';
    throw new FrameFormatError(`${what}: missing field "${names[0]}" (fields present: ${have})`);
  }
  return f;
}

/** Epoch milliseconds from the encodings Grafana uses for time fields: number, Date, ISO string. */
export function toEpochMs(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (value instanceof Date) {
    return value.getTime();
  }
  if (typeof value === 'string' && value !== '') {
    const asNumber = Number(value);
    return Number.isFinite(asNumber) ? asNumber : Date.parse(value);
  }
  return Number.NaN;
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    return Number(value);
  }
  return Number.NaN;
}

export function toStringOrUndefined(value: unknown): string | undefined {
  if (value === null || value === undefined || value === '') {
    return undefined;
  }
  return String(value);
}
