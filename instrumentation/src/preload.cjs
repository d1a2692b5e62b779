'use strict';
// `node --import @lgtm-apm/instrumentation` / `--require`: kept tiny and dependency-free so that
// OTEL_SDK_DISABLED=true loads nothing else. Any other value, valid or not, is judged by the SDK.
// The programmatic API lives at `@lgtm-apm/instrumentation/sdk`; this entry exports nothing.
const env = process.env;
const disabled = /^\s*(true|1|yes|on)\s*$/i.test(env.OTEL_SDK_DISABLED || '');
if (!disabled) {
  // Start-up is mostly compiling JavaScript; V8's on-disk code cache makes the next start cheaper.
  if (!/^\s*(false|0|no|off)\s*$/i.test(env.LGTM_APM_COMPILE_CACHE || '')) {
    try {
      const nodeModule = require('node:module');
      if (typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache();
    } catch {
      // read-only file systems and old Node versions just start without the cache
    }
  }
  require('./sdk.cjs').start();
}
