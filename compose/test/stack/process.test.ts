// Backends cannot outlive the supervisor: stop() ends the whole process group, and when the supervisor
// itself is killed (SIGKILL, no handlers run) the wrapper sees its pipe close and ends the backend.
// A plain `sleep` stands in for a backend, so these run without any binaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from '../../stack/process.ts';

const processModule = join(import.meta.dirname, '..', '..', 'stack', 'process.ts');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); /proc says whether it is really running.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function tempDir(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'lgtm-stack-proc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('stop() ends the backend and its wrapper; output goes to the log file', async (t) => {
  const dir = tempDir(t);
  const proc = startProcess({
    name: 'fake',
    command: '/bin/sh',
    args: ['-c', 'echo started; exec sleep 300'],
    logFile: join(dir, 'fake.log'),
    pidFile: join(dir, 'fake.pid'),
  });
  await until(() => proc.pid() !== undefined && proc.tail().includes('started'), 'the backend to start');
  const pid = proc.pid()!;
  assert.ok(alive(pid));
  await proc.stop(10_000);
  assert.equal(alive(pid), false, 'backend gone');
  assert.equal(alive(proc.pgid), false, 'wrapper gone');
  assert.match(readFileSync(join(dir, 'fake.log'), 'utf8'), /started/);
});

test('a backend that exits by itself resolves exited with its code', async (t) => {
  const dir = tempDir(t);
  const proc = startProcess({
    name: 'short',
    command: '/bin/sh',
    args: ['-c', 'echo bye >&2; exit 3'],
    logFile: join(dir, 's.log'),
    pidFile: join(dir, 's.pid'),
  });
  assert.equal(await proc.exited, 3);
  assert.match(proc.tail(), /bye/);
});

test('SIGKILL of the supervisor leaves no backend behind', async (t) => {
  const dir = tempDir(t);
  const pidFile = join(dir, 'fake.pid');
  // A stand-in supervisor: starts one backend and waits forever.
  const supervisor = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { startProcess } from ${JSON.stringify(processModule)};
       startProcess({ name: 'fake', command: 'sleep', args: ['300'], logFile: ${JSON.stringify(join(dir, 'f.log'))}, pidFile: ${JSON.stringify(pidFile)} });
       setInterval(() => {}, 1000);`,
    ],
    { stdio: 'ignore' },
  );
  t.after(() => {
    if (supervisor.exitCode === null) supervisor.kill('SIGKILL');
  });
  await until(
    () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '',
    'the backend pid file',
  );
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(alive(pid), 'backend running');
  supervisor.kill('SIGKILL');
  await until(() => !alive(pid), `backend ${pid} to end after the supervisor was killed`);
});
