// Paths and loaders shared by the validation suite. YAML is parsed with the `yaml` package in strict
// mode, so duplicate keys and other YAML errors fail the tests instead of being silently resolved.
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const composeDir = join(repoRoot, 'compose');
export const provisioningDir = join(repoRoot, 'provisioning');
export const composeFile = join(composeDir, 'compose.yaml');

export function rel(path: string): string {
  return relative(repoRoot, path);
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Parses one YAML document; throws with every error and warning the parser reported. */
export function parseYamlStrict(text: string, label: string): unknown {
  const doc = parseDocument(text, { strict: true, uniqueKeys: true, prettyErrors: true, merge: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new Error(`${label}: ${problems.map((p) => p.message).join('\n')}`);
  }
  return doc.toJS({ maxAliasCount: 100 });
}

export function loadYaml<T = Record<string, unknown>>(path: string): T {
  return parseYamlStrict(readText(path), rel(path)) as T;
}

/** Every *.yaml / *.yml file below `dir`, recursively, skipping node_modules. */
export function yamlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...yamlFilesUnder(path));
    else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out.sort();
}

export function exists(path: string): boolean {
  return existsSync(path);
}
