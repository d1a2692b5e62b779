/**
 * How bundled files are named in `module.js.map`; used by `webpack.config.ts`.
 *
 * webpack names an ES module (`.mjs`, type `javascript/esm`) by its type plus its path, and path
 * normalisation turns `javascript/esm|../../node_modules/d3-dag/…` into `javascript/node_modules/d3-dag/…`.
 * Grafana's plugin validator (jsMap analyzer, plugin-validator v0.45.6) skips third-party sources only
 * when their name starts with `../node_modules` or `./node_modules/`, so it looked for that file under
 * `src/javascript/` and reported the source code as not matching the archive. Naming every
 * node_modules source `../node_modules/<package path>` keeps the sources content unchanged and gives the
 * validator the name it expects. Own sources keep webpack's default name (`./servermap/…`).
 */
export interface ModuleFilenameInfo {
  namespace: string;
  resourcePath: string;
  loaders: string;
}

export function sourceMapModuleName(info: ModuleFilenameInfo): string {
  const dependency = /(?:^|\/)node_modules\/(.+)$/.exec(info.resourcePath);
  const path = dependency ? `../node_modules/${dependency[1]}` : info.resourcePath;
  // webpack's default template is webpack://[namespace]/[resource-path]?[loaders]
  return `webpack://${info.namespace}/${path}${info.loaders ? `?${info.loaders}` : ''}`;
}
