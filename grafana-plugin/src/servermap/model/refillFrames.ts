import { runInSlices, type SlicedJob } from '../../shared/slices';
import { type FrameLike, isUsableFrame } from './frames';
import {
  ABSENT,
  FIELD_INTS,
  FRAME_INTS,
  FRAMES_PER_STEP,
  FieldInt,
  FrameInt,
  NULL_ID,
  UNDEFINED_ID,
  VALUES_PER_STEP,
  ValueKind,
  packSteps,
  type PackedFrames,
} from './packFrames';

/**
 * A dashboard refresh mostly brings the same series in the same order with new numbers. Packing them again
 * (interning every name, label key and value: ~43 ms of main thread for the 27,910 per-series frames of a
 * 1,000-node map) redoes what the map worker already holds. So the panel keeps the structure of its last pack
 * (everything but the numbers) and checks the next frames against it while copying their numbers into a new
 * column; the worker, which kept the same structure, rebuilds the frames from it and the new numbers.
 *
 * The check is exact, not sampled: every frame string, field name, type and display name, label key and value
 * (in Object.keys order, as packed) and string cell is compared with the string it was packed to, every column's
 * kind and length with the packed one. So a refill that succeeds is exactly what packFrames would return for the
 * new frames (same string table, same indexes); anything that differs ends the check and the caller packs in full.
 */
export interface FramesShape {
  /** Names this structure between the panel and a worker that kept it. */
  id: number;
  /** The pack without its numbers: the panel's own copy (the worker's arrays were transferred to it). */
  structure: Omit<PackedFrames, 'numbers'>;
  numberCount: number;
}

/** What the panel sends the map worker: a full pack (kept there under `shape` when given), or new numbers for a kept shape. */
export type FramesForWorker = { packed: PackedFrames; shape?: FramesShape } | { shape: FramesShape; numbers: Float64Array };

let nextShapeId = 1;

/**
 * The shape of a pack, to refill later (copies of its typed arrays: the pack's own go to the worker). None for a
 * pack with mixed columns: those cross as they were (structured clone) and are not worth a check of their own.
 */
export function shapeOf(p: PackedFrames): FramesShape | undefined {
  if (p.other.length > 0) {
    return undefined;
  }
  return {
    id: nextShapeId++,
    // The string table is never changed after packing, and is cloned (not transferred) when posted.
    structure: { strings: p.strings, frames: p.frames.slice(), fields: p.fields.slice(), labels: p.labels.slice(), cells: p.cells.slice(), other: [] },
    numberCount: p.numbers.length,
  };
}

/** Where the check is: the next frame of `all` to read, and the packed frame and field it must match. */
interface Cursor {
  next: number;
  frame: number;
  field: number;
}

/** How a batch of frames ended (see refillBatch). */
const BatchEnd = { Done: 0, Differs: 1, LongColumn: 2 } as const;
type BatchEndKind = (typeof BatchEnd)[keyof typeof BatchEnd];

/**
 * The frames' numbers in the packed order if the frames have exactly `shape`'s structure, else undefined.
 * One pass over the frames: each usable frame (isUsableFrame; the others skipped in place: no filtered copy) is
 * checked and its numbers copied at once, in batches of FRAMES_PER_STEP frames run by a plain function (the
 * generator only pauses between them); a frame with a column longer than VALUES_PER_STEP is checked apart, in
 * pieces with a pause between them.
 */
export function* refillSteps(shape: FramesShape, all: readonly FrameLike[]): Generator<void, Float64Array | undefined> {
  const s = shape.structure;
  const numbers = new Float64Array(shape.numberCount);
  const at: Cursor = { next: 0, frame: 0, field: 0 };
  while (at.next < all.length) {
    const end = refillBatch(s, all, at, numbers);
    if (end === BatchEnd.Differs) {
      return undefined;
    }
    if (end === BatchEnd.LongColumn) {
      if (!(yield* refillLongFrame(s, all[at.next]!, at, numbers))) {
        return undefined;
      }
    }
    yield;
  }
  return at.frame * FRAME_INTS === s.frames.length && at.field * FIELD_INTS === s.fields.length ? numbers : undefined;
}

type Structure = FramesShape['structure'];

/**
 * Checks and copies up to FRAMES_PER_STEP usable frames from `at`, moving `at` past them. Stops before a frame
 * with a long column (LongColumn: the caller checks that one in pieces), at a frame that differs (Differs), or
 * after the batch or the last frame (Done).
 *
 * One function for the frame, its fields and their labels, with the packed arrays in locals and each property
 * read once (session 9): the check is ~12 object reads per frame for 27,910 frames, and as separate helpers
 * (sameFrame, sameField, sameLabels) the optimiser left some of them as calls, which measured ~20–30 % slower.
 */
function refillBatch(s: Structure, all: readonly FrameLike[], at: Cursor, numbers: Float64Array): BatchEndKind {
  const { strings, frames, fields: packedFields, labels: packedLabels } = s;
  const frameCount = frames.length / FRAME_INTS;
  let next = at.next;
  let frame = at.frame;
  let field = at.field;
  let end: BatchEndKind = BatchEnd.Done;
  for (let checked = 0; checked < FRAMES_PER_STEP && next < all.length; next++) {
    const f = all[next];
    if (!isUsableFrame(f)) {
      continue;
    }
    const fields = f.fields;
    const fieldCount = fields.length;
    const meta = f.meta;
    const p = frame * FRAME_INTS;
    if (
      frame >= frameCount ||
      frames[p + FrameInt.firstField] !== field ||
      frames[p + FrameInt.fieldCount] !== fieldCount ||
      !isPacked(strings, frames[p + FrameInt.refId]!, f.refId) ||
      !isPacked(strings, frames[p + FrameInt.name]!, f.name) ||
      !isPacked(strings, frames[p + FrameInt.metaType]!, meta?.type) ||
      !isPacked(strings, frames[p + FrameInt.executedQuery]!, meta?.executedQueryString) ||
      !isPacked(strings, frames[p + FrameInt.preferredVisualisation]!, meta?.preferredVisualisationType)
    ) {
      end = BatchEnd.Differs;
      break;
    }
    // Each field's strings, labels and length; its values after (a long column is checked apart, in pieces).
    let long = false;
    for (let position = 0; position < fieldCount; position++) {
      const one = fields[position];
      const base = (field + position) * FIELD_INTS;
      const values = one?.values;
      const length = values?.length;
      const config = one?.config;
      if (
        typeof length !== 'number' ||
        length !== packedFields[base + FieldInt.length] ||
        !isPacked(strings, packedFields[base + FieldInt.name]!, one!.name) ||
        !isPacked(strings, packedFields[base + FieldInt.type]!, one!.type) ||
        !isPacked(strings, packedFields[base + FieldInt.displayNameFromDS]!, config?.displayNameFromDS) ||
        !isPacked(strings, packedFields[base + FieldInt.displayName]!, config?.displayName)
      ) {
        end = BatchEnd.Differs;
        break;
      }
      // The labels are the packed pairs, in the same (Object.keys) order. for…in instead of Object.keys (no array
      // per field): the same keys in the same order for a plain object, which labels are; inherited enumerable
      // keys would be extra ones here, and fail the check (a full pack then).
      const labels = one!.labels;
      const pairs = packedFields[base + FieldInt.labelPairs]!;
      let labelsDiffer = !labels ? pairs !== ABSENT : pairs === ABSENT;
      if (labels && !labelsDiffer) {
        let k = packedFields[base + FieldInt.firstLabelPair]! * 2;
        const last = k + 2 * pairs;
        for (const key in labels) {
          if (k >= last || key !== strings[packedLabels[k]!] || labels[key] !== strings[packedLabels[k + 1]!]) {
            labelsDiffer = true;
            break;
          }
          k += 2;
        }
        labelsDiffer ||= k !== last;
      }
      if (labelsDiffer) {
        end = BatchEnd.Differs;
        break;
      }
      // A one-sample number column (most of a per-series input) is copied here, without a call; the others after
      // the frame's strings (fillValues), a long column's in pieces (refillLongFrame).
      if (length > VALUES_PER_STEP) {
        long = true;
      } else if (length === 1 && packedFields[base + FieldInt.kind] === ValueKind.Numbers) {
        const sample = values![0];
        if (typeof sample !== 'number') {
          end = BatchEnd.Differs;
          break;
        }
        numbers[packedFields[base + FieldInt.start]!] = sample;
      }
    }
    if (end !== BatchEnd.Done) {
      break;
    }
    if (long) {
      end = BatchEnd.LongColumn;
      break;
    }
    let filled = true;
    for (let position = 0; position < fieldCount && filled; position++) {
      const values = fields[position]!.values;
      const base = (field + position) * FIELD_INTS;
      filled = (values.length === 1 && packedFields[base + FieldInt.kind] === ValueKind.Numbers) || fillValues(s, values, 0, field + position, numbers);
    }
    if (!filled) {
      end = BatchEnd.Differs;
      break;
    }
    frame++;
    field += fieldCount;
    checked++;
  }
  at.next = next;
  at.frame = frame;
  at.field = field;
  return end;
}

/** refillBatch for one frame with a long column: its columns checked in pieces, pausing between them. */
function* refillLongFrame(s: Structure, frame: FrameLike, at: Cursor, numbers: Float64Array): Generator<void, boolean> {
  // refillBatch checked its strings and lengths already.
  const fields = frame.fields;
  for (let position = 0; position < fields.length; position++) {
    const values = fields[position]!.values;
    for (let from = 0; from < values.length; from += VALUES_PER_STEP) {
      if (from > 0) {
        yield;
      }
      if (!fillValues(s, values, from, at.field + position, numbers)) {
        return false;
      }
    }
  }
  at.next++;
  at.frame++;
  at.field += fields.length;
  return true;
}

/**
 * Packed field `fi`'s values from `from` (up to VALUES_PER_STEP of them): numbers copied to their place,
 * string cells compared with the packed ones. False at a value that does not fit the packed column.
 */
function fillValues(s: Structure, values: ArrayLike<unknown>, from: number, fi: number, numbers: Float64Array): boolean {
  const base = fi * FIELD_INTS;
  const kind = s.fields[base + FieldInt.kind];
  const start = s.fields[base + FieldInt.start]!;
  const to = Math.min(values.length, from + VALUES_PER_STEP);
  return kind === ValueKind.Numbers
    ? copyNumbers(values, from, to, numbers, start)
    : kind === ValueKind.Strings && sameCells(s, values, from, to, start);
}

/** `v` is the string packed as `id` (ABSENT: anything that is not a string, as the packer's intern has it). */
function isPacked(strings: readonly string[], id: number, v: unknown): boolean {
  return id === ABSENT ? typeof v !== 'string' : v === strings[id];
}

/** Copies values[from..to) to numbers[start + from..); false at a value that is not a number. */
function copyNumbers(values: ArrayLike<unknown>, from: number, to: number, numbers: Float64Array, start: number): boolean {
  for (let r = from; r < to; r++) {
    const v = values[r];
    if (typeof v !== 'number') {
      return false;
    }
    numbers[start + r] = v;
  }
  return true;
}

/** String cells values[from..to) are the packed ones (null and undefined included). */
function sameCells(s: Structure, values: ArrayLike<unknown>, from: number, to: number, start: number): boolean {
  for (let r = from; r < to; r++) {
    const v = values[r];
    const id = s.cells[start + r]!;
    if (id === NULL_ID ? v !== null : id === UNDEFINED_ID ? v !== undefined : v !== s.strings[id]) {
      return false;
    }
  }
  return true;
}

/** New numbers for `previous` when the frames still have its structure, else a full pack (with its shape). */
export function* framesForWorkerSteps(all: readonly FrameLike[], previous: FramesShape | undefined): Generator<void, FramesForWorker> {
  if (previous) {
    const numbers = yield* refillSteps(previous, all);
    if (numbers) {
      return { shape: previous, numbers };
    }
  }
  const packed = yield* packSteps(all);
  return { packed, shape: shapeOf(packed) };
}

/** framesForWorkerSteps in slices of about 8 ms between the page's tasks (see packFramesInSlices). */
export function framesForWorkerInSlices(all: readonly FrameLike[], previous: FramesShape | undefined): SlicedJob<FramesForWorker> {
  return runInSlices(framesForWorkerSteps(all, previous));
}
