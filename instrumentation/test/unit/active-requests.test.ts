import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActiveRequestTracker, ageLabels } from '../../src/active-requests/tracker.ts';

const counts = (t: ActiveRequestTracker<string>, now: number) =>
  Object.fromEntries(t.countByAge(now).map((b) => [b.label, b.count]));

test('default thresholds give the contract labels 1s / 3s / 5s / slow', () => {
  assert.deepEqual(ageLabels([1000, 3000, 5000]), ['1s', '3s', '5s', 'slow']);
});

test('each request lands in its age bucket; edges belong to the older bucket', () => {
  const t = new ActiveRequestTracker<string>([1000, 3000, 5000], 100);
  t.start('a', 0); // 6 s old at now=6000 → slow
  t.start('b', 2000); // 4 s → 5s
  t.start('c', 3000); // 3 s exactly → 5s
  t.start('d', 5500); // 0.5 s → 1s
  t.start('e', 5000); // 1 s exactly → 3s
  assert.deepEqual(counts(t, 6000), { '1s': 1, '3s': 1, '5s': 2, slow: 1 });
  t.end('a');
  t.end('c');
  assert.deepEqual(counts(t, 6000), { '1s': 1, '3s': 1, '5s': 1, slow: 0 });
  assert.equal(t.size, 3);
});

test('stuck requests are returned once each, oldest first, and still counted until they end', () => {
  const t = new ActiveRequestTracker<string>([1000, 3000, 5000], 100);
  t.start('old', 0);
  t.start('mid', 500);
  t.start('new', 9000);
  assert.deepEqual(
    t.takeNewlyStuck(10_000, 5000).map((s) => [s.key, s.elapsedMs]),
    [
      ['old', 10_000],
      ['mid', 9500],
    ],
  );
  assert.deepEqual(
    t.takeNewlyStuck(20_000, 5000).map((s) => s.key),
    ['new'],
  );
  assert.deepEqual(t.takeNewlyStuck(30_000, 5000), []);
  assert.equal(counts(t, 30_000).slow, 3);
  t.end('mid');
  assert.equal(counts(t, 30_000).slow, 2);
});

test('memory is bounded: beyond maxTracked requests are counted, not stored, and their end is balanced', () => {
  const t = new ActiveRequestTracker<string>([1000, 3000, 5000], 2);
  assert.equal(t.start('a', 0), true);
  assert.equal(t.start('b', 0), true);
  assert.equal(t.start('c', 0), false);
  assert.equal(t.size, 2);
  assert.equal(t.untracked, 1);
  t.end('c');
  assert.equal(t.untracked, 0);
  t.end('a');
  assert.equal(t.start('d', 0), true);
  assert.equal(t.overflowTotal, 1);
});
