// "One line per problem per signal": the SDK's own warning for a setting the kit already reports is not
// printed beside the kit's line, for traces as for logs (metrics: see metrics-logs.test.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { signalsEnv } from '../support/signals.ts';
import { hit, kitLines, startApp } from '../support/spawn-app.ts';

const receiver = new OtlpReceiver();
before(() => receiver.start());
after(() => receiver.stop());

test('a batch size above the queue size: one kit line per signal, no SDK line beside it', async () => {
  const app = await startApp('http-app.mjs', {
    env: signalsEnv(receiver, {
      OTEL_SERVICE_NAME: 'batch-sizes',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '4096',
    }),
  });
  try {
    await hit(app.url('/ok?batch=sizes'), 2);
    // The spans went through the tracer provider, so the SDK had every chance to warn by now.
    await receiver.waitFor(
      () => receiver.spans().some((s) => s.service === 'batch-sizes'),
      15_000,
      'the spans',
    );
    const lines = kitLines(app.stderr());
    assert.deepEqual(
      lines.filter((l) => /BATCH_SIZE|maxExportBatchSize/.test(l)),
      [
        '[lgtm-apm] OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4096 is larger than OTEL_BSP_MAX_QUEUE_SIZE=2048; using 2048',
        '[lgtm-apm] OTEL_BLRP_MAX_EXPORT_BATCH_SIZE=4096 is larger than OTEL_BLRP_MAX_QUEUE_SIZE=2048; using 2048',
      ],
      app.stderr(),
    );
  } finally {
    app.child.kill('SIGKILL');
    await app.exited;
  }
});
