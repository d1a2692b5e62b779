/**
 * Every PromQL query of every dashboard, interpolated with demo values, returns data from a real
 * Prometheus loaded with the generated demo series (service graph, span metrics, prom-client runtime,
 * active requests, HTTP server histogram, target_info). An empty result fails the test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DASHBOARDS,
  buildDashboard,
  collectPanelQueries,
  collectVariableQueries,
  interpolate,
  type PanelQuery,
} from '../src/index.ts';
import {
  findPrometheusBinaries,
  startPrometheus,
  type PromQueryData,
  type RunningPrometheus,
} from '../fixtures/index.ts';
import { contextsFor } from './helpers/contexts.ts';

const binaries = findPrometheusBinaries();
const skip = binaries
  ? false
  : 'prometheus/promtool not installed (Debian package "prometheus"); PromQL proof skipped';
if (skip) console.log(`# SKIP: ${skip}`);

/** Number of finite samples in a query result (NaN from 0/0 or empty histograms does not count). */
function finiteSamples(data: PromQueryData): number {
  if (data.resultType === 'scalar')
    return Number.isFinite(Number((data.result as [number, string])[1])) ? 1 : 0;
  let count = 0;
  for (const series of data.result as Array<{ value?: [number, string]; values?: Array<[number, string]> }>) {
    for (const [, v] of series.values ?? (series.value ? [series.value] : []))
      if (Number.isFinite(Number(v))) count++;
  }
  return count;
}

describe('dashboards against a real Prometheus', { skip }, () => {
  let prometheus: RunningPrometheus;
  const instanceIds: Record<string, string[]> = {};

  before(async () => {
    // A fixed window keeps the data identical between runs; retention is disabled by the fixture.
    prometheus = await startPrometheus({
      series: { end: Date.UTC(2026, 0, 15, 12, 0, 0), durationSeconds: 3600, stepSeconds: 15, seed: 8 },
    });
    for (const instance of prometheus.series!.instances)
      (instanceIds[instance.service] ??= []).push(instance.instanceId);
  });

  after(async () => {
    await prometheus?.stop();
  });

  for (const definition of DASHBOARDS) {
    const dashboard = buildDashboard(definition);
    const promQueries = collectPanelQueries(dashboard).filter((q) => q.language === 'promql');
    const variables = collectVariableQueries(dashboard).filter((v) => v.language === 'promql');

    describe(definition.uid, () => {
      // The logs dashboard is LogQL only: nothing here to prove, and no loop below may run over nothing.
      if (definition.uid === 'lgtm-apm-logs') {
        test('has no PromQL by design (panels and variables are LogQL)', () => {
          assert.deepEqual(promQueries, []);
          assert.deepEqual(variables, []);
          assert.ok(collectPanelQueries(dashboard).some((q) => q.language === 'logql'));
        });
        return;
      }

      test('has PromQL queries and PromQL variables to check', () => {
        assert.ok(promQueries.length > 0, 'no PromQL panel query');
        assert.ok(variables.length > 0, 'no PromQL variable');
      });

      test('query variables list the demo values', async () => {
        const { start, end } = prometheus.series!;
        assert.ok(variables.length > 0, 'no PromQL variable to check');
        for (const v of variables) {
          const selector = v.selector
            ? interpolate(v.selector, contextsFor(definition.uid, instanceIds)[0]!.values)
            : undefined;
          const values = await prometheus.labelValues(v.label, selector ? [selector] : [], start, end);
          assert.ok(values.length > 0, `${v.name}: ${v.raw} returned no values`);
          if (v.name === 'service' && definition.uid !== 'lgtm-apm-nodejs') {
            for (const name of ['gateway', 'orders', 'payments'])
              assert.ok(values.includes(name), `${v.name} lacks ${name}: ${values}`);
          }
          if (v.name === 'service' && definition.uid === 'lgtm-apm-overview') {
            for (const node of ['postgresql', 'redis', 'external'])
              assert.ok(values.includes(node), `map nodes missing ${node}`);
          }
          if (v.name === 'instance')
            assert.deepEqual([...values].sort(), [...(instanceIds.gateway ?? [])].sort());
        }
      });

      test('every PromQL query returns data for every test context', async () => {
        const { start, end } = prometheus.series!;
        const failures: string[] = [];
        let evaluated = 0;
        for (const context of contextsFor(definition.uid, instanceIds)) {
          for (const q of promQueries) {
            const expr = interpolate(q.expr, context.values);
            const data = q.instant
              ? await prometheus.query(expr, end)
              : await prometheus.queryRange(expr, start, end, 60);
            evaluated++;
            if (finiteSamples(data) === 0) failures.push(`[${context.name}] ${label(q)}: ${expr}`);
          }
        }
        assert.ok(
          promQueries.length > 0 && evaluated >= promQueries.length,
          `evaluated ${evaluated} queries`,
        );
        assert.deepEqual(failures, [], `queries without data:\n${failures.join('\n')}`);
      });
    });
  }

  test('a query on a missing metric is reported empty (the check can fail)', async () => {
    const data = await prometheus.query(
      'sum(rate(traces_service_graph_request_total{server="no-such-service"}[1m]))',
      prometheus.series!.end,
    );
    assert.equal(finiteSamples(data), 0);
  });
});

function label(q: PanelQuery): string {
  return `"${q.panelTitle}" ${q.refId}`;
}
