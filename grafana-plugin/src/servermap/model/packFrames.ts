import { runInSlices, runToEnd, type SlicedJob } from '../../shared/slices';
import { type FieldLike, type FrameLike, isUsableFrame } from './frames';

/**
 * Frames in a columnar form that crosses to a Web Worker cheaply: every number column in one transferable
 * Float64Array, every string (names, refIds, label keys and values, string cells) once in a string table, and
 * the structure as Int32Arrays. A structured clone of the frames themselves costs more on the main thread than
 * building the model (tens of thousands of small objects per large map); this costs one pass and a transfer.
 * Only what `FrameLike` declares crosses (not `meta.custom`, which the model does not read).
 */
export interface PackedFrames {
  strings: string[];
  /** Per frame: FRAME_INTS ints, placed as FrameInt says. */
  frames: Int32Array;
  /** Per field: FIELD_INTS ints, placed as FieldInt says. */
  fields: Int32Array;
  /** Label key/value string-id pairs. */
  labels: Int32Array;
  /** Values of number columns. */
  numbers: Float64Array;
  /** Values of string columns, as string ids (NULL_ID / UNDEFINED_ID for missing cells). */
  cells: Int32Array;
  /** Columns that are neither all numbers nor all strings / missing, as they were (structured clone). */
  other: unknown[][];
}

/**
 * Places in a packed frame's FRAME_INTS ints (packSteps writes them, unpackFrames and the refill (refillFrames.ts)
 * read them): string ids (ABSENT = no string), then the frame's first field and its field count.
 */
export const FrameInt = { refId: 0, name: 1, metaType: 2, executedQuery: 3, preferredVisualisation: 4, firstField: 5, fieldCount: 6 } as const;
export const FRAME_INTS = 7;
/**
 * Places in a packed field's FIELD_INTS ints: string ids; its first label pair (index into `labels` / 2) and
 * number of pairs (ABSENT = no labels); how its values are packed (ValueKind), where they start (in `numbers`,
 * `cells`, or the index in `other`) and how many there are.
 */
export const FieldInt = {
  name: 0,
  type: 1,
  displayNameFromDS: 2,
  displayName: 3,
  firstLabelPair: 4,
  labelPairs: 5,
  kind: 6,
  start: 7,
  length: 8,
} as const;
export const FIELD_INTS = 9;
export const NULL_ID = -1;
export const UNDEFINED_ID = -2;
export const ABSENT = -1;
/** How a column's values are packed (a plain object, not an enum: the refill (refillFrames.ts) reads it too). */
export const ValueKind = { Numbers: 0, Strings: 1, Other: 2 } as const;
type Kind = (typeof ValueKind)[keyof typeof ValueKind];

/** Long loops yield this often (values), frame loops every FRAMES_PER_STEP frames: see packFramesInSlices. */
export const VALUES_PER_STEP = 8192;
export const FRAMES_PER_STEP = 64;

/** Places remembered by packSteps' internAt: the frame strings (at their FrameInt place), four fields' strings, label keys and values. */
const FIELD_SLOTS = 5;
const LABEL_SLOTS = FIELD_SLOTS + 16;
const MAX_LABEL_SLOTS = 16;

const MAY_BE_NUMBERS = 1;
const MAY_BE_STRINGS = 2;

/** Narrows `may` (MAY_BE_* bits) by values[from..to). */
function scanKind(values: ArrayLike<unknown>, from: number, to: number, may: number): number {
  for (let i = from; i < to && may !== 0; i++) {
    const v = values[i];
    if (typeof v !== 'number') {
      may &= ~MAY_BE_NUMBERS;
    }
    if (typeof v !== 'string' && v !== null && v !== undefined) {
      may &= ~MAY_BE_STRINGS;
    }
  }
  return may;
}

// An empty column counts as numbers: nothing in it tells the model otherwise.
const kindFrom = (may: number): Kind =>
  may & MAY_BE_NUMBERS ? ValueKind.Numbers : may & MAY_BE_STRINGS ? ValueKind.Strings : ValueKind.Other;

/** A long column's kind, pausing every VALUES_PER_STEP values. */
function* kindOfLong(values: ArrayLike<unknown>): Generator<void, Kind> {
  let may = MAY_BE_NUMBERS | MAY_BE_STRINGS;
  for (let from = 0; from < values.length && may !== 0; from += VALUES_PER_STEP) {
    if (from > 0) {
      yield;
    }
    may = scanKind(values, from, Math.min(values.length, from + VALUES_PER_STEP), may);
  }
  return kindFrom(may);
}

/** Frames the model reads at all (buildServerMap skips the others the same way). */
export function usableFrames(frames: readonly FrameLike[]): FrameLike[] {
  return frames.filter(isUsableFrame);
}

/**
 * Packs frames (Grafana DataFrames or plain objects in the same shape); see PackedFrames. Throws on a field
 * without values (the caller then builds the model where it is, which reports the problem).
 */
export function packFrames(all: readonly FrameLike[]): PackedFrames {
  return runToEnd(packSteps(all));
}

/**
 * packFrames in slices of about 8 ms of main-thread time, yielding to the page in between (a large input takes a
 * few hundred ms to pack on a busy machine: in one task it would freeze the tab as long). The same steps.
 */
export function packFramesInSlices(all: readonly FrameLike[]): SlicedJob<PackedFrames> {
  return runInSlices(packSteps(all));
}

/** packFrames as steps (see runInSlices), for callers that pack as part of a longer sliced job. */
export function* packSteps(all: readonly FrameLike[]): Generator<void, PackedFrames> {
  const frames = usableFrames(all);
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (typeof s !== 'string') {
      return ABSENT;
    }
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      ids.set(s, id);
    }
    return id;
  };
  // Consecutive frames mostly repeat the same strings in the same places (refId, query, field names, label keys,
  // a link's client and server over its latency buckets): compared with the previous string in that place first
  // (usually the same object, so a pointer compare) before the string table's hash lookup.
  const lastString: Array<string | undefined> = [];
  const lastId: number[] = [];
  const internAt = (slot: number, s: string | undefined): number => {
    if (s !== undefined && s === lastString[slot]) {
      return lastId[slot]!;
    }
    const id = intern(s);
    lastString[slot] = s;
    lastId[slot] = id;
    return id;
  };

  // First pass: sizes, so each array is allocated once.
  let fieldCount = 0;
  let numberCount = 0;
  let cellCount = 0;
  let labelCount = 0;
  const kinds: Kind[] = [];
  for (let i = 0; i < frames.length; i++) {
    if (i % FRAMES_PER_STEP === FRAMES_PER_STEP - 1) {
      yield;
    }
    for (const f of frames[i]!.fields) {
      if (!f || typeof f.values?.length !== 'number') {
        throw new Error(`packed frames: field "${f?.name}" has no values`);
      }
      // Most columns are short (a per-series frame holds one or a few samples): no generator for those, whose
      // creation cost more than the scan in a page whose code is not optimised yet.
      const kind =
        f.values.length <= VALUES_PER_STEP
          ? kindFrom(scanKind(f.values, 0, f.values.length, MAY_BE_NUMBERS | MAY_BE_STRINGS))
          : yield* kindOfLong(f.values);
      kinds.push(kind);
      fieldCount++;
      if (kind === ValueKind.Numbers) {
        numberCount += f.values.length;
      } else if (kind === ValueKind.Strings) {
        cellCount += f.values.length;
      }
      if (f.labels) {
        labelCount += Object.keys(f.labels).length;
      }
    }
  }

  const out: PackedFrames = {
    strings,
    frames: new Int32Array(frames.length * FRAME_INTS),
    fields: new Int32Array(fieldCount * FIELD_INTS),
    labels: new Int32Array(labelCount * 2),
    numbers: new Float64Array(numberCount),
    cells: new Int32Array(cellCount),
    other: [],
  };
  let fi = 0;
  let ni = 0;
  let ci = 0;
  let li = 0;
  for (let i = 0; i < frames.length; i++) {
    if (i % FRAMES_PER_STEP === FRAMES_PER_STEP - 1) {
      yield;
    }
    const frame = frames[i]!;
    const at = i * FRAME_INTS;
    out.frames[at + FrameInt.refId] = internAt(FrameInt.refId, frame.refId);
    out.frames[at + FrameInt.name] = internAt(FrameInt.name, frame.name);
    out.frames[at + FrameInt.metaType] = internAt(FrameInt.metaType, frame.meta?.type);
    out.frames[at + FrameInt.executedQuery] = internAt(FrameInt.executedQuery, frame.meta?.executedQueryString);
    out.frames[at + FrameInt.preferredVisualisation] = internAt(FrameInt.preferredVisualisation, frame.meta?.preferredVisualisationType);
    out.frames[at + FrameInt.firstField] = fi;
    out.frames[at + FrameInt.fieldCount] = frame.fields.length;
    for (let position = 0; position < frame.fields.length; position++) {
      const f = frame.fields[position]!;
      const base = fi * FIELD_INTS;
      // Places for this field's strings: per field position (a time field, then a value field), the first few.
      const slot = FIELD_SLOTS + Math.min(position, 3) * 4;
      const kind = kinds[fi]!;
      const values = f.values;
      out.fields[base + FieldInt.name] = internAt(slot, f.name);
      out.fields[base + FieldInt.type] = internAt(slot + 1, f.type);
      out.fields[base + FieldInt.displayNameFromDS] = internAt(slot + 2, f.config?.displayNameFromDS);
      out.fields[base + FieldInt.displayName] = internAt(slot + 3, f.config?.displayName);
      out.fields[base + FieldInt.firstLabelPair] = li / 2;
      if (f.labels) {
        const keys = Object.keys(f.labels);
        out.fields[base + FieldInt.labelPairs] = keys.length;
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k]!;
          const place = LABEL_SLOTS + 2 * Math.min(k, MAX_LABEL_SLOTS - 1);
          out.labels[li++] = internAt(place, key);
          out.labels[li++] = internAt(place + 1, f.labels[key]);
        }
      } else {
        out.fields[base + FieldInt.labelPairs] = ABSENT;
      }
      out.fields[base + FieldInt.kind] = kind;
      out.fields[base + FieldInt.length] = values.length;
      if (kind === ValueKind.Numbers) {
        out.fields[base + FieldInt.start] = ni;
        for (let r = 0; r < values.length; r++) {
          out.numbers[ni++] = values[r] as number;
          if (r % VALUES_PER_STEP === VALUES_PER_STEP - 1) {
            yield;
          }
        }
      } else if (kind === ValueKind.Strings) {
        out.fields[base + FieldInt.start] = ci;
        for (let r = 0; r < values.length; r++) {
          const v = values[r];
          out.cells[ci++] = v === null ? NULL_ID : v === undefined ? UNDEFINED_ID : intern(v as string);
          if (r % VALUES_PER_STEP === VALUES_PER_STEP - 1) {
            yield;
          }
        }
      } else {
        out.fields[base + FieldInt.start] = out.other.length;
        out.other.push(Array.from(values));
      }
      fi++;
    }
  }
  return out;
}

/** The buffers to transfer with a PackedFrames message (the sender's copies become unusable). */
export function transferablesOf(p: PackedFrames): ArrayBuffer[] {
  return [p.frames, p.fields, p.labels, p.numbers, p.cells].map((a) => a.buffer as ArrayBuffer);
}

/** By tag, not instanceof: a typed array from another realm (a test's deserializer) is one all the same. */
export const isTyped = (v: unknown, tag: 'Int32Array' | 'Float64Array') => Object.prototype.toString.call(v) === `[object ${tag}]`;

export function isPacked(p: unknown): p is PackedFrames {
  const q = p as Partial<PackedFrames> | undefined;
  return (
    typeof q === 'object' &&
    q !== null &&
    Array.isArray(q.strings) &&
    isTyped(q.frames, 'Int32Array') &&
    isTyped(q.fields, 'Int32Array') &&
    isTyped(q.labels, 'Int32Array') &&
    isTyped(q.numbers, 'Float64Array') &&
    isTyped(q.cells, 'Int32Array') &&
    Array.isArray(q.other)
  );
}

/**
 * Frames again from PackedFrames: number columns are views on the shared Float64Array (the model only reads
 * `values[i]` and `length`), string columns plain arrays. Throws on a message that is not PackedFrames or whose
 * indexes point outside its arrays.
 */
export function unpackFrames(p: unknown): FrameLike[] {
  if (!isPacked(p)) {
    throw new Error('packed frames: malformed message');
  }
  const str = (id: number): string | undefined => {
    if (id === ABSENT) {
      return undefined;
    }
    const s = p.strings[id];
    if (s === undefined) {
      throw new Error(`packed frames: string ${id} out of range`);
    }
    return s;
  };
  const within = (start: number, length: number, size: number, what: string) => {
    if (start < 0 || length < 0 || start + length > size) {
      throw new Error(`packed frames: ${what} ${start}+${length} out of range`);
    }
  };
  const frames: FrameLike[] = [];
  for (let at = 0; at + FRAME_INTS <= p.frames.length; at += FRAME_INTS) {
    const firstField = p.frames[at + FrameInt.firstField]!;
    const count = p.frames[at + FrameInt.fieldCount]!;
    within(firstField * FIELD_INTS, count * FIELD_INTS, p.fields.length, 'fields');
    const fields: FieldLike[] = [];
    for (let fi = firstField; fi < firstField + count; fi++) {
      const base = fi * FIELD_INTS;
      const kind = p.fields[base + FieldInt.kind]!;
      const start = p.fields[base + FieldInt.start]!;
      const length = p.fields[base + FieldInt.length]!;
      const field: FieldLike = { name: str(p.fields[base + FieldInt.name]!) ?? '', values: [] };
      const type = str(p.fields[base + FieldInt.type]!);
      if (type !== undefined) {
        field.type = type;
      }
      const displayNameFromDS = str(p.fields[base + FieldInt.displayNameFromDS]!);
      const displayName = str(p.fields[base + FieldInt.displayName]!);
      if (displayNameFromDS !== undefined || displayName !== undefined) {
        field.config = {};
        if (displayNameFromDS !== undefined) {
          field.config.displayNameFromDS = displayNameFromDS;
        }
        if (displayName !== undefined) {
          field.config.displayName = displayName;
        }
      }
      const pairs = p.fields[base + FieldInt.labelPairs]!;
      if (pairs !== ABSENT) {
        const first = p.fields[base + FieldInt.firstLabelPair]!;
        within(first * 2, pairs * 2, p.labels.length, 'labels');
        const labels: Record<string, string> = {};
        for (let k = first * 2; k < (first + pairs) * 2; k += 2) {
          labels[str(p.labels[k]!) ?? ''] = str(p.labels[k + 1]!) ?? '';
        }
        field.labels = labels;
      }
      if (kind === ValueKind.Numbers) {
        within(start, length, p.numbers.length, 'numbers');
        field.values = p.numbers.subarray(start, start + length);
      } else if (kind === ValueKind.Strings) {
        within(start, length, p.cells.length, 'cells');
        const values = new Array<string | null | undefined>(length);
        for (let r = 0; r < length; r++) {
          const id = p.cells[start + r]!;
          values[r] = id === NULL_ID ? null : id === UNDEFINED_ID ? undefined : str(id);
        }
        field.values = values;
      } else {
        const values = p.other[start];
        if (!Array.isArray(values)) {
          throw new Error(`packed frames: column ${start} out of range`);
        }
        field.values = values;
      }
      fields.push(field);
    }
    const frame: FrameLike = { fields };
    const refId = str(p.frames[at + FrameInt.refId]!);
    const name = str(p.frames[at + FrameInt.name]!);
    if (refId !== undefined) {
      frame.refId = refId;
    }
    if (name !== undefined) {
      frame.name = name;
    }
    const metaType = str(p.frames[at + FrameInt.metaType]!);
    const executed = str(p.frames[at + FrameInt.executedQuery]!);
    const preferred = str(p.frames[at + FrameInt.preferredVisualisation]!);
    if (metaType !== undefined || executed !== undefined || preferred !== undefined) {
      frame.meta = {};
      if (metaType !== undefined) {
        frame.meta.type = metaType;
      }
      if (executed !== undefined) {
        frame.meta.executedQueryString = executed;
      }
      if (preferred !== undefined) {
        frame.meta.preferredVisualisationType = preferred;
      }
    }
    frames.push(frame);
  }
  return frames;
}

/**
 * The size the panel decides by whether to build the model in the worker: the values the frames hold, plus a
 * frame's own handling counted as 4 values (instant per-series frames hold 2 values each, and per-frame work
 * dominates their model build). Counting stops past `atMost` (the panel only asks whether a threshold is reached:
 * every refresh of a large map would otherwise walk all its frames once more during the render).
 */
export function framesSize(frames: readonly FrameLike[] | undefined, atMost = Infinity): number {
  // Every frame counts at least 4: many frames answer from their count alone, without reading one of them.
  const least = (frames?.length ?? 0) * 4;
  if (least > atMost) {
    return least;
  }
  let n = 0;
  for (const frame of frames ?? []) {
    if (n > atMost) {
      break;
    }
    n += 4;
    for (const f of frame?.fields ?? []) {
      n += f?.values?.length ?? 0;
    }
  }
  return n;
}
