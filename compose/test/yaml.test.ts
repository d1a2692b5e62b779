// Every YAML file of the stack parses strictly (no duplicate keys, no YAML errors or warnings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  composeDir,
  provisioningDir,
  yamlFilesUnder,
  readText,
  rel,
  parseYamlStrict,
} from './helpers/files.ts';

const files = [
  ...yamlFilesUnder(composeDir).filter((f) => !f.includes('/test/')),
  ...yamlFilesUnder(provisioningDir),
];

test('the stack has the expected YAML files', () => {
  const names = files.map(rel);
  for (const f of ['compose/compose.yaml', 'compose/tempo.yaml', 'compose/loki.yaml', 'compose/mimir.yaml']) {
    assert.ok(names.includes(f), f);
  }
  assert.ok(names.filter((n) => n.startsWith('provisioning/')).length >= 6);
});

test('strict parsing rejects duplicate keys (control)', () => {
  assert.throws(() => parseYamlStrict('a: 1\na: 2\n', 'dup'), /[Dd]uplicate|unique/);
});

for (const file of files) {
  test(`parses: ${rel(file)}`, () => {
    const value = parseYamlStrict(readText(file), rel(file));
    assert.equal(typeof value, 'object');
    assert.ok(value !== null);
  });
}
