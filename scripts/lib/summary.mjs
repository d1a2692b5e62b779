// Reads what node:test and Jest print and decides what a workspace's run counts as. Kept apart from
// test-all.mjs (which spawns the runs) so the rules are unit-tested on captured output.

// eslint-disable-next-line no-control-regex -- strips the ANSI colour codes runners print
const plainText = (out) => out.replace(/\x1b\[[0-9;]*m/g, '');

/** Reads the last summary a node:test or Jest run printed. */
export function parseSummary(out) {
  const plain = plainText(out);
  const node = { runner: 'node', pass: 0, fail: 0, skip: 0, found: false };
  for (const m of plain.matchAll(/^\s*(?:ℹ|#) (pass|fail|skipped|todo|cancelled) (\d+)\s*$/gm)) {
    node.found = true;
    const n = Number(m[2]);
    if (m[1] === 'pass') node.pass += n;
    else if (m[1] === 'fail' || m[1] === 'cancelled') node.fail += n;
    else node.skip += n;
  }
  if (node.found) return node;
  const jest = [...plain.matchAll(/^Tests:\s+(.*)$/gm)].at(-1);
  if (jest) {
    const count = (word) => Number(jest[1].match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
    return {
      runner: 'jest',
      pass: count('passed'),
      fail: count('failed'),
      skip: count('skipped') + count('todo'),
      found: true,
    };
  }
  return { runner: undefined, pass: 0, fail: 0, skip: 0, found: false };
}

/**
 * The reason printed for each skipped test or suite. node:test prints it after the name (spec:
 * `﹣ name (1ms) # reason`, TAP: `ok 1 - name # SKIP reason`; a bare skip reads "SKIP"). Jest prints no
 * reason, so Jest suites that skip print a line `SKIP <what>: <reason>` themselves (the panel's
 * describeBrowser does).
 */
export function parseSkipReasons(out, runner) {
  const plain = plainText(out);
  const reasons = [];
  if (runner === 'jest') {
    for (const m of plain.matchAll(/^\s*SKIP (.+)$/gm)) reasons.push(m[1].trim());
    return reasons;
  }
  for (const m of plain.matchAll(/^\s*﹣ .*? \([\d.]+m?s\)(?: # (.*))?$/gm))
    reasons.push((m[1] ?? 'SKIP').trim());
  for (const m of plain.matchAll(/^\s*ok \d+ - .* # SKIP\b ?(.*)$/gm)) reasons.push(m[1].trim() || 'SKIP');
  return reasons;
}

/**
 * What CI does not have, so a test may skip for it under CI: a Docker engine, and the Tempo/Loki (or other
 * upstream) binaries passed in with LGTM_APM_BIN_DIR. Chromium, Prometheus, promtool, docker-compose,
 * PostgreSQL and Redis are installed by .ci/run: a skip for any of them, or for any other reason, is a
 * failure under CI.
 */
export const SKIP_ALLOWED_UNDER_CI = /\b(?:tempo|loki)\b|\bdocker\b(?!-compose)|LGTM_APM_BIN_DIR/i;

/**
 * Counts one workspace's run. Besides the failed tests, each of these is one failure: no summary printed
 * (crashed, or not a test runner), no test passed (a glob that matched nothing exits 0), a non-zero exit with
 * no failed test, and under CI each skip whose reason is not in SKIP_ALLOWED_UNDER_CI.
 */
export function judgeRun(out, code, { ci }) {
  const s = parseSummary(out);
  const problems = [];
  if (!s.found) problems.push(`printed no test summary (exit ${code})`);
  else {
    if (s.pass === 0 && s.fail === 0)
      problems.push('ran no test that passed (nothing matched, or everything skipped)');
    if (code !== 0 && s.fail === 0) problems.push(`exited ${code} with no failed test`);
    if (ci) {
      const reasons = parseSkipReasons(out, s.runner);
      for (const reason of reasons) {
        if (!SKIP_ALLOWED_UNDER_CI.test(reason)) problems.push(`skipped under CI: ${reason}`);
      }
      // Skips and todos that printed no reason cannot be checked, so they count too.
      const unexplained =
        s.runner === 'jest' ? (reasons.length === 0 && s.skip > 0 ? s.skip : 0) : s.skip - reasons.length;
      if (unexplained > 0)
        problems.push(`${unexplained} skipped or todo test(s) without a printed reason under CI`);
    }
  }
  return { pass: s.pass, fail: s.fail + problems.length, skip: s.skip, problems };
}

/**
 * What a failed run printed about its failures, for the end of the CI log (the part a reader sees first):
 * node:test's "failing tests" list, or Jest's "Summary of all failing tests", at most `maxChars` of it.
 * Empty when the run printed neither.
 */
export function failureDigest(out, maxChars = 8_000) {
  const plain = plainText(out);
  const node = plain.lastIndexOf('✖ failing tests:');
  let digest = '';
  if (node >= 0) digest = plain.slice(node + '✖ failing tests:'.length);
  else {
    const jest = plain.lastIndexOf('Summary of all failing tests');
    if (jest >= 0) {
      const end = plain.indexOf('\nTest Suites:', jest);
      digest = plain.slice(jest + 'Summary of all failing tests'.length, end >= 0 ? end : undefined);
    }
  }
  digest = digest.trim();
  return digest.length > maxChars
    ? `${digest.slice(0, maxChars)}\n… (${digest.length - maxChars} more characters above in the log)`
    : digest;
}
