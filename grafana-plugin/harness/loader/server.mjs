// Serves the bundle test's host page (harness/loader/host.tsx, built with esbuild), SystemJS from node_modules
// and the plugin's built dist/ under public/plugins/<id>/ on 127.0.0.1, as Grafana serves a plugin.
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export async function startLoaderServer(root, pluginId) {
  const esbuild = await import('esbuild');
  const dist = path.join(root, 'dist');
  if (!existsSync(path.join(dist, 'module.js'))) {
    throw new Error(`${dist}/module.js is missing: run "npm run build -w grafana-plugin" first`);
  }
  const outdir = path.join(root, '.cache', 'loader');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const systemjs = path.dirname(createRequire(path.join(root, 'package.json')).resolve('systemjs/package.json'));
  cpSync(path.join(systemjs, 'dist'), path.join(outdir, 'systemjs'), { recursive: true });
  cpSync(dist, path.join(outdir, 'public', 'plugins', pluginId), { recursive: true });
  cpSync(path.join(root, 'harness', 'loader', 'index.html'), path.join(outdir, 'index.html'));
  const ctx = await esbuild.context({
    entryPoints: [path.join(root, 'harness', 'loader', 'host.tsx')],
    bundle: true,
    format: 'iife',
    jsx: 'automatic',
    outdir,
    tsconfig: path.join(root, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.png': 'file', '.svg': 'text' },
    minify: process.env.LOADER_MINIFY !== '0',
    logLevel: 'error',
  });
  await ctx.rebuild();
  const served = await ctx.serve({ servedir: outdir, host: '127.0.0.1', port: 0 });
  return { url: `http://127.0.0.1:${served.port}/`, stop: () => ctx.dispose() };
}
