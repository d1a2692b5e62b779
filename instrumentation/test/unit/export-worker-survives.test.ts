// The real export worker (dist/export-worker.cjs) after a message it cannot handle: every signal of the
// process exports through this one thread, so the message is answered as lost and the thread goes on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { readConfig } from '../../src/config/config.ts';
import { ExportWorkerHost } from '../../src/export/worker-host.ts';
import { WorkerChannel } from '../../src/export/worker-channel.ts';
import { type FromLogsWorker } from '../../src/logs/worker-protocol.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { logsOf } from '../support/signals.ts';

const WORKER = join(import.meta.dirname, '../../dist/export-worker.cjs');
const receiver = new OtlpReceiver();

before(async () => {
  await receiver.start();
});
after(async () => {
  await receiver.stop();
});

test('a log batch that throws in the worker is answered as lost, and the next batch is exported', async () => {
  const host = new ExportWorkerHost(resourceFromAttributes({ 'service.name': 'survivor' }), 0, WORKER);
  const events: FromLogsWorker[] = [];
  const failures: Error[] = [];
  // The worker's exporter reads its endpoint from the environment, as in an app.
  const env = {
    OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.httpEndpoint}/v1/logs`,
    OTEL_BLRP_SCHEDULE_DELAY: '50',
  };
  Object.assign(process.env, env);
  const config = readConfig(env).logs;
  const channel = new WorkerChannel(host, 'logs', {
    init: { t: 'init', config },
    onEvent: (event) => events.push(event),
    onFailed: (error) => failures.push(error),
  });
  try {
    // `loggers` must be iterable: handling this batch throws inside the worker.
    channel.post({
      t: 'batch',
      loggers: null as never,
      lines: ['{"msg":"never read"}'],
      meta: [1, 30],
      api: [],
    });
    const now = Date.now();
    channel.post({
      t: 'batch',
      loggers: [],
      lines: [],
      meta: [],
      api: [
        {
          scope: 'survivor-test',
          scopeVersion: undefined,
          timestamp: now,
          observedTimestamp: now,
          body: 'after the bad batch',
          severityNumber: 9,
        },
      ],
    });
    const flushed = await channel.request((id) => ({ t: 'flush', id }), { hold: true });
    assert.equal(flushed?.t, 'flushed');
    assert.deepEqual(failures, [], 'the worker kept running');
    assert.equal(host.failed, false);
    assert.deepEqual(
      events.filter((e) => e.t === 'ack').map((e) => e.t === 'ack' && e.count),
      [1, 1],
      'both batches were taken off the channel',
    );
    const lost = events.filter((e) => e.t === 'lost');
    assert.equal(lost.length, 1);
    assert.equal(lost[0]!.t === 'lost' && lost[0]!.count, 1);
    assert.match(lost[0]!.t === 'lost' ? lost[0]!.error : '', /could not be emitted: .*not iterable/);
    const records = await receiver.waitFor(
      () => {
        const found = logsOf(receiver).filter((l) => l.body === 'after the bad batch');
        return found.length ? found : undefined;
      },
      20_000,
      'the log record sent after the bad batch',
    );
    assert.equal(records[0]!.service, 'survivor');
  } finally {
    await channel.detach();
    for (const key of Object.keys(env)) delete process.env[key];
  }
});
