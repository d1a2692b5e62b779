/**
 * The host page of the bundle test: plays Grafana's part. The panel's shipped `dist/module.js` is imported
 * through SystemJS as Grafana's plugin loader does (public/app/features/plugins/loader in grafana/grafana): the
 * shared modules are registered under `package:<name>` and mapped with an import map, AMD sources are wrapped so
 * `define` is SystemJS's, and the module is imported from `public/plugins/<id>/module.js`. The results are
 * published on `window.__bundle` for the browser test.
 */
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as jsxRuntime from 'react/jsx-runtime';
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import { demoTopology, generateTopology, prometheusResponse } from '../../test/fixtures/serviceGraph';
import { framesFromResponse } from '../../test/fixtures/load';

const PLUGIN_ID = 'lgtmapm-apm-panel';

interface SystemLike {
  set(id: string, module: object): void;
  addImportMap(map: { imports: Record<string, string> }): void;
  import(id: string): Promise<Record<string, unknown>>;
  fetch(url: string, options?: unknown): Promise<Response>;
}

interface BundleResult {
  ready: boolean;
  error?: string;
  exports?: string[];
  isPanelPlugin?: boolean;
  sameClassAsHost?: boolean;
  optionPaths?: string[];
  defaults?: Record<string, unknown>;
  requested: string[];
}

const result: BundleResult = { ready: false, requested: [] };
(window as unknown as { __bundle: BundleResult }).__bundle = result;

const SHARED: Record<string, object> = {
  react: React,
  'react-dom': ReactDOM,
  'react-dom/client': ReactDOMClient,
  'react/jsx-runtime': jsxRuntime,
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
  rxjs,
  'rxjs/operators': rxjsOperators,
};

/**
 * Grafana's app fills the option-editor registry at start-up with its editor components (not part of the
 * published packages). The host registers placeholders under the same ids, so the plugin's option builder runs
 * as in Grafana; the editors themselves are not under test.
 */
const EDITOR_IDS = [
  'boolean',
  'color',
  'dashboard-uid',
  'field-name',
  'multi-select',
  'number',
  'radio',
  'select',
  'slider',
  'strings',
  'text',
  'timezone',
  'unit',
];
grafanaData.standardEditorsRegistry.setInit(() => EDITOR_IDS.map((id) => ({ id, name: id, editor: () => null })));

async function main() {
  const System = (
    window as unknown as {
      System: SystemLike & { constructor: { prototype: SystemLike & { shouldFetch: () => boolean } } };
    }
  ).System;
  // Grafana fetches plugin sources (instead of adding <script> tags) so its fetch hook can rewrite them.
  System.constructor.prototype.shouldFetch = () => true;
  // Shared modules: a `package:` URL per bare name, so the plugin's externals resolve to Grafana's copies.
  const imports: Record<string, string> = {};
  for (const [name, module] of Object.entries(SHARED)) {
    System.set(`package:${name}`, module);
    imports[name] = `package:${name}`;
  }
  System.addImportMap({ imports });
  // Grafana runs AMD plugin sources with the AMD `define` SystemJS installed (a wrapper keeps other AMD loaders
  // on the page out of the way) and records what was fetched.
  const amdDefine = (window as unknown as { define: unknown }).define;
  (window as unknown as { __host_amd_define: unknown }).__host_amd_define = amdDefine;
  const fetchOriginal = System.constructor.prototype.fetch.bind(System);
  System.constructor.prototype.fetch = async (url: string, options?: unknown) => {
    result.requested.push(new URL(url, location.href).pathname);
    const res = await fetchOriginal(url, options);
    if (!/javascript/.test(res.headers.get('content-type') ?? '')) {
      return res;
    }
    const source = await res.text();
    const wrapped = /\bdefine\(/.test(source)
      ? `(function(define) {\n${source}\n})(window.__host_amd_define);`
      : source;
    return new Response(new Blob([wrapped], { type: 'text/javascript' }));
  };

  const module = await System.import(`./public/plugins/${PLUGIN_ID}/module.js`);
  result.exports = Object.keys(module).sort();
  const plugin = module.plugin as grafanaData.PanelPlugin | undefined;
  result.isPanelPlugin =
    typeof plugin?.setPanelOptions === 'function' && typeof plugin?.getPanelOptionsSupplier === 'function';
  // The plugin uses the host's @grafana/data (shared module), not a copy bundled into module.js.
  result.sameClassAsHost = plugin instanceof grafanaData.PanelPlugin;
  if (!plugin || !plugin.panel) {
    throw new Error('module.js exports no panel plugin');
  }
  // The options the panel editor would show: run the plugin's own supplier on a fresh builder.
  const builder = new grafanaData.PanelOptionsEditorBuilder<Record<string, unknown>>();
  plugin.getPanelOptionsSupplier()(builder, { data: [] });
  const items = builder.getItems();
  result.optionPaths = items.map((i) => i.path).sort();
  result.defaults = Object.fromEntries(items.map((i) => [i.path, i.defaultValue]));

  const largeN = Number(new URLSearchParams(location.search).get('n') ?? 0);
  const end = Date.UTC(2026, 10, 25, 12);
  const timeRange = {
    from: grafanaData.toUtc(end - 3600_000),
    to: grafanaData.toUtc(end),
    raw: { from: grafanaData.dateTime(end - 3600_000), to: grafanaData.dateTime(end) },
  };
  const theme = grafanaData.createTheme({ colors: { mode: 'dark' } });
  const Panel = plugin.panel as unknown as React.ComponentType<Record<string, unknown>>;
  ReactDOMClient.createRoot(document.getElementById('root')!).render(
    <grafanaUi.ThemeContext.Provider value={theme}>
      <Panel
        id={1}
        data={{
          state: grafanaData.LoadingState.Done,
          // `?n=1000`: a generated map large enough for the layout worker (the demo is laid out in the render).
          series: framesFromResponse(prometheusResponse(largeN > 0 ? generateTopology(largeN, 1) : demoTopology())),
          timeRange,
        }}
        timeRange={timeRange}
        timeZone="utc"
        options={{ ...result.defaults, layout: 'map' }}
        transparent={false}
        width={1000}
        height={600}
        fieldConfig={{ defaults: {}, overrides: [] }}
        renderCounter={0}
        title="APM (shipped bundle)"
        eventBus={new grafanaData.EventBusSrv()}
        onOptionsChange={() => {}}
        onFieldConfigChange={() => {}}
        replaceVariables={(s: string) => s}
        onChangeTimeRange={() => {}}
      />
    </grafanaUi.ThemeContext.Provider>
  );
  result.ready = true;
}

// SystemJS's scripts come after this one (see index.html): start once they have run.
const started = new Promise<void>((resolve) => window.addEventListener('load', () => resolve(), { once: true }));
started.then(main).catch((err) => {
  result.error = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
  result.ready = true;
});
