#!/usr/bin/env node
// Runs every workspace's tests (node:test or Jest), the scripts' own tests, lint and typecheck, streams
// their output, and ends with one plain "N passed, N failed, N skipped" line so CI can read a single
// summary across mixed runners. `node scripts/test-all.mjs <name>...` runs only the named ones.
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { failureDigest, judgeRun } from './lib/summary.mjs';

const root = join(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ci = process.env.CI === 'true' || process.env.CI === '1';

function run(cmd, args) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('error', (err) => resolve({ code: 1, out: `${out}\n${err.message}` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

function testScriptOf(ws) {
  const pkgPath = join(root, ws, 'package.json');
  return existsSync(pkgPath) ? JSON.parse(readFileSync(pkgPath, 'utf8')).scripts?.test : undefined;
}

/** Test suites: counted from the summary their runner prints (see scripts/lib/summary.mjs). */
const suites = [
  ...rootPkg.workspaces.map((ws) => ({ name: ws, cmd: ['npm', 'run', 'test', '-w', ws], ws })),
  { name: 'scripts', cmd: ['node', '--test', 'scripts/test/*.test.mjs'] },
];
/** Checks that pass or fail as a whole: one pass or one failure each. */
const checks = [
  { name: 'lint', cmd: ['npm', 'run', 'lint'] },
  { name: 'typecheck', cmd: ['npm', 'run', 'typecheck'] },
];

const only = process.argv.slice(2);
const known = new Set([...suites, ...checks].map((s) => s.name));
const rows = [];
for (const name of only.filter((n) => !known.has(n))) {
  rows.push({
    name,
    pass: 0,
    fail: 1,
    skip: 0,
    problems: [`no such workspace or check (known: ${[...known].join(', ')})`],
  });
}
const selected = (s) => only.length === 0 || only.includes(s.name);

const build = await run('npm', ['run', 'build', '--workspaces', '--if-present']);
if (build.code !== 0)
  rows.push({ name: '(build)', pass: 0, fail: 1, skip: 0, problems: [`exit ${build.code}`] });

for (const suite of suites.filter(selected)) {
  if (suite.ws && !testScriptOf(suite.ws)) {
    rows.push({
      name: suite.name,
      pass: 0,
      fail: 1,
      skip: 0,
      problems: ['has no package.json with a "test" script'],
    });
    continue;
  }
  console.log(`\n=== ${suite.name}: ${suite.cmd.join(' ')} ===`);
  const res = await run(suite.cmd[0], suite.cmd.slice(1));
  const judged = judgeRun(res.out, res.code, { ci });
  rows.push({ name: suite.name, ...judged, digest: judged.fail > 0 ? failureDigest(res.out) : '' });
}
for (const check of checks.filter(selected)) {
  console.log(`\n=== ${check.name}: ${check.cmd.join(' ')} ===`);
  const res = await run(check.cmd[0], check.cmd.slice(1));
  const ok = res.code === 0;
  rows.push({
    name: check.name,
    pass: ok ? 1 : 0,
    fail: ok ? 0 : 1,
    skip: 0,
    problems: ok ? [] : [`exit ${res.code}`],
  });
}

// The failures again, next to the summary: a CI log is read from its end, and a suite's own report of what
// failed scrolls away behind the suites that ran after it.
for (const r of rows.filter((row) => row.digest)) {
  console.log(`\n=== failures in ${r.name} (repeated from its output above) ===\n${r.digest}`);
}
console.log(`\n=== summary by workspace${ci ? ' (CI: skips need a reason CI cannot provide)' : ''} ===`);
for (const r of rows) {
  console.log(`${r.name.padEnd(16)} ${r.pass} passed, ${r.fail} failed, ${r.skip} skipped`);
  for (const p of r.problems) console.log(`${''.padEnd(16)} counted as a failure: ${p}`);
}
const total = rows.reduce(
  (a, r) => ({ pass: a.pass + r.pass, fail: a.fail + r.fail, skip: a.skip + r.skip }),
  {
    pass: 0,
    fail: 0,
    skip: 0,
  },
);
console.log(`${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`);
process.exit(total.fail > 0 ? 1 : 0);
