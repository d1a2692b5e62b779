#!/usr/bin/env node
// Runs every workspace's tests (node:test or Jest), streams their output, and ends with one plain
// "N passed, N failed, N skipped" line so CI can read a single summary across mixed runners.
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const only = process.argv.slice(2);

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
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

/** Reads the last summary a node:test or Jest run printed. */
export function parseSummary(out) {
  // eslint-disable-next-line no-control-regex -- strips the ANSI colour codes runners print
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const node = { pass: 0, fail: 0, skip: 0, found: false };
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
    return { pass: count('passed'), fail: count('failed'), skip: count('skipped') + count('todo'), found: true };
  }
  return { pass: 0, fail: 0, skip: 0, found: false };
}

const workspaces = rootPkg.workspaces.filter((ws) => {
  if (only.length && !only.includes(ws)) return false;
  const pkgPath = join(root, ws, 'package.json');
  return existsSync(pkgPath) && JSON.parse(readFileSync(pkgPath, 'utf8')).scripts?.test;
});

const build = await run('npm', ['run', 'build', '--workspaces', '--if-present']);
const rows = [];
if (build.code !== 0) rows.push({ ws: '(build)', pass: 0, fail: 1, skip: 0, code: build.code });
for (const ws of workspaces) {
  console.log(`\n=== ${ws}: npm test ===`);
  const res = await run('npm', ['run', 'test', '-w', ws]);
  const s = parseSummary(res.out);
  // A runner that crashed before printing a summary still counts as a failure.
  const fail = s.fail + (res.code !== 0 && s.fail === 0 ? 1 : 0);
  rows.push({ ws, pass: s.pass, fail, skip: s.skip, code: res.code });
}

console.log('\n=== summary by workspace ===');
for (const r of rows) console.log(`${r.ws.padEnd(16)} ${r.pass} passed, ${r.fail} failed, ${r.skip} skipped (exit ${r.code})`);
const total = rows.reduce((a, r) => ({ pass: a.pass + r.pass, fail: a.fail + r.fail, skip: a.skip + r.skip }), {
  pass: 0,
  fail: 0,
  skip: 0,
});
console.log(`${total.pass} passed, ${total.fail} failed, ${total.skip} skipped`);
process.exit(total.fail > 0 ? 1 : 0);
