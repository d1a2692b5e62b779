// The load generator and run-all as a user runs them: bounded runs that end by themselves with
// exit code 0, a summary by status class, and no traffic to anything but this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startDemoTopology } from '../src/testing/start-topology.js';
import { DATABASE_URL, DEMO_ROOT, REDIS_URL } from './helpers.js';
import { freeBase } from './ports.js';

function run(args, env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: DEMO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('load generator: bounded run against the demo, per-window and final summaries, exit 0', async () => {
  const topology = await startDemoTopology({ env: { DATABASE_URL, REDIS_URL } });
  try {
    const res = await run(['src/load.js'], {
      LOAD_TARGET: topology.urls.gateway,
      LOAD_RPS: '20',
      LOAD_DURATION_S: '2',
      LOAD_SLOW_MAX_MS: '300',
      LOAD_SUMMARY_S: '1',
    });
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(
      res.stdout,
      /^load: 20 req\/s against http:\/\/127\.0\.0\.1:\d+ for 2s, at most 64 in flight$/m,
    );
    assert.match(
      res.stdout,
      /^load: last 1s \d+ req \(2xx \d+, 3xx 0, 4xx \d+, 5xx \d+, failed \d+\), in flight \d+ \| total/m,
    );
    const final = res.stdout.match(
      /^load: done after [\d.]+s: (\d+) req \(2xx (\d+), 3xx 0, 4xx (\d+), 5xx (\d+), failed (\d+)\)$/m,
    );
    assert.ok(final, res.stdout);
    const [, total, ok, client, server, failed] = final.map(Number);
    assert.ok(total > 0);
    assert.equal(ok + client + server + failed, total);
    assert.ok(ok > 0, 'some requests succeeded');
    assert.equal(failed, 0, res.stdout);
  } finally {
    await topology.stop();
  }
});

test('load generator refuses a target that is not on this machine', async () => {
  const res = await run(['src/load.js'], { LOAD_TARGET: 'http://203.0.113.7:3000', LOAD_DURATION_S: '1' });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /LOAD_TARGET="http:\/\/203\.0\.113\.7:3000" is not on this machine/);
  assert.doesNotMatch(res.stdout, /req\/s against/);
});

test('run-all (bare): starts everything, runs the load, stops cleanly with exit 0', async () => {
  const base = await freeBase();
  const res = await run(['src/run-all.js'], {
    LGTM_APM_DEMO_NO_PRELOAD: '1',
    DEMO_PORT_BASE: String(base),
    LOAD_RPS: '10',
    LOAD_DURATION_S: '2',
    LOAD_SLOW_MAX_MS: '300',
    DATABASE_URL,
    REDIS_URL,
    NO_COLOR: '1',
  });
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, new RegExp(`^demo +\\| gateway ready at http://127\\.0\\.0\\.1:${base} `, 'm'));
  for (const name of ['external', 'payments', 'orders', 'gateway']) {
    assert.match(res.stdout, new RegExp(`^${name} +\\| \\{.*"msg":"${name}: stopped"`, 'm'), name);
  }
  assert.match(res.stdout, /^load +\| load: done after/m);
  assert.match(res.stdout, /^demo +\| all stopped$/m);
});
