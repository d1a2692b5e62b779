// The YAML examples in docs/scale-out.md parse strictly and keep the security properties the page
// promises (multi-tenancy on, Loki deletion off, Grafana credentials only in secureJsonData), so an
// edit that drops one of them fails here instead of reaching users who copy the example.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseYamlStrict, readText, repoRoot } from './helpers/files.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const scaleOut = join(repoRoot, 'docs', 'scale-out.md');

/** Fenced code blocks of one language, with the comment on their first line as a label. */
function fencedBlocks(markdown: string, language: string): { label: string; text: string }[] {
  const blocks: { label: string; text: string }[] = [];
  for (const m of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    if (m[1] !== language) continue;
    const text = m[2]!;
    blocks.push({ label: /^#\s*([\w./-]+)/.exec(text)?.[1] ?? `block ${blocks.length + 1}`, text });
  }
  return blocks;
}

const yamlBlocks = fencedBlocks(readText(scaleOut), 'yaml').map((b) => ({
  ...b,
  value: parseYamlStrict(b.text, `docs/scale-out.md ${b.label}`) as Obj,
}));

function block(label: string): Obj {
  const found = yamlBlocks.find((b) => b.label === label);
  assert.ok(found, `docs/scale-out.md has a yaml block starting with "# ${label}"`);
  return found.value;
}

test('fence extraction finds each block (control)', () => {
  const md = '```yaml\n# a.yaml\nx: 1\n```\n\n```sh\nls\n```\n```yaml\ny: [\n```\n';
  const blocks = fencedBlocks(md, 'yaml');
  assert.deepEqual(
    blocks.map((b) => b.label),
    ['a.yaml', 'block 2'],
  );
  assert.throws(() => parseYamlStrict(blocks[1]!.text, 'broken'), /broken/);
});

test('docs/scale-out.md: every yaml example parses strictly', () => {
  assert.ok(yamlBlocks.length >= 4, `found ${yamlBlocks.length} yaml blocks`);
  for (const b of yamlBlocks) assert.equal(typeof b.value, 'object', b.label);
});

test('docs/scale-out.md: the chart values turn multi-tenancy on and Loki deletion off', () => {
  assert.equal(block('tempo-values.yaml').multitenancyEnabled, true);
  assert.equal(block('mimir-values.yaml').mimir.structuredConfig.multitenancy_enabled, true);
  const loki = block('loki-values.yaml').loki;
  assert.equal(loki.auth_enabled, true);
  assert.equal(loki.limits_config.deletion_mode, 'disabled');
});

test('docs/scale-out.md: Grafana data sources use HTTPS or a tenant header, secrets only in secureJsonData', () => {
  const provisioning = block('provisioning/datasources/lgtm-apm.yaml');
  assert.equal(provisioning.apiVersion, 1);
  const sources = provisioning.datasources as Obj[];
  assert.deepEqual(
    ['prometheus', 'tempo', 'loki'].filter((t) => !sources.some((s) => s.type === t)),
    [],
    'one data source of each type',
  );
  for (const ds of sources) {
    const jsonData: Obj = ds.jsonData ?? {};
    const secure: Obj = ds.secureJsonData ?? {};
    for (const key of Object.keys(ds)) {
      assert.ok(!/password|token|secret/i.test(key) || key === 'secureJsonData', `${ds.name}: ${key}`);
    }
    for (const key of Object.keys(jsonData)) {
      assert.ok(!/password|token|secret|httpHeaderValue/i.test(key), `${ds.name}: jsonData.${key}`);
    }
    if (ds.basicAuth) {
      assert.match(ds.url, /^https:\/\//, `${ds.name}: basic auth only over TLS`);
      assert.ok(ds.basicAuthUser, `${ds.name}: basicAuthUser`);
      assert.match(secure.basicAuthPassword ?? '', /^\$\w+$/, `${ds.name}: password from the environment`);
    } else {
      assert.equal(
        jsonData.httpHeaderName1,
        'X-Scope-OrgID',
        `${ds.name}: no credential, so a tenant header`,
      );
      assert.ok(secure.httpHeaderValue1, `${ds.name}: the tenant in secureJsonData.httpHeaderValue1`);
    }
  }
});
