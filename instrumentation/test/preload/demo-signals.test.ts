// The demo under load with all three signals on: runtime metrics, active-request ages and
// trace-correlated pino logs from every instrumented service reach a real OTLP receiver.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoTopology } from '@lgtm-apm/demo/testing';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { latestMetrics, logsOf, signalsEnv } from '../support/signals.ts';

const SERVICES = ['gateway', 'orders', 'payments'] as const;

describe('demo topology with metrics and logs', () => {
  const receiver = new OtlpReceiver();
  let topology: Awaited<ReturnType<typeof startDemoTopology>> | undefined;

  before(async () => {
    await receiver.start();
    topology = await startDemoTopology({ preload: '--import', env: signalsEnv(receiver) });
    const gateway = topology.urls.gateway;
    // A little steady load, as the load generator would give.
    for (let i = 0; i < 8; i++) {
      await Promise.all(
        [fetch(`${gateway}/api/checkout`), fetch(`${gateway}/api/orders/${i + 1}`)].map((p) =>
          p.then((r) => r.arrayBuffer()),
        ),
      );
    }
  });

  /**
   * A wait whose failure says what each service did receive and print: the kit reports a failing export
   * (or a stopped export worker) on the service's stderr, which a timeout alone would hide.
   */
  async function waitOrExplain<T>(
    predicate: () => T | undefined,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    try {
      return await receiver.waitFor(predicate, timeoutMs, what);
    } catch (error) {
      const seen = SERVICES.map((service) => {
        const metrics = [...latestMetrics(receiver, service).keys()].sort().join(', ') || 'none';
        const logs = logsOf(receiver).filter((l) => l.service === service).length;
        const spans = receiver.spans().filter((s) => s.service === service).length;
        const stderr = topology?.logs[service]?.stderr.slice(-2_000) || '(empty)';
        return `${service}: ${spans} spans, ${logs} log records, metrics: ${metrics}\n--- ${service} stderr ---\n${stderr}`;
      });
      throw new Error(`${what}: not received. What each service sent and printed:\n${seen.join('\n')}`, {
        cause: error,
      });
    }
  }

  after(async () => {
    await topology?.stop();
    await receiver.stop();
  });

  test('each service exports runtime metrics, active-request ages and HTTP durations under its own name', async () => {
    for (const service of SERVICES) {
      const latest = await waitOrExplain(
        () => {
          const l = latestMetrics(receiver, service);
          return [
            'nodejs_heap_size_used_bytes',
            'nodejs_eventloop_lag_p99_seconds',
            'lgtm_apm_active_requests',
            'http.server.request.duration',
          ].every((n) => l.has(n))
            ? l
            : undefined;
        },
        20_000,
        `${service} metrics`,
      );
      const m = latest.get('nodejs_heap_size_used_bytes')!;
      assert.equal(m.resource['service.namespace'], 'demo');
      assert.equal(m.resource['deployment.environment.name'], 'demo');
      assert.deepEqual(
        latest
          .get('lgtm_apm_active_requests')!
          .points.map((p) => p.attributes.age)
          .sort(),
        ['1s', '3s', '5s', 'slow'],
      );
    }
    // before() finished all its requests; a later cumulative export holds every route, labelled by express.
    const routes = await waitOrExplain(
      () => {
        const d = latestMetrics(receiver, 'gateway').get('http.server.request.duration');
        const r = new Set(d?.points.map((p) => p.attributes['http.route']));
        return r.has('/api/checkout') && r.has('/api/orders/:id') ? r : undefined;
      },
      15_000,
      'gateway durations by route',
    );
    assert.ok(routes.has('/api/checkout'));
  });

  test('request logs of orders and payments carry the trace id and the span that was active when they were written', async () => {
    for (const service of ['orders', 'payments']) {
      const correlated = await waitOrExplain(
        () => {
          const spans = new Map(receiver.spans().map((s) => [s.spanId, s]));
          const logs = logsOf(receiver).filter((l) => l.service === service && l.traceId);
          const matched = logs.filter((l) => spans.get(l.spanId)?.traceId === l.traceId);
          return matched.length >= 3 ? matched : undefined;
        },
        20_000,
        `${service} logs whose span was exported`,
      );
      for (const l of correlated) {
        assert.equal(l.scope, '@opentelemetry/instrumentation-pino');
        assert.ok(l.severityNumber >= 9);
        assert.equal(l.resource['service.namespace'], 'demo');
      }
    }
  });
});
