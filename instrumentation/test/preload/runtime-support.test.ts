// What the preload does before the SDK starts: refuse an unsupported Node.js in one line, and keep its
// compile cache in a folder of the user's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hit, kitLines, startApp } from '../support/spawn-app.ts';

/** An installed Node.js older than 22.15 (these machines ship Node 20 as /usr/bin/node). */
function oldNode(): { path: string; version: string } | undefined {
  for (const path of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    const [major, minor] = version.split('.').map(Number) as [number, number];
    if (major < 22 || (major === 22 && minor < 15)) return { path, version };
  }
  return undefined;
}

const old = oldNode();
test(
  'on Node.js older than 22.15 the preload prints one line naming the version needed and the app runs bare',
  {
    skip: old
      ? false
      : 'no Node.js older than 22.15 is installed here (looked at /usr/bin, /usr/local/bin, /bin)',
  },
  async () => {
    const app = await startApp('http-app.mjs', {
      nodePath: old!.path,
      env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9', LGTM_APM_COMPILE_CACHE: 'false' },
    });
    try {
      assert.deepEqual(await hit(app.url('/ok')), [200]);
      assert.deepEqual(kitLines(app.stderr()), [
        `[lgtm-apm] Node.js ${old!.version} is not supported (needs >= 22.15.0); the app runs without instrumentation`,
      ]);
      assert.equal(app.stderr().trim().split('\n').length, 1, app.stderr());
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  },
);

test('the compile cache goes to a private per-user folder, not the shared <tmp>/node-compile-cache', async () => {
  const home = mkdtempSync(join(tmpdir(), 'lgtm-apm-home-'));
  try {
    const app = await startApp('oneshot.mjs', {
      waitForPort: false,
      env: {
        HOME: home,
        XDG_CACHE_HOME: '',
        NODE_COMPILE_CACHE: '',
        LGTM_APM_COMPILE_CACHE: 'true',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
      },
    });
    assert.deepEqual(await app.exited, { code: 0, signal: null }, app.stderr());
    const dir = join(home, '.cache', 'lgtm-apm', 'compile-cache');
    assert.ok(existsSync(dir), `no cache folder at ${dir}`);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(readdirSync(dir).length > 0, 'the cache was written');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
