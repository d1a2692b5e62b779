import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * ESM apps are instrumented through import-in-the-middle's loader hook, limited to the packages the
 * loaded instrumentations patch (intercepting every import costs start-up and breaks some packages).
 * Node versions with a correct `module.registerHooks` get the in-thread hook; others the loader thread.
 */
export type EsmHookMode = 'auto' | 'sync' | 'async' | 'off';

export function registerEsmHook(moduleNames: readonly string[], mode: EsmHookMode = 'auto'): 'sync' | 'async' | 'unavailable' {
  if (moduleNames.length === 0 || mode === 'off') return 'unavailable';
  const include = [...moduleNames];
  // Node 24's in-thread hooks break every builtin load of `-e`/`-p` code preloaded with --require
  // (ENOENT 'module' from the default loader); the loader-thread hook handles eval mode.
  const evalMode = typeof (process as { _eval?: unknown })._eval === 'string';
  if (mode === 'sync' || (mode === 'auto' && !evalMode)) try {
    const { supportsSyncHooks } = require('import-in-the-middle/supports-sync-hooks.mjs') as {
      supportsSyncHooks(): boolean;
    };
    if (supportsSyncHooks()) {
      const { register } = require('import-in-the-middle/register-hooks.mjs') as {
        register(options: { include: string[] }): void;
      };
      register({ include });
      return 'sync';
    }
  } catch {
    // fall through to the loader-thread hook
  }
  if (typeof nodeModule.register !== 'function') return 'unavailable';
  const hookUrl = pathToFileURL(require.resolve('import-in-the-middle/hook.mjs')).href;
  nodeModule.register(hookUrl, pathToFileURL(__filename).href, { data: { include } });
  return 'async';
}
