// Every PromQL/LogQL/TraceQL string in provisioning, alert rules and the e2e checks parses with the
// official Lezer grammars (@prometheus-io/lezer-promql, @grafana/lezer-logql, @grafana/lezer-traceql).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntaxErrors, expandForParsing } from './helpers/queries.ts';
import { provisionedQueries } from './helpers/provisioning-model.ts';
import * as e2e from './e2e/queries.ts';

test('the grammars flag broken queries (control)', () => {
  assert.notDeepEqual(syntaxErrors('promql', 'sum by (server (rate(x[5m]))'), []);
  assert.notDeepEqual(syntaxErrors('logql', '{service_name="a" | trace_id='), []);
  assert.notDeepEqual(syntaxErrors('traceql', '{ resource.service.name = }'), []);
  assert.deepEqual(syntaxErrors('promql', 'sum by (server) (rate(x[5m]))'), []);
});

test('provisioned queries are found (data-source links and every alert rule)', () => {
  const queries = provisionedQueries();
  assert.ok(queries.filter((q) => q.language === 'logql').length >= 1);
  assert.ok(queries.filter((q) => q.where.startsWith('alert ')).length >= 6);
});

for (const q of provisionedQueries()) {
  test(`${q.language} parses: ${q.where}`, () => {
    const expanded = expandForParsing(q.query);
    assert.ok(!expanded.includes('$'), `unexpanded macro left in ${expanded}`);
    assert.deepEqual(syntaxErrors(q.language, expanded), [], expanded);
  });
}

test('e2e queries parse', () => {
  assert.deepEqual(syntaxErrors('traceql', e2e.TRACEQL_GATEWAY_TRACES), []);
  assert.deepEqual(syntaxErrors('promql', e2e.PROMQL_SERVICE_GRAPH_EDGES), []);
  for (const q of e2e.PROMQL_RUNTIME_SERIES) assert.deepEqual(syntaxErrors('promql', q), [], q);
  assert.deepEqual(syntaxErrors('logql', e2e.LOGQL_DEMO_LOGS_WITH_TRACE), []);
  assert.deepEqual(syntaxErrors('promql', e2e.PROMQL_EXEMPLAR_SERIES), []);
});
