/**
 * Every query in every dashboard parses with the official Lezer grammar of its language after Grafana-style
 * interpolation with realistic values; an unknown `$variable` fails too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DASHBOARDS,
  buildDashboard,
  collectPanelQueries,
  collectVariableQueries,
  dashboardVariableNames,
  interpolate,
  referencedVariables,
} from '../src/index.ts';
import { contextsFor } from './helpers/contexts.ts';
import { describeErrors, syntaxErrors } from './helpers/syntax.ts';

describe('the Lezer check itself', () => {
  test('reports errors for broken queries in each language', () => {
    assert.notDeepEqual(syntaxErrors('promql', 'sum by (server (rate(x[1m]))'), []);
    assert.notDeepEqual(syntaxErrors('logql', '{service_name="a" | detected_level=~'), []);
    assert.notDeepEqual(syntaxErrors('traceql', '{ resource.service.name = }'), []);
    assert.deepEqual(syntaxErrors('promql', 'sum by (server) (rate(x[1m]))'), []);
  });

  test('interpolation rejects undefined variables', () => {
    assert.throws(() => interpolate('rate(x{a="$nope"}[$__rate_interval])', {}), /\$nope/);
    assert.equal(
      interpolate('label_replace(x, "a", "$1", "b", "(.*)")', {}),
      'label_replace(x, "a", "$1", "b", "(.*)")',
    );
  });
});

for (const definition of DASHBOARDS) {
  const dashboard = buildDashboard(definition);
  describe(`${definition.uid} queries`, () => {
    const panelQueries = collectPanelQueries(dashboard);
    const defined = new Set(dashboardVariableNames(dashboard));

    test('has queries, each referencing only defined variables', () => {
      assert.ok(panelQueries.length > 0);
      for (const q of panelQueries) {
        for (const name of referencedVariables(q.expr)) {
          assert.ok(defined.has(name), `${q.panelTitle}/${q.refId} uses undefined $${name}`);
        }
      }
    });

    for (const context of contextsFor(definition.uid)) {
      test(`every panel query parses (${context.name})`, () => {
        for (const q of panelQueries) {
          const text = interpolate(q.expr, context.values);
          const errors = syntaxErrors(q.language, text);
          assert.deepEqual(
            errors,
            [],
            `${q.language} in "${q.panelTitle}" ${q.refId}:\n${describeErrors(text, errors)}`,
          );
        }
      });
    }

    test('label_values selectors of query variables parse as PromQL/LogQL selectors', () => {
      for (const v of collectVariableQueries(dashboard)) {
        if (!v.selector) continue;
        const text = interpolate(v.selector, contextsFor(definition.uid)[0]!.values);
        const language = v.language === 'logql' ? 'logql' : 'promql';
        assert.deepEqual(syntaxErrors(language, text), [], `${v.name}: ${text}`);
      }
    });
  });
}
