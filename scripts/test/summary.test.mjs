// The rules scripts/test-all.mjs counts by, on output captured from node:test (Node 24) and Jest 30.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureDigest, judgeRun, parseSkipReasons, parseSummary } from '../lib/summary.mjs';

const nodeSummary = ({ pass = 0, fail = 0, skipped = 0, todo = 0 } = {}) =>
  [
    `ℹ tests ${pass + fail + skipped + todo}`,
    'ℹ suites 0',
    `ℹ pass ${pass}`,
    `ℹ fail ${fail}`,
    'ℹ cancelled 0',
    `ℹ skipped ${skipped}`,
    `ℹ todo ${todo}`,
    'ℹ duration_ms 27.6',
  ].join('\n');

// What Node 24 prints for a plain test, a skip with a reason, t.skip(), a skipped describe (which the
// summary does not count at all) and a bare { skip: true }.
const nodeSkips = [
  '✔ plain (21.254011ms)',
  '﹣ skipped with reason (0.251775ms) # promtool not installed',
  '  ﹣ t.skip (0.14722ms) # no Docker engine reachable (docker info: Cannot connect)',
  '﹣ suite (0.38921ms) # /usr/bin/chromium not found',
  '﹣ bare skip (0.172056ms) # SKIP',
  nodeSummary({ pass: 1, skipped: 3 }),
].join('\n');

const jestSkipped = [
  'SKIP browser tests "scatter in Chromium": /nonexistent not found (Debian: apt-get install chromium)',
  '',
  'Test Suites: 2 skipped, 0 of 2 total',
  'Tests:       14 skipped, 14 total',
].join('\n');

test('parseSummary reads node:test spec and TAP summaries and Jest totals', () => {
  assert.deepEqual(parseSummary(nodeSummary({ pass: 5, fail: 1, skipped: 2, todo: 1 })), {
    runner: 'node',
    pass: 5,
    fail: 1,
    skip: 3,
    found: true,
  });
  assert.deepEqual(parseSummary('# pass 3\n# fail 0\n# skipped 0\n# todo 0\n# cancelled 1'), {
    runner: 'node',
    pass: 3,
    fail: 1,
    skip: 0,
    found: true,
  });
  assert.deepEqual(parseSummary('Tests:       1 failed, 2 skipped, 40 passed, 43 total'), {
    runner: 'jest',
    pass: 40,
    fail: 1,
    skip: 2,
    found: true,
  });
  assert.equal(parseSummary('\x1b[32mℹ pass 2\x1b[39m').pass, 2);
  assert.equal(parseSummary('npm error Missing script: "test"').found, false);
});

test('parseSkipReasons reads every node:test skip line, nested or not, spec or TAP', () => {
  assert.deepEqual(parseSkipReasons(nodeSkips, 'node'), [
    'promtool not installed',
    'no Docker engine reachable (docker info: Cannot connect)',
    '/usr/bin/chromium not found',
    'SKIP',
  ]);
  assert.deepEqual(
    parseSkipReasons('ok 2 - a # SKIP Tempo binary missing\n    ok 1 - b # SKIP\nok 3 - c', 'node'),
    ['Tempo binary missing', 'SKIP'],
  );
  assert.deepEqual(parseSkipReasons(jestSkipped, 'jest'), [
    'browser tests "scatter in Chromium": /nonexistent not found (Debian: apt-get install chromium)',
  ]);
});

test('a run that passed tests and exited 0 counts as its tests', () => {
  assert.deepEqual(judgeRun(`✔ a (1ms)\n${nodeSummary({ pass: 7 })}`, 0, { ci: true }), {
    pass: 7,
    fail: 0,
    skip: 0,
    problems: [],
  });
});

test('a node:test glob that matched nothing (exit 0, 0 tests) is a failure', () => {
  const r = judgeRun(nodeSummary(), 0, { ci: false });
  assert.equal(r.fail, 1);
  assert.match(r.problems[0], /ran no test/);
});

test('a run without a summary (missing script, crash) is a failure whatever its exit code', () => {
  assert.equal(judgeRun('npm error Missing script: "test"', 1, { ci: false }).fail, 1);
  assert.equal(judgeRun('nothing here', 0, { ci: false }).fail, 1);
});

test('a non-zero exit with no failed test is a failure; failed tests count as themselves', () => {
  assert.equal(judgeRun(nodeSummary({ pass: 3 }), 1, { ci: false }).fail, 1);
  assert.equal(judgeRun(nodeSummary({ pass: 3, fail: 2 }), 1, { ci: false }).fail, 2);
});

test('outside CI a skip stays a skip', () => {
  const r = judgeRun(nodeSkips, 0, { ci: false });
  assert.deepEqual([r.pass, r.fail, r.skip], [1, 0, 3]);
});

test('under CI a skip for a tool CI installs, or with no reason, is a failure; Docker engine, Tempo, Loki are not', () => {
  const r = judgeRun(nodeSkips, 0, { ci: true });
  assert.deepEqual(r.problems, [
    'skipped under CI: promtool not installed',
    'skipped under CI: /usr/bin/chromium not found',
    'skipped under CI: SKIP',
  ]);
  assert.equal(r.fail, 3);
  const allowed = [
    '﹣ a (1ms) # tempo not found in LGTM_APM_BIN_DIR',
    '﹣ b (1ms) # Loki binary missing',
    '﹣ c (1ms) # no Docker engine reachable',
    nodeSummary({ pass: 1, skipped: 3 }),
  ].join('\n');
  assert.deepEqual(judgeRun(allowed, 0, { ci: true }).problems, []);
  const dockerCompose = `﹣ a (1ms) # docker-compose binary not found\n${nodeSummary({ pass: 1, skipped: 1 })}`;
  assert.equal(judgeRun(dockerCompose, 0, { ci: true }).fail, 1);
  const prometheus = `﹣ a (1ms) # prometheus/promtool not installed\n${nodeSummary({ pass: 1 })}`;
  assert.equal(judgeRun(prometheus, 0, { ci: true }).fail, 1);
});

test('under CI skips and todos the runner counted but gave no reason for are a failure', () => {
  assert.match(judgeRun(nodeSummary({ pass: 1, todo: 1 }), 0, { ci: true }).problems[0], /1 skipped or todo/);
  const jestNoReason = 'Tests:       3 skipped, 10 passed, 13 total';
  assert.equal(judgeRun(jestNoReason, 0, { ci: true }).fail, 1);
  assert.equal(judgeRun(jestNoReason, 0, { ci: false }).fail, 0);
});

test('under CI a Jest suite that skipped for Chromium is a failure', () => {
  const r = judgeRun(
    `${jestSkipped.replace('Tests:       14 skipped, 14 total', 'Tests:       14 skipped, 9 passed, 23 total')}`,
    0,
    {
      ci: true,
    },
  );
  assert.equal(r.fail, 1);
  assert.match(r.problems[0], /skipped under CI: browser tests/);
});

test("failureDigest repeats node:test's failing-tests list and Jest's summary of failing tests, bounded", () => {
  const node = [
    '✖ t1 (3.1ms)',
    nodeSummary({ pass: 0, fail: 1 }),
    '',
    '\x1b[31m✖ failing tests:\x1b[39m',
    '',
    'test at a.test.ts:4:1',
    '✖ t1 (3.1ms)',
    '  Error: timed out waiting for gateway metrics',
  ].join('\n');
  assert.equal(
    failureDigest(node),
    'test at a.test.ts:4:1\n✖ t1 (3.1ms)\n  Error: timed out waiting for gateway metrics',
  );
  const jest = [
    'FAIL test/a.test.ts',
    '  ● a › b',
    'Summary of all failing tests',
    'FAIL test/a.test.ts',
    '  ● a › b',
    '    expect(received).toBe(expected)',
    '',
    'Test Suites: 1 failed, 45 passed, 46 total',
    'Tests:       1 failed, 343 passed, 344 total',
  ].join('\n');
  assert.equal(failureDigest(jest), 'FAIL test/a.test.ts\n  ● a › b\n    expect(received).toBe(expected)');
  assert.equal(failureDigest(nodeSummary({ pass: 3 })), '');
  const long = failureDigest(`✖ failing tests:\n${'x'.repeat(100)}`, 10);
  assert.equal(long, `${'x'.repeat(10)}\n… (90 more characters above in the log)`);
});
