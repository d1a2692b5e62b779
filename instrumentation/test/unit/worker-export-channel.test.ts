// The worker half traces and metrics share (src/export/worker-export-channel.ts), with a fake exporter whose
// answers the test gives: what `final`, `shutdown` and exit wait for, with and without the traces' step
// (every batch still in a request), and the errors a batch can be answered with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { createExportChannel } from '../../src/export/worker-export-channel.ts';

interface Request {
  batch: string[];
  final: boolean;
  answer(result: ExportResult): void;
}

type Reply = { t: 'result'; id: number; error?: string } | { t: 'flushed'; id: number };

function harness(awaitBatchesInRequest: boolean) {
  const requests: Request[] = [];
  const replies: Reply[] = [];
  const channel = createExportChannel(
    (reply) => {
      replies.push(reply);
    },
    {
      name: 'test',
      createExporter: (config: { url: string }, final: boolean) => {
        assert.equal(config.url, 'http://127.0.0.1:1');
        return {
          export: (batch: string[], answer: (result: ExportResult) => void) => {
            // The official exporters serialize before answering and let a serializer error escape.
            if (batch.includes('unserializable')) throw new Error('serializer cannot encode this batch');
            requests.push({ batch, final, answer });
          },
          shutdown: async () => {},
        };
      },
      transportMessages: { finalSkipped: 'final skipped', failed: 'export failed' },
      decode: (message: { items: string[] }) => {
        if (message.items.includes('unreadable')) throw new Error('cannot read this batch');
        return message.items;
      },
      awaitBatchesInRequest,
    },
  );
  channel.handle({ t: 'init', config: { url: 'http://127.0.0.1:1' } });
  return { channel, requests, replies };
}

/** Lets every promise chain the channel started run (no I/O is involved: a few turns settle them all). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

const ok = { code: ExportResultCode.SUCCESS };
const failed = { code: ExportResultCode.FAILED, error: new Error('backend said 503') };

test('each batch is answered with its result, failures with their message', async () => {
  const { channel, requests, replies } = harness(false);
  channel.handle({ t: 'export', id: 1, items: ['a', 'b'] });
  channel.handle({ t: 'export', id: 2, items: ['c'] });
  channel.handle({ t: 'export', id: 3, items: ['unreadable'] });
  assert.deepEqual(
    requests.map((r) => [r.batch, r.final]),
    [
      [['a', 'b'], false],
      [['c'], false],
    ],
  );
  requests[1]!.answer(failed);
  requests[0]!.answer(ok);
  await settle();
  assert.deepEqual(replies, [
    { t: 'result', id: 3, error: 'cannot read this batch' },
    { t: 'result', id: 2, error: 'backend said 503' },
    { t: 'result', id: 1 },
  ]);
});

test('a batch before the settings is answered with an error naming the channel', async () => {
  const replies: Reply[] = [];
  const channel = createExportChannel((reply) => void replies.push(reply), {
    name: 'metrics',
    createExporter: () => assert.fail('no exporter without settings'),
    transportMessages: { finalSkipped: '', failed: '' },
    decode: (message: { items: string[] }) => message.items,
    awaitBatchesInRequest: false,
  });
  channel.handle({ t: 'export', id: 7, items: ['a'] });
  assert.deepEqual(replies, [{ t: 'result', id: 7, error: 'the metrics channel was not initialised' }]);
  // Nothing was handed over: exit has nothing to wait for or report.
  assert.equal(await channel.exit(), undefined);
});

test('after final, batches go through the final exporter and are skipped once the previous one failed', async () => {
  const { channel, requests, replies } = harness(false);
  channel.handle({ t: 'final' });
  channel.handle({ t: 'export', id: 1, items: ['a'] });
  assert.equal(requests[0]!.final, true);
  requests[0]!.answer(failed);
  channel.handle({ t: 'export', id: 2, items: ['b'] });
  await settle();
  assert.equal(requests.length, 1, 'the batch after a failed final export is not sent');
  assert.deepEqual(replies, [
    { t: 'result', id: 1, error: 'backend said 503' },
    { t: 'result', id: 2, error: 'final skipped' },
  ]);
});

test('without the step, shutdown does not wait for a batch still in a request', async () => {
  const { channel, requests, replies } = harness(false);
  channel.handle({ t: 'export', id: 1, items: ['a'] });
  channel.handle({ t: 'shutdown', id: 2 });
  await settle();
  assert.deepEqual(replies, [{ t: 'flushed', id: 2 }]);
  requests[0]!.answer(ok);
  await settle();
  assert.deepEqual(replies, [
    { t: 'flushed', id: 2 },
    { t: 'result', id: 1 },
  ]);
});

test('with the step, shutdown is answered only after every batch still in a request', async () => {
  const { channel, requests, replies } = harness(true);
  channel.handle({ t: 'export', id: 1, items: ['a'] });
  channel.handle({ t: 'shutdown', id: 2 });
  await settle();
  assert.deepEqual(replies, [], 'flushed before the batch in the request was answered');
  requests[0]!.answer(ok);
  await settle();
  assert.deepEqual(replies, [
    { t: 'result', id: 1 },
    { t: 'flushed', id: 2 },
  ]);
  assert.equal(requests.length, 1, 'the batch was not sent again');
});

test('exit waits for the final batches only without the step, for every batch with it', async () => {
  for (const awaitBatchesInRequest of [false, true]) {
    const { channel, requests } = harness(awaitBatchesInRequest);
    channel.handle({ t: 'export', id: 1, items: ['periodic'] });
    channel.handle({ t: 'final' });
    channel.handle({ t: 'export', id: 2, items: ['last'] });
    let exited: string | undefined | 'pending' = 'pending';
    const exit = channel.exit().then((failure) => (exited = failure));
    await settle();
    assert.equal(exited, 'pending', 'exit returned before the final batch was answered');
    requests[1]!.answer(failed);
    await settle();
    if (awaitBatchesInRequest) {
      assert.equal(exited, 'pending', 'exit returned before the batch still in a request was answered');
      requests[0]!.answer(ok);
    }
    await exit;
    assert.equal(exited, 'backend said 503', `awaitBatchesInRequest=${awaitBatchesInRequest}`);
  }
});

test('a batch the exporter throws on is answered with the error, and the next batch still goes out', async () => {
  const { channel, requests, replies } = harness(false);
  channel.handle({ t: 'export', id: 1, items: ['unserializable'] });
  channel.handle({ t: 'export', id: 2, items: ['fine'] });
  requests[0]!.answer(ok);
  await settle();
  assert.deepEqual(replies, [
    { t: 'result', id: 1, error: 'serializer cannot encode this batch' },
    { t: 'result', id: 2 },
  ]);
  assert.deepEqual(
    requests.map((r) => r.batch),
    [['fine']],
  );
});

test('failed() answers the message whose handling threw: an export with its error, a shutdown as flushed', () => {
  const { channel, replies } = harness(false);
  channel.failed({ t: 'export', id: 4, items: ['a'] }, 'boom');
  channel.failed({ t: 'shutdown', id: 5 }, 'boom');
  channel.failed({ t: 'final' }, 'boom');
  assert.deepEqual(replies, [
    { t: 'result', id: 4, error: 'boom' },
    { t: 'flushed', id: 5 },
  ]);
});
