// The kit's SIGTERM handler when the app has none: it shuts the kit down, then dies by the same signal. The
// backstop re-raises even if the shutdown never settles (a starved machine can delay the kit's own deadline
// past it); death by a signal emits no 'exit' event, so the backstop must print the shutdown line itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SIGNALS_MODULE = fileURLToPath(new URL('../../src/lifecycle/signals.ts', import.meta.url));

async function endWithSigterm(shutdown: 'never settles' | 'settles at once') {
  const script = `
    import { installSignalHandlers } from ${JSON.stringify(SIGNALS_MODULE)};
    installSignalHandlers({
      flush: async () => {},
      shutdown: ${shutdown === 'never settles' ? '() => new Promise(() => {})' : 'async () => {}'},
      abandon: (ms) => process.stderr.write('abandoned after ' + ms + ' ms\\n'),
    }, 50);
    setInterval(() => {}, 1000);
    process.stdout.write('ready\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => d.includes('ready') && resolve());
    void exited.then(() => reject(new Error(`the child ended before it was ready:\n${stderr}`)));
  });
  child.kill('SIGTERM');
  return { ...(await exited), stderr };
}

test('a shutdown that never settles: the backstop reports it, then the process dies by SIGTERM as bare', async () => {
  const end = await endWithSigterm('never settles');
  assert.deepEqual({ code: end.code, signal: end.signal }, { code: null, signal: 'SIGTERM' }, end.stderr);
  assert.match(end.stderr, /^abandoned after \d+ ms$/m);
});

test('a shutdown that settles: nothing is abandoned, and the process dies by SIGTERM as bare', async () => {
  const end = await endWithSigterm('settles at once');
  assert.deepEqual({ code: end.code, signal: end.signal }, { code: null, signal: 'SIGTERM' }, end.stderr);
  assert.doesNotMatch(end.stderr, /abandoned/);
});
