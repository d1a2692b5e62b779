// The export worker's CPU priority while the app runs (LGTM_APM_EXPORT_WORKER_NICE): the app's own by default —
// at nice 19 the worker got no CPU beside two busy processes and nothing was exported — and lower on request.
// Read from /proc, where Linux keeps a nice value per thread.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { signalsEnv } from '../support/signals.ts';
import { hit, startApp } from '../support/spawn-app.ts';

/** Nice value of every thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNiceValues(pid: number): number[] {
  const tasks = `/proc/${pid}/task`;
  const values: number[] = [];
  for (const tid of readdirSync(tasks)) {
    try {
      const stat = readFileSync(`${tasks}/${tid}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces: field 3 is index 0.
      values.push(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return values;
}

const noProc = existsSync('/proc/self/task') ? false : 'needs Linux /proc to read per-thread nice values';

describe('export worker priority', { skip: noProc }, () => {
  const receiver = new OtlpReceiver();
  before(() => receiver.start());
  after(() => receiver.stop());

  test('by default every thread, the export worker included, runs at the app priority', async () => {
    const app = await startApp('http-app.mjs', {
      env: signalsEnv(receiver, { OTEL_SERVICE_NAME: 'priority-default' }),
    });
    try {
      await hit(app.url('/ok'));
      // The spans went through the worker: it exists and has run.
      await receiver.waitFor(
        () => receiver.spans().some((s) => s.service === 'priority-default'),
        30_000,
        'the span exported by the worker',
      );
      const nice = threadNiceValues(app.child.pid!);
      assert.ok(nice.length > 1, `threads: ${nice.join(',')}`);
      assert.deepEqual([...new Set(nice)], [0], `per-thread nice values: ${nice.join(',')}`);
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });

  test('LGTM_APM_EXPORT_WORKER_NICE=19 lowers the worker thread only', async () => {
    const app = await startApp('http-app.mjs', {
      env: signalsEnv(receiver, { OTEL_SERVICE_NAME: 'priority-low', LGTM_APM_EXPORT_WORKER_NICE: '19' }),
    });
    try {
      await hit(app.url('/ok'));
      // The worker starts with the first export; it lowers its own priority as it starts.
      let nice: number[] = [];
      for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
        nice = threadNiceValues(app.child.pid!);
        if (nice.includes(19)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(nice.filter((n) => n === 19).length, 1, `per-thread nice values: ${nice.join(',')}`);
      assert.ok(nice.filter((n) => n === 0).length >= 1, 'the app threads keep their priority');
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }
  });
});
