'use strict';
// `node --import @lgtm-apm/instrumentation` / `--require`: kept tiny and dependency-free so that
// OTEL_SDK_DISABLED=true loads nothing else. Any other value, valid or not, is judged by the SDK.
// The programmatic API lives at `@lgtm-apm/instrumentation/sdk`; this entry exports nothing.
const env = process.env;
const disabled = /^\s*(true|1|yes|on)\s*$/i.test(env.OTEL_SDK_DISABLED || '');
// The OpenTelemetry JS 3 packages and the loader hooks need Node.js 22.15 (package.json "engines"); on an
// older Node they fail deep inside a loader with an unrelated-looking error. Say it once, run the app bare.
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > 22 || (major === 22 && minor >= 15);
if (!disabled && !supported) {
  process.stderr.write(
    `[lgtm-apm] Node.js ${process.versions.node} is not supported (needs >= 22.15.0); ` +
      'the app runs without instrumentation\n',
  );
} else if (!disabled) {
  // Start-up is mostly compiling JavaScript; V8's on-disk code cache makes the next start cheaper.
  if (!/^\s*(false|0|no|off)\s*$/i.test(env.LGTM_APM_COMPILE_CACHE || '')) enableCompileCache();
  require('./sdk.cjs').start();
}

/**
 * In a folder of the user's own (NODE_COMPILE_CACHE when set, else ~/.cache/lgtm-apm/compile-cache or
 * <tmp>/lgtm-apm-compile-cache-<uid>, mode 0700): Node's default, <tmp>/node-compile-cache, is shared by
 * every user of the machine, so one user could plant code cache another user's process would load.
 */
function enableCompileCache() {
  try {
    const nodeModule = require('node:module');
    if (typeof nodeModule.enableCompileCache !== 'function') return;
    if (env.NODE_COMPILE_CACHE) {
      nodeModule.enableCompileCache();
      return;
    }
    const os = require('node:os');
    const path = require('node:path');
    const fs = require('node:fs');
    const home = env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : '');
    const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
    const dir = home
      ? path.join(home, 'lgtm-apm', 'compile-cache')
      : path.join(os.tmpdir(), `lgtm-apm-compile-cache-${uid}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.statSync(dir);
    // A folder someone else owns or can write to is not used: starting without the cache is only slower.
    if (typeof process.getuid === 'function' && (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0))
      return;
    nodeModule.enableCompileCache(dir);
  } catch {
    // read-only file systems and old Node versions just start without the cache
  }
}
