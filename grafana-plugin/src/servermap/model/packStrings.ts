/**
 * A list of strings (or absent entries) as one string and the bounds of each, for messages from the map worker: a
 * structured clone of an array of strings copies every string as an object of its own, on the thread that reads
 * the message, in one task (about 100 ms for the 140,000 ids and names of a 20,000-link map on a busy machine);
 * one string is one copy, and the entries are cut out of it where they are read, in slices.
 */
export interface PackedStrings {
  text: string;
  /** Start and end offset in `text` per entry; start -1 = absent (undefined). */
  bounds: Int32Array;
}

export function packStrings(list: ReadonlyArray<string | undefined>): PackedStrings {
  const bounds = new Int32Array(list.length * 2);
  const parts: string[] = [];
  let at = 0;
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (typeof s !== 'string') {
      bounds[i * 2] = -1;
      bounds[i * 2 + 1] = -1;
      continue;
    }
    parts.push(s);
    bounds[i * 2] = at;
    at += s.length;
    bounds[i * 2 + 1] = at;
  }
  return { text: parts.join(''), bounds };
}

/** The shape of a PackedStrings, for checking a message before reading it. */
export function isPackedStrings(p: unknown): p is PackedStrings {
  const q = p as Partial<PackedStrings> | undefined;
  return typeof q?.text === 'string' && ArrayBuffer.isView(q.bounds) && q.bounds.length % 2 === 0;
}

export function packedStringCount(p: PackedStrings): number {
  return p.bounds.length / 2;
}

/** Entry `i`; throws on an index or bounds outside the message (never a wrong string). */
export function packedStringAt(p: PackedStrings, i: number): string | undefined {
  const start = p.bounds[i * 2];
  const end = p.bounds[i * 2 + 1];
  if (start === undefined || end === undefined || !Number.isInteger(i) || i < 0) {
    throw new Error(`packed strings: no entry ${i}`);
  }
  if (start === -1 && end === -1) {
    return undefined;
  }
  if (start < 0 || end < start || end > p.text.length) {
    throw new Error('packed strings: malformed message');
  }
  return p.text.slice(start, end);
}

/** Entry `i`, which must be present. */
export function packedStringAtRequired(p: PackedStrings, i: number): string {
  const s = packedStringAt(p, i);
  if (s === undefined) {
    throw new Error(`packed strings: entry ${i} is absent`);
  }
  return s;
}

export function unpackStrings(p: PackedStrings): Array<string | undefined> {
  return Array.from({ length: packedStringCount(p) }, (_, i) => packedStringAt(p, i));
}

/** The buffer to transfer with the message (the text itself is copied once). */
export function packedStringsTransferable(p: PackedStrings): ArrayBuffer {
  return p.bounds.buffer as ArrayBuffer;
}
