import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(import.meta.dirname, '..', '..', 'dist');

// V8 keeps a script's source for lazy compilation; a single non-ASCII character stores all of it as a
// two-byte string, doubling what every instrumented process holds for the 3 MB bundle.
for (const file of ['sdk.cjs', 'export-worker.cjs']) {
  test(`dist/${file} is pure ASCII, so V8 keeps its source one byte per character`, () => {
    const text = readFileSync(join(dist, file), 'latin1');
    // Read as latin1, every byte is one character in U+0000-U+00FF: anything above U+007F is non-ASCII.
    const offender = /[\u0080-\u00ff]/.exec(text);
    assert.equal(
      offender,
      null,
      offender
        ? `non-ASCII byte at ${offender.index}: …${text.slice(offender.index - 40, offender.index + 10)}…`
        : '',
    );
  });
}
