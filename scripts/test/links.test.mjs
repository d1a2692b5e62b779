// Every relative link in the repository's Markdown resolves (file and #heading), checked by
// scripts/lib/links.mjs; the checker itself is tested on small files first so a pass means something.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anchors, brokenLinks, linkTargets, markdownFiles, slug } from '../lib/links.mjs';

const root = join(import.meta.dirname, '..', '..');

test('slug follows GitHub: lower case, punctuation dropped, spaces to hyphens', () => {
  assert.equal(slug('Metrics and logs'), 'metrics-and-logs');
  assert.equal(slug('Troubleshooting: "no traces?"'), 'troubleshooting-no-traces');
  assert.equal(slug('See what it sends, without a backend'), 'see-what-it-sends-without-a-backend');
  assert.equal(
    slug('Fixtures for other suites (`@lgtm-apm/dashboards/fixtures`)'),
    'fixtures-for-other-suites-lgtm-apmdashboardsfixtures',
  );
  assert.equal(slug('[Link](x.md) and snake_case'), 'link-and-snake_case');
});

test('anchors: every heading, repeats numbered, code blocks ignored, explicit ids kept', () => {
  const md = '# Title\n## Usage\n### Usage\n```sh\n# not a heading\n```\n<a id="custom"></a>\n';
  assert.deepEqual([...anchors(md)].sort(), ['custom', 'title', 'usage', 'usage-1']);
});

test('linkTargets: inline links, images and definitions, not code', () => {
  const md = [
    'See [a](a.md#x) and ![img](pic.png "t") and [web](https://example.com).',
    '`[not](code.md)` and',
    '```',
    '[nor](block.md)',
    '```',
    '[ref]: ref.md',
  ].join('\n');
  assert.deepEqual(linkTargets(md), ['a.md#x', 'pic.png', 'https://example.com', 'ref.md']);
});

test('brokenLinks reports a missing file, a missing heading and a path outside the repository', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lgtm-apm-links-'));
  try {
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs', 'b.md'), '# B\n## Part two\n');
    writeFileSync(
      join(dir, 'a.md'),
      [
        '# A',
        '[ok](docs/b.md#part-two) [ok](docs/) [ok](#a) [web](https://example.com/x.md)',
        '[gone](docs/c.md) [bad anchor](docs/b.md#part-three) [here](#nowhere) [out](../shared/DESIGN.md)',
      ].join('\n'),
    );
    assert.deepEqual(brokenLinks(join(dir, 'a.md'), dir), [
      'a.md: docs/c.md (no such file)',
      'a.md: docs/b.md#part-three (no such heading)',
      'a.md: #nowhere (no such heading)',
      'a.md: ../shared/DESIGN.md (outside the repository)',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every relative link in every Markdown file of the repository resolves', () => {
  const files = markdownFiles(root);
  assert.ok(
    files.some((f) => f.endsWith(join('docs', 'architecture.md'))),
    'docs/architecture.md is found',
  );
  assert.ok(files.length >= 20, `only ${files.length} Markdown files found`);
  assert.deepEqual(
    files.flatMap((f) => brokenLinks(f, root)),
    [],
  );
});
