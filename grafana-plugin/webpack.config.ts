/**
 * The scaffold's webpack config (`.config/`, generated, not edited) with one change: node_modules files
 * are named `../node_modules/…` in `module.js.map`, as Grafana's plugin validator expects (see
 * scripts/sourcemap-names.ts).
 */
import type { Configuration } from 'webpack';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';
import { sourceMapModuleName } from './scripts/sourcemap-names';

const config = async (env: Env): Promise<Configuration> => {
  const base = await grafanaConfig(env);
  return {
    ...base,
    output: { ...base.output, devtoolModuleFilenameTemplate: sourceMapModuleName },
  };
};

export default config;
