// Bundles the kit into one CommonJS file: one file to read and compile instead of hundreds of
// package files is most of the start-up win over the stock preload (see README, "Start-up").
// Instrumentations stay lazy inside the bundle (their require() calls run only when needed).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
// Build beside dist/ and swap, so a process starting meanwhile never finds a half-written bundle.
const finalDist = join(root, 'dist');
const dist = join(root, `.dist-${process.pid}`);
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [join(root, 'src/index.ts')],
  outfile: join(dist, 'sdk.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  // Shared with the app (API singleton) or needed on disk (loader hooks resolve their own files).
  external: ['@opentelemetry/api', 'import-in-the-middle', 'import-in-the-middle/*', 'require-in-the-middle'],
  legalComments: 'linked',
  logLevel: 'warning',
  metafile: false,
});
copyFileSync(join(root, 'src/preload.cjs'), join(dist, 'preload.cjs'));
for (const file of ['sdk.cjs', 'sdk.cjs.LEGAL.txt', 'preload.cjs']) {
  mkdirSync(finalDist, { recursive: true });
  if (existsSync(join(dist, file))) renameSync(join(dist, file), join(finalDist, file));
}
rmSync(dist, { recursive: true, force: true });
