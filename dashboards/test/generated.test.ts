/**
 * The committed generated/*.json must be exactly what the builders produce now: a builder change without
 * `npm run generate -w dashboards` fails here (the comparison is in memory; `build` never writes files).
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DASHBOARDS, DASHBOARD_UIDS, renderDashboards } from '../src/index.ts';

const generatedDir = join(import.meta.dirname, '..', 'generated');

test('generated/ holds exactly one committed file per dashboard, equal to fresh builder output', async () => {
  const fresh = renderDashboards();
  const committed = (await readdir(generatedDir)).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual(
    committed,
    [...fresh.keys()].sort(),
    'stale or missing files: run `npm run generate -w dashboards`',
  );
  for (const [file, text] of fresh) {
    const onDisk = await readFile(join(generatedDir, file), 'utf8');
    assert.ok(
      onDisk === text,
      `${file} differs from the builders: run \`npm run generate -w dashboards\` and commit`,
    );
  }
});

test('rendering is deterministic', () => {
  assert.deepEqual([...renderDashboards()], [...renderDashboards()]);
});

test('dashboard uids and file names are the contract ones', () => {
  assert.deepEqual(
    DASHBOARDS.map((d) => d.uid),
    ['lgtm-apm-overview', 'lgtm-apm-service', 'lgtm-apm-nodejs', 'lgtm-apm-logs'],
  );
  for (const d of DASHBOARDS) {
    assert.equal(d.file, `${d.uid}.json`);
    const json = JSON.parse(renderDashboards().get(d.file)!) as { uid: string; id: unknown };
    assert.equal(json.uid, d.uid);
    assert.equal(json.id, null, 'import must create, not overwrite by numeric id');
  }
  assert.equal(DASHBOARD_UIDS.overview, 'lgtm-apm-overview');
});
