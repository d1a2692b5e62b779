#!/usr/bin/env node
// `npm run dev -w grafana-plugin`: serves the harness with rebuild on change. Open the printed URL;
// query parameters: fixture=<harness/fixtures/NAME.ts>, theme=dark|light, layout=map|scatter|both, w, h.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { startHarnessServer } from './esbuild.config.mjs';

const root = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 5173);
const { url } = await startHarnessServer(root, { minify: false, port, watch: true });
const fixtures = readdirSync(path.join(root, 'harness', 'fixtures'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
console.log(`harness: ${url}?fixture=demo&theme=dark`);
console.log(`fixtures: ${fixtures.join(', ')}`);
