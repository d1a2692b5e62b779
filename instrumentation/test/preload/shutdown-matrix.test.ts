// Shutdown and exit are bounded whatever the backend does: every way an app ends × every way a backend
// fails. Each case: the process ends within a generous bound (the kit's deadline is 2 s, every export
// timeout 60 s, so an unbounded path shows as a minute), its exit status is the one it has without the
// kit, and the kit says so in exactly one line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { hangingBackend, refusedUrl } from '../support/backends.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { APPS, kitLines } from '../support/spawn-app.ts';
import { join } from 'node:path';

const MODES = ['no handler', 'own handler', 'natural exit', 'process.exit', 'shutdown()'] as const;
type Mode = (typeof MODES)[number];
const EXIT_MODE: Record<Mode, string> = {
  'no handler': 'sigterm-none',
  'own handler': 'sigterm-own',
  'natural exit': 'natural',
  'process.exit': 'exit',
  'shutdown()': 'shutdown',
};
/** From the app's "ready" line (or the SIGTERM) to its exit; the kit's own deadline is 2 s. */
const BOUND_MS = 20_000;

interface Ending {
  code: number | null;
  signal: NodeJS.Signals | null;
  afterReadyMs: number;
  stderr: string;
}

async function runToEnd(mode: Mode, env: Record<string, string> | undefined): Promise<Ending> {
  const args = env ? ['--import', '@lgtm-apm/instrumentation'] : [];
  const child = spawn(process.execPath, [...args, join(APPS, 'exit-matrix.mjs')], {
    cwd: APPS,
    env: { ...process.env, ...env, EXIT_MODE: EXIT_MODE[mode], EXIT_CODE: '3' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let readyAt = 0;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if (!readyAt && out.includes('{"ready":true}')) {
      readyAt = Date.now();
      if (mode === 'no handler' || mode === 'own handler') child.kill('SIGTERM');
    }
  });
  // Far past the bound: a hung process is killed so the run ends, and the assertion reports it.
  const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const { code, signal } = await exited;
  clearTimeout(killer);
  assert.ok(readyAt, `the app never got ready:\n${out}\n${err}`);
  return { code, signal, afterReadyMs: Date.now() - readyAt, stderr: err };
}

function kitEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: 'exit-matrix',
    // One backend for all three signals, as with a collector: traces over HTTP too.
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_TIMEOUT: '60000',
    OTEL_BSP_EXPORT_TIMEOUT: '60000',
    // Nothing is exported before the app ends: every export in a case is an exit export.
    OTEL_BSP_SCHEDULE_DELAY: '30000',
    OTEL_BLRP_SCHEDULE_DELAY: '30000',
    OTEL_METRIC_EXPORT_INTERVAL: '60000',
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
    LGTM_APM_COMPILE_CACHE: 'false',
    LGTM_APM_SHUTDOWN_TIMEOUT_MS: '2000',
    ...extra,
  };
}

describe('shutdown and exit are bounded, whatever the backend does', () => {
  const bare = new Map<Mode, Ending>();
  const backends: Record<string, string> = {};
  const cleanup: Array<() => Promise<void>> = [];

  before(async () => {
    for (const status of [500, 429]) {
      const receiver = new OtlpReceiver();
      receiver.httpStatus = status;
      await receiver.start();
      backends[String(status)] = receiver.httpEndpoint;
      cleanup.push(() => receiver.stop());
    }
    const hanging = await hangingBackend();
    backends.hanging = hanging.url;
    cleanup.push(() => hanging.close());
    backends.refused = await refusedUrl();
    // What each ending gives without the kit: the reference for the exit status.
    await Promise.all(MODES.map(async (mode) => bare.set(mode, await runToEnd(mode, undefined))));
  });
  after(async () => {
    for (const stop of cleanup) await stop();
  });

  for (const backend of ['refused', 'hanging', '500', '429']) {
    test(`backend ${backend}: each ending keeps its deadline, its exit status and says one line`, async () => {
      const endings = await Promise.all(MODES.map((mode) => runToEnd(mode, kitEnv(backends[backend]!))));
      MODES.forEach((mode, i) => {
        const ending = endings[i]!;
        const reference = bare.get(mode)!;
        const context = `${backend} × ${mode}: ${JSON.stringify({ ...ending, stderr: undefined })}\n${ending.stderr}`;
        assert.ok(ending.afterReadyMs < BOUND_MS, `took ${ending.afterReadyMs} ms: ${context}`);
        assert.deepEqual(
          { code: ending.code, signal: ending.signal },
          { code: reference.code, signal: reference.signal },
          context,
        );
        assert.equal(kitLines(ending.stderr).length, 1, context);
      });
    });
  }

  test('periodic metric exports stuck on a hanging backend do not keep a finished app alive', async () => {
    // An interval shorter than the export timeout: an export is always in flight, as in the reported hang.
    const ending = await runToEnd(
      'natural exit',
      kitEnv(backends.hanging!, { OTEL_METRIC_EXPORT_INTERVAL: '300', LINGER_MS: '2000' }),
    );
    assert.ok(ending.afterReadyMs < BOUND_MS, `took ${ending.afterReadyMs} ms\n${ending.stderr}`);
    assert.deepEqual({ code: ending.code, signal: ending.signal }, { code: 0, signal: null });
  });
});
