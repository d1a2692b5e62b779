#!/usr/bin/env node
/** Writes generated/*.json from the builders and removes stale files; `npm run generate -w dashboards`. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderDashboards } from '../catalog.ts';

const outDir = join(import.meta.dirname, '..', '..', 'generated');

async function main(): Promise<void> {
  const files = renderDashboards();
  await mkdir(outDir, { recursive: true });
  for (const existing of await readdir(outDir)) {
    if (existing.endsWith('.json') && !files.has(existing)) await rm(join(outDir, existing));
  }
  for (const [file, text] of files) await writeFile(join(outDir, file), text);
  process.stdout.write(`wrote ${files.size} dashboards to ${outDir}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`generate: ${error.message}\n`);
  process.exitCode = 1;
});
