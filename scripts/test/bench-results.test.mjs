// README benchmark numbers need a results file behind them that says what was measured: the commit, the
// Node version, the machine and the date. This checks the provenance, not the numbers: every committed
// results file records it, every results file a README names exists, and every table a bench script
// writes into a README names its commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
const COMMIT = /\b[0-9a-f]{7,40}\b/;

function resultsFiles() {
  return workspaces.flatMap((ws) => {
    const dir = join(root, ws, 'bench', 'results');
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => join(ws, 'bench', 'results', f))
      : [];
  });
}

/** What a results file says about its run(s); a file of several runs is checked run by run. */
function provenanceProblems(file, json = JSON.parse(readFileSync(join(root, file), 'utf8'))) {
  const runs = Array.isArray(json.runs) ? json.runs : [json];
  const problems = [];
  runs.forEach((run, i) => {
    const where = runs.length > 1 ? `${file} run ${i}` : file;
    const m = run.machine ?? {};
    if (!COMMIT.test(String(m.commit ?? json.commit ?? json.note ?? '')))
      problems.push(`${where}: no commit`);
    if (!/^v\d+\.\d+\.\d+$/.test(String(m.node ?? ''))) problems.push(`${where}: no Node version`);
    if (!m.cpu) problems.push(`${where}: no machine (cpu)`);
    if (Number.isNaN(Date.parse(m.date ?? run.started ?? ''))) problems.push(`${where}: no date`);
  });
  return problems;
}

test('every committed benchmark results file records commit, Node version, machine and date', () => {
  const files = resultsFiles();
  assert.ok(files.length > 0, 'no results files found');
  assert.deepEqual(files.flatMap((f) => provenanceProblems(f)), []);
});

test('the check fails a results file without provenance (control)', () => {
  assert.deepEqual(provenanceProblems('x.json', { machine: { cores: 2 }, rows: [] }), [
    'x.json: no commit',
    'x.json: no Node version',
    'x.json: no machine (cpu)',
    'x.json: no date',
  ]);
  const ok = {
    machine: { commit: '5f99b98', node: 'v24.21.0', cpu: 'AMD EPYC', date: '2026-11-25T22:14:20Z' },
  };
  assert.deepEqual(provenanceProblems('y.json', ok), []);
});

test('README tables written by the bench scripts name the commit they measured, and cited results exist', () => {
  const problems = [];
  let blocks = 0;
  for (const ws of ['.', ...workspaces]) {
    const readme = join(root, ws, 'README.md');
    if (!existsSync(readme)) continue;
    const text = readFileSync(readme, 'utf8');
    for (const m of text.matchAll(
      /<!-- bench:([\w-]+)(?::start)? -->([\s\S]*?)<!-- \/?bench:\1(?::end)? -->/g,
    )) {
      blocks++;
      const heading = m[2].trim().split('\n')[0];
      if (!/commit [0-9a-f]{7,40}/.test(heading))
        problems.push(`${ws}/README.md bench:${m[1]}: "${heading}" names no commit`);
    }
    for (const m of text.matchAll(/bench\/results\/([\w.-]+\.json)/g)) {
      if (!existsSync(join(root, ws, 'bench', 'results', m[1])))
        problems.push(`${ws}/README.md cites missing ${m[0]}`);
    }
  }
  assert.ok(blocks >= 6, `found ${blocks} bench blocks in the READMEs`);
  assert.deepEqual(problems, []);
});
