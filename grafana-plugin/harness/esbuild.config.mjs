// Shared by `npm run dev`, the Chromium browser tests and the bench: bundles harness/main.tsx (the real panel
// component with @grafana/ui and fixture data) into <root>/.cache/harness and serves it on 127.0.0.1.
// Plain ESM without import.meta so Jest (which transforms it to CommonJS) can load it too.
import { copyFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

/**
 * esbuild does not bundle `new Worker(new URL(…, import.meta.url))` as webpack does: the harness builds the layout
 * worker as a second entry point and swaps the module that starts it for one loading that file (same worker
 * code, another way to find its URL).
 */
const harnessLayoutWorker = {
  name: 'harness-layout-worker',
  setup(build) {
    build.onResolve({ filter: /\/createLayoutWorker$/ }, () => ({
      path: 'harness-create-layout-worker',
      namespace: 'harness',
    }));
    build.onLoad({ filter: /.*/, namespace: 'harness' }, () => ({
      contents: `export function createLayoutWorker() {
        if (typeof Worker === 'undefined') { throw new Error('this browser has no Web Worker'); }
        if (globalThis.__harnessBreakWorker) { throw new Error('harness: Worker disabled for this page'); }
        return new Worker(new URL('layout.worker.js', document.baseURI), { name: 'lgtmapm-layout' });
      }`,
      loader: 'js',
    }));
  },
};

export function harnessBuildOptions(root, { minify = true } = {}) {
  return {
    entryPoints: {
      main: path.join(root, 'harness', 'main.tsx'),
      'layout.worker': path.join(root, 'src', 'servermap', 'layout', 'layout.worker.ts'),
    },
    plugins: [harnessLayoutWorker],
    bundle: true,
    format: 'iife',
    jsx: 'automatic',
    outdir: path.join(root, '.cache', 'harness'),
    tsconfig: path.join(root, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.png': 'file', '.svg': 'text' },
    minify,
    sourcemap: minify ? false : 'inline',
    logLevel: 'error',
  };
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves a built folder as plain static files on 127.0.0.1. esbuild's own server rebuilds the bundle when a
 * request arrives (seconds for the 4 MB harness on a loaded machine), which made the first fetch of the layout
 * worker's script take 2–4 s in the bench; a built page should be served as Grafana serves a plugin.
 */
function serveStatic(dir, port) {
  return new Promise((resolve, reject) => {
    const server = http.createServer((req, res) => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      const file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
      if (!file.startsWith(dir + path.sep)) {
        res.writeHead(403).end();
        return;
      }
      readFile(file).then(
        (body) =>
          res
            .writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' })
            .end(body),
        () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      );
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Builds once and serves the harness; `stop()` disposes the esbuild context (and its server). */
export async function startHarnessServer(root, { minify = true, port = 0, watch = false } = {}) {
  const esbuild = await import('esbuild');
  const options = harnessBuildOptions(root, { minify });
  mkdirSync(options.outdir, { recursive: true });
  copyFileSync(path.join(root, 'harness', 'index.html'), path.join(options.outdir, 'index.html'));
  const ctx = await esbuild.context(options);
  await ctx.rebuild();
  if (watch) {
    // `npm run dev`: esbuild's server, which rebuilds on change.
    await ctx.watch();
    const served = await ctx.serve({ servedir: options.outdir, host: '127.0.0.1', port });
    return { url: `http://127.0.0.1:${served.port}/`, stop: () => ctx.dispose() };
  }
  await ctx.dispose();
  const server = await serveStatic(options.outdir, port);
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
