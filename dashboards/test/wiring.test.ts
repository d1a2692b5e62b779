/**
 * Data source wiring for both ways a dashboard reaches Grafana, and the contracts other folders rely on:
 * - UI import: Grafana replaces `${DS_*}` from `__inputs` in every string (DashTemplateEvaluator); after
 *   that, each data source variable must start on the picked uid and nothing may still say `${DS_`;
 * - provisioning: no replacement; variables must fall back by name to the provisioned Mimir/Tempo/Loki;
 * - every panel and query reaches its data source through a declared variable of the right plugin type.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  APM_PANEL_QUERIES,
  APM_PANEL_TYPE,
  DASHBOARDS,
  DATA_SOURCES,
  buildDashboard,
  collectPanelQueries,
  collectVariableQueries,
  flattenPanels,
  type DashboardJson,
} from '../src/index.ts';

/** Same semantics as Grafana's pkg/services/dashboardimport/utils DashTemplateEvaluator. */
function simulateImport(dashboard: DashboardJson, picked: Record<string, string>): unknown {
  const inputs = new Map(dashboard.__inputs.map((input) => [`\${${input.name}}`, picked[input.name]]));
  for (const [placeholder, value] of inputs)
    assert.ok(value, `import would fail: no value for ${placeholder}`);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/\$\{.+?\}/g, (m) => inputs.get(m) ?? m);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => k !== '__inputs')
          .map(([k, v]) => [k, walk(v)]),
      );
    }
    return value;
  };
  return walk(dashboard);
}

for (const definition of DASHBOARDS) {
  const dashboard = buildDashboard(definition);
  const dsVariables = dashboard.templating.list.filter((v) => v.type === 'datasource');

  describe(`${definition.uid} data sources`, () => {
    test('__inputs ask for exactly the data sources the dashboard uses', () => {
      // Panels, queries, panel options (the APM panel's Tempo/Loki) and data links (trace links) all count.
      const body = JSON.stringify({
        ...dashboard,
        templating: { list: dashboard.templating.list.filter((v) => v.type !== 'datasource') },
      });
      const used = new Set(DATA_SOURCES.map((s) => `\${${s.variable}}`).filter((ref) => body.includes(ref)));
      assert.ok(collectPanelQueries(dashboard).every((q) => used.has(q.datasourceUid)));
      const fromInputs = dashboard.__inputs.map((input) => {
        const spec = DATA_SOURCES.find((s) => s.input === input.name);
        assert.ok(spec, `unknown input ${input.name}`);
        assert.equal(input.type, 'datasource');
        assert.equal(input.pluginId, spec.pluginId);
        return `\${${spec.variable}}`;
      });
      assert.deepEqual(new Set(fromInputs), used);
    });

    test('every panel, query and query variable resolves through a declared variable of the right type', () => {
      const typeOf = new Map(dsVariables.map((v) => [`\${${String(v.name)}}`, String(v.query)]));
      const check = (where: string, ref: { type?: string; uid?: string } | undefined) => {
        assert.ok(ref?.uid, `${where}: no data source`);
        assert.equal(
          typeOf.get(ref.uid),
          ref.type,
          `${where}: ${ref.uid} is not a ${ref.type} data source variable`,
        );
      };
      for (const panel of flattenPanels(dashboard.panels)) {
        if (panel.type === 'row') continue;
        check(`panel "${panel.title}"`, panel.datasource);
        for (const target of panel.targets ?? [])
          check(`panel "${panel.title}" ${String(target.refId)}`, target.datasource as never);
      }
      for (const v of dashboard.templating.list.filter((x) => x.type === 'query'))
        check(`variable ${String(v.name)}`, v.datasource as never);
    });

    test('UI import: variables start on the picked data sources and no placeholder is left', () => {
      const picked = { DS_MIMIR: 'picked-prom', DS_TEMPO: 'picked-tempo', DS_LOKI: 'picked-loki' };
      const imported = simulateImport(dashboard, picked) as DashboardJson;
      assert.ok(!JSON.stringify(imported).includes('${DS_'));
      for (const v of imported.templating.list.filter((x) => x.type === 'datasource')) {
        const spec = DATA_SOURCES.find((s) => s.variable === v.name)!;
        assert.deepEqual(v.current, {
          text: spec.provisionedName,
          value: picked[spec.input as keyof typeof picked],
        });
      }
    });

    test('provisioning: variables fall back by name to the provisioned Mimir / Tempo / Loki', () => {
      for (const v of dsVariables) {
        const spec = DATA_SOURCES.find((s) => s.variable === v.name);
        assert.ok(spec, `unexpected data source variable ${String(v.name)}`);
        assert.equal(v.query, spec.pluginId);
        // Grafana matches current.value against uids first, then current.text against names.
        assert.deepEqual(v.current, { text: spec.provisionedName, value: `\${${spec.input}}` });
        assert.deepEqual(
          [spec.provisionedName, spec.provisionedUid],
          {
            mimir: ['Mimir', 'mimir'],
            tempo: ['Tempo', 'tempo'],
            loki: ['Loki', 'loki'],
          }[spec.variable],
        );
      }
    });

    test('__requires lists Grafana, the data source plugins and every panel type used', () => {
      const required = new Set(dashboard.__requires.map((r) => `${r.type}:${r.id}`));
      assert.ok(required.has('grafana:grafana'));
      for (const spec of definition.dataSources) assert.ok(required.has(`datasource:${spec.pluginId}`));
      for (const panel of flattenPanels(dashboard.panels))
        assert.ok(required.has(`panel:${panel.type}`), panel.type);
    });

    test('links to the other kit dashboards keep time and variables', () => {
      const links = dashboard.links as Array<{
        type: string;
        tags: string[];
        includeVars: boolean;
        keepTime: boolean;
      }>;
      assert.ok(
        links.some(
          (l) => l.type === 'dashboards' && l.tags.includes('lgtm-apm') && l.includeVars && l.keepTime,
        ),
      );
      assert.ok(
        (dashboard.tags as string[]).includes('lgtm-apm'),
        'dashboard must carry the tag its links search for',
      );
      assert.ok(
        links.every((l) => !('placement' in l)),
        'links must be visible, not hidden in the controls menu',
      );
    });

    test('panels fit the 24-column grid without overlapping', () => {
      const cells = new Set<string>();
      for (const panel of flattenPanels(dashboard.panels)) {
        const { x, y, w, h } = panel.gridPos as { x: number; y: number; w: number; h: number };
        assert.ok(
          x >= 0 && w > 0 && x + w <= 24 && h > 0,
          `panel "${panel.title}" gridPos ${JSON.stringify(panel.gridPos)}`,
        );
        for (let i = x; i < x + w; i++) {
          for (let j = y; j < y + h; j++) {
            assert.ok(!cells.has(`${i},${j}`), `panel "${panel.title}" overlaps at ${i},${j}`);
            cells.add(`${i},${j}`);
          }
        }
      }
    });
  });
}

describe('contracts other folders rely on', () => {
  const byUid = (uid: string) => buildDashboard(DASHBOARDS.find((d) => d.uid === uid)!);

  test('overview embeds lgtmapm-apm-panel with the contract refIds, queries and options', () => {
    const overview = byUid('lgtm-apm-overview');
    const panels = flattenPanels(overview.panels).filter((p) => p.type === APM_PANEL_TYPE);
    assert.equal(panels.length, 1);
    const panel = panels[0]!;
    assert.deepEqual(Object.fromEntries((panel.targets ?? []).map((t) => [t.refId, t.expr])), {
      calls:
        'sum by (client, server, connection_type, client_service_namespace, server_service_namespace) (increase(traces_service_graph_request_total[$__range]))',
      errors:
        'sum by (client, server, connection_type, client_service_namespace, server_service_namespace) (increase(traces_service_graph_request_failed_total[$__range]))',
      latency:
        'sum by (client, server, connection_type, le) (increase(traces_service_graph_request_server_seconds_bucket[$__range]))',
      clientLatency:
        'sum by (client, server, connection_type, le) (increase(traces_service_graph_request_client_seconds_bucket[$__range]))',
      instances: 'count by (service_name) (target_info)',
      latencySum:
        'sum by (client, server, connection_type) (increase(traces_service_graph_request_server_seconds_sum[$__range]))',
      latencyCount:
        'sum by (client, server, connection_type) (increase(traces_service_graph_request_server_seconds_count[$__range]))',
    });
    assert.deepEqual(Object.keys(APM_PANEL_QUERIES), [
      'calls',
      'errors',
      'latency',
      'clientLatency',
      'instances',
      'latencySum',
      'latencyCount',
    ]);
    for (const target of panel.targets ?? []) assert.equal(target.instant, true);
    assert.deepEqual(panel.options, {
      layout: 'both',
      tempoDatasource: '${tempo}',
      lokiDatasource: '${loki}',
      serviceDashboardUid: 'lgtm-apm-service',
    });
  });

  test('variables: overview/service/logs `service`, Node.js `service` + `instance` as specified', () => {
    const vars = (uid: string) =>
      Object.fromEntries(collectVariableQueries(byUid(uid)).map((v) => [v.name, v.raw]));
    assert.equal(
      vars('lgtm-apm-overview').service,
      'label_values(traces_service_graph_request_total, server)',
    );
    assert.equal(vars('lgtm-apm-service').service, 'label_values(traces_spanmetrics_calls_total, service)');
    assert.equal(vars('lgtm-apm-nodejs').service, 'label_values(nodejs_heap_size_used_bytes, service_name)');
    assert.equal(
      vars('lgtm-apm-nodejs').instance,
      'label_values(nodejs_heap_size_used_bytes{service_name=~`${service:regex}`}, service_instance_id)',
    );
    assert.equal(vars('lgtm-apm-logs').service, 'label_values(service_name)');
  });

  test('logs: stream selector on service_name, level from detected_level/severity_text, trace links', () => {
    const logs = byUid('lgtm-apm-logs');
    const queries = collectPanelQueries(logs);
    assert.ok(
      queries.every((q) => q.language === 'logql' && q.expr.includes('{service_name=~`${service:regex}`}')),
    );
    const stream = queries.find((q) => q.panelTitle === 'Logs')!;
    assert.match(stream.expr, /detected_level=~"\$level" or severity_text=~"\$level"/);
    const traces = flattenPanels(logs.panels).find((p) => p.title === 'Traces in these logs')!;
    const json = JSON.stringify(traces);
    assert.match(json, /trace_id!=\\"\\"/);
    assert.match(json, /\/explore\?schemaVersion=1/);
    assert.match(json, /\$\{tempo\}/);
    const level = logs.templating.list.find((v) => v.name === 'level')!;
    assert.match(String(level.query), /Errors only : \(\?i\)\(critical\|fatal\|error\)/);
  });
});
