/**
 * The scaffold's webpack config (`.config/`, generated, not edited) with these changes: node_modules files
 * are named `../node_modules/…` in `module.js.map`, as Grafana's plugin validator expects (see
 * scripts/sourcemap-names.ts); and the layout worker (src/servermap/layout/createLayoutWorker.ts) is one
 * self-contained file: split out, its share of d3-dag would be fetched by the worker with importScripts from the
 * build-time public path, which inside a worker resolves against the worker's own URL (a 404); and not wrapped
 * in the AMD `define(…)` of module.js (a worker has no `define`).
 */
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';
import { sourceMapModuleName } from './scripts/sourcemap-names';

/** The `name` createLayoutWorker gives its Worker, which webpack uses as the worker chunk's name. */
const LAYOUT_WORKER_CHUNK = 'lgtmapm-layout';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    output: {
      ...base.output,
      devtoolModuleFilenameTemplate: sourceMapModuleName,
      // module.js is AMD; the layout worker's entry is a plain script (createLayoutWorker.ts).
      enabledLibraryTypes: ['amd', 'var'],
    },
    optimization: {
      ...base.optimization,
      // As the scaffold's default ("async" chunks only), minus the worker.
      splitChunks: { chunks: (chunk) => !chunk.canBeInitial() && chunk.name !== LAYOUT_WORKER_CHUNK },
    },
  };
};

export default config;
