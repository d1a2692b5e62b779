import { runInSlices, type SlicedJob } from '../../shared/slices';
import { type FrameLike } from './frames';
import {
  ABSENT,
  FIELD_INTS,
  FRAME_INTS,
  FRAMES_PER_STEP,
  NULL_ID,
  UNDEFINED_ID,
  VALUES_PER_STEP,
  ValueKind,
  packSteps,
  usableFrames,
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

/** The frames' numbers in the packed order if the frames have exactly `shape`'s structure, else undefined. */
export function* refillSteps(shape: FramesShape, all: readonly FrameLike[]): Generator<void, Float64Array | undefined> {
  const s = shape.structure;
  const frames = usableFrames(all);
  if (frames.length * FRAME_INTS !== s.frames.length) {
    return undefined;
  }
  // A string packed as `id` (ABSENT: anything that is not a string, as the packer's intern has it).
  const same = (id: number, v: unknown): boolean => (id === ABSENT ? typeof v !== 'string' : v === s.strings[id]);
  const numbers = new Float64Array(shape.numberCount);
  let fi = 0;
  for (let i = 0; i < frames.length; i++) {
    if (i % FRAMES_PER_STEP === FRAMES_PER_STEP - 1) {
      yield;
    }
    const frame = frames[i]!;
    const at = i * FRAME_INTS;
    const fields = frame.fields;
    if (
      s.frames[at + 5] !== fi ||
      s.frames[at + 6] !== fields.length ||
      !same(s.frames[at]!, frame.refId) ||
      !same(s.frames[at + 1]!, frame.name) ||
      !same(s.frames[at + 2]!, frame.meta?.type) ||
      !same(s.frames[at + 3]!, frame.meta?.executedQueryString) ||
      !same(s.frames[at + 4]!, frame.meta?.preferredVisualisationType)
    ) {
      return undefined;
    }
    for (let position = 0; position < fields.length; position++) {
      const f = fields[position];
      const values = f?.values;
      const base = fi * FIELD_INTS;
      if (
        typeof values?.length !== 'number' ||
        values.length !== s.fields[base + 8] ||
        !same(s.fields[base]!, f!.name) ||
        !same(s.fields[base + 1]!, f!.type) ||
        !same(s.fields[base + 2]!, f!.config?.displayNameFromDS) ||
        !same(s.fields[base + 3]!, f!.config?.displayName)
      ) {
        return undefined;
      }
      const pairs = s.fields[base + 5]!;
      const labels = f!.labels;
      if (labels) {
        const keys = Object.keys(labels);
        if (keys.length !== pairs) {
          return undefined;
        }
        const first = s.fields[base + 4]! * 2;
        for (let k = 0; k < keys.length; k++) {
          const key = keys[k]!;
          if (!same(s.labels[first + 2 * k]!, key) || !same(s.labels[first + 2 * k + 1]!, labels[key])) {
            return undefined;
          }
        }
      } else if (pairs !== ABSENT) {
        return undefined;
      }
      const kind = s.fields[base + 6];
      const start = s.fields[base + 7]!;
      if (kind === ValueKind.Numbers) {
        for (let r = 0; r < values.length; r++) {
          const v = values[r];
          if (typeof v !== 'number') {
            return undefined;
          }
          numbers[start + r] = v;
          if (r % VALUES_PER_STEP === VALUES_PER_STEP - 1) {
            yield;
          }
        }
      } else if (kind === ValueKind.Strings) {
        for (let r = 0; r < values.length; r++) {
          const v = values[r];
          const id = s.cells[start + r]!;
          if (id === NULL_ID ? v !== null : id === UNDEFINED_ID ? v !== undefined : v !== s.strings[id]) {
            return undefined;
          }
          if (r % VALUES_PER_STEP === VALUES_PER_STEP - 1) {
            yield;
          }
        }
      } else {
        return undefined;
      }
      fi++;
    }
  }
  return fi * FIELD_INTS === s.fields.length ? numbers : undefined;
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
