#!/usr/bin/env node
// `npm run bench -w grafana-plugin [-- <case> ...] [--rounds N]`: runs every case module in bench/cases/
// (or the named ones) against the harness in Debian's Chromium, prints a table per case and writes
// bench/results/<case>.json. A case module default-exports { name, description, run(ctx) → { rows, notes } }
// where rows are flat objects of numbers/strings; add scatter (or other) cases as new files.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { startHarnessServer } from '../harness/esbuild.config.mjs';
import { chromiumMissingReason, launchChromium } from '../harness/chromium.mjs';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const roundsArg = args.indexOf('--rounds');
const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 3;
const only = args.filter((a, i) => !a.startsWith('--') && (roundsArg < 0 || i !== roundsArg + 1));

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) {return Number.NaN;}
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function percentile(values, p) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return v.length ? v[Math.min(v.length - 1, Math.floor(p * v.length))] : Number.NaN;
}

function markdownTable(rows) {
  const cols = Object.keys(rows[0]);
  const fmt = (v) => (typeof v === 'number' ? (Number.isNaN(v) ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v ?? ''));
  return [`| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(' | ')} |`)].join('\n');
}

/** Replaces the block between `<!-- bench:<case>:start -->` and `<!-- bench:<case>:end -->` in the README. */
function updateReadme(name, out) {
  const readme = path.join(root, 'README.md');
  if (!existsSync(readme) || !out.rows.length) {return;}
  const text = readFileSync(readme, 'utf8');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) {return;}
  const m = out.machine;
  const block = [
    start,
    `Run ${out.started}, commit ${m.commit ?? 'not recorded'}, ${out.rounds} rounds, ${m.cpus} × ${m.cpu}, ${m.chromium}, load average ${m.loadavg.map((x) => x.toFixed(1)).join(' / ')} at start and ${m.loadavgEnd.map((x) => x.toFixed(1)).join(' / ')} at end (other work on the machine inflates every number; compare the ratios).`,
    '',
    markdownTable(out.rows),
    '',
    ...(out.notes ?? []).map((n) => `- ${n}`),
    end,
  ].join('\n');
  writeFileSync(readme, text.slice(0, i) + block + text.slice(j + end.length));
}

function printTable(rows) {
  if (!rows.length) {return;}
  const cols = Object.keys(rows[0]);
  const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c]).length)));
  console.log(cols.map((c, i) => c.padEnd(widths[i])).join('  '));
  for (const r of rows) {console.log(cols.map((c, i) => fmt(r[c]).padEnd(widths[i])).join('  '));}
}

const casesDir = path.join(import.meta.dirname, 'cases');
const files = readdirSync(casesDir).filter((f) => f.endsWith('.mjs')).sort();
const cases = [];
for (const f of files) {
  const mod = await import(path.join(casesDir, f));
  if (!only.length || only.includes(mod.default.name)) {cases.push(mod.default);}
}
if (!cases.length) {
  console.error(`bench: no case matches ${only.join(', ')}; available: ${files.join(', ')}`);
  process.exit(1);
}

const missing = chromiumMissingReason();
if (missing) {
  console.error(`bench: cannot run: ${missing}`);
  process.exit(1);
}
/** The commit measured, with "+changes" when the plugin's working tree differs from it (the README cites it). */
function sourceCommit() {
  const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) {return 'unknown (not a git checkout)';}
  const dirty = spawnSync('git', ['status', '--porcelain', '--', '.'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  return `${head.stdout.trim()}${dirty ? '+changes' : ''}`;
}

const server = await startHarnessServer(root);
const browser = await launchChromium();
const machine = { commit: sourceCommit(), cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, chromium: browser.version(), loadavg: os.loadavg() };
mkdirSync(path.join(root, 'bench', 'results'), { recursive: true });
try {
  for (const c of cases) {
    console.log(`\n== ${c.name}: ${c.description} (rounds ${rounds})`);
    const started = new Date().toISOString();
    const { rows, notes } = await c.run({ browser, url: server.url, rounds, root, median, percentile, log: (...m) => console.log(...m) });
    printTable(rows);
    for (const n of notes ?? []) {console.log(`note: ${n}`);}
    const out = { case: c.name, description: c.description, started, rounds, machine: { ...machine, loadavgEnd: os.loadavg() }, rows, notes };
    writeFileSync(path.join(root, 'bench', 'results', `${c.name}.json`), JSON.stringify(out, null, 2) + '\n');
    updateReadme(c.name, out);
  }
} finally {
  await browser.close();
  await server.stop();
}
