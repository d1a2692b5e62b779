/**
 * The layout worker, as Grafana's Node Graph panel starts its own: webpack sees `new Worker(new URL(…,
 * import.meta.url))`, bundles layout.worker.ts into a file of its own in dist/ and resolves the URL against
 * the plugin's public path at run time (`__webpack_public_path__`, set from the AMD module's URI by the
 * scaffold's grafana-public-path), so it loads from public/plugins/<id>/ under any Grafana sub-path. The dev
 * harness (esbuild) replaces this module with one that loads its own build of the worker.
 * Throws where a worker cannot start (no Worker, a CSP without worker-src, a cross-origin plugin CDN): the
 * caller then lays out on the main thread.
 */
export function createLayoutWorker(): Worker {
  if (typeof Worker === 'undefined') {
    throw new Error('this browser has no Web Worker');
  }
  // The plugin's output is an AMD library (`define(…)`, for Grafana's SystemJS loader); a worker has no
  // `define`, so its entry is a plain script (webpack.config.ts enables the "var" library type).
  return new Worker(
    /* webpackEntryOptions: { library: { type: "var", name: "lgtmapmLayoutWorker" } } */ new URL(
      './layout.worker.ts',
      import.meta.url
    ),
    { name: 'lgtmapm-layout' }
  );
}
