/**
 * Service names and instance ids are chosen by whoever can push OTLP. A name such as
 * `a"} or vector(1) #` or `svc.(x)|y` must neither break a viewer's queries nor change what they select.
 * Proof, through Grafana's own formatting rules (src/inspect/interpolate.ts, checked against the shipped
 * @grafana/data below):
 * - every telemetry variable appears only as `=~` + backtick + `${name:regex}` + backtick;
 * - with hostile names every query parses (official Lezer grammars) into the same tree as with `orders`;
 * - on a real Prometheus holding copies of the `orders` series under the hostile names (and decoys a
 *   broken escape would also match: `y`, `svcAx`), every PromQL query returns exactly what it returns for
 *   `orders`, with the name swapped.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Parser } from '@lezer/common';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import {
  DASHBOARDS,
  DASHBOARD_UIDS,
  allValue,
  buildDashboard,
  collectPanelQueries,
  collectVariableQueries,
  escapeRegex,
  interpolate,
  referencedVariables,
  type QueryLanguage,
  type VariableValue,
} from '../src/index.ts';
import {
  findPrometheusBinaries,
  generateSeries,
  startPrometheus,
  toOpenMetrics,
  type PromQueryData,
  type RunningPrometheus,
} from '../fixtures/index.ts';

const HOSTILE = ['a"} or vector(1) #', 'svc.(x)|y', 'x\\"} or vector(1) #'];
/** Names a missing or broken escape of `svc.(x)|y` would also select. */
const DECOYS = ['y', 'svcAx'];
const TELEMETRY_VARIABLES = new Set(['service', 'instance']);

const PARSERS: Record<QueryLanguage, Parser> = {
  promql: promqlParser as unknown as Parser,
  logql: logqlParser as unknown as Parser,
  traceql: traceqlParser as unknown as Parser,
};

/** Node names of the parse tree in document order, with error nodes marked. */
function treeShape(language: QueryLanguage, text: string): string[] {
  const shape: string[] = [];
  PARSERS[language].parse(text).iterate({
    enter(node) {
      shape.push(node.type.isError ? `ERROR@${node.from}` : node.type.name);
    },
  });
  return shape;
}

function contextFor(uid: string, service: string): Record<string, VariableValue> {
  const base = { mimir: 'mimir', tempo: 'tempo', loki: 'loki', service };
  switch (uid) {
    case DASHBOARD_UIDS.service:
      return { ...base, span_kind: 'SPAN_KIND_SERVER' };
    case DASHBOARD_UIDS.nodejs:
      return { ...base, instance: allValue('.+') };
    case DASHBOARD_UIDS.logs:
      return { ...base, level: '.*', search: '' };
    default:
      return base;
  }
}

describe('the regex format is Grafana’s', () => {
  test('escapeRegex equals the one in the installed @grafana/data build', () => {
    // @grafana/data's package entry needs a browser; its string helpers module does not.
    const require = createRequire(import.meta.url);
    const dataDir = dirname(require.resolve('@grafana/data/package.json'));
    const grafana = require(join(dataDir, 'dist/cjs/text/string.cjs')) as {
      escapeRegex: (value: string) => string;
    };
    const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
    for (const value of [ascii, ...HOSTILE, ...DECOYS, 'orders', 'é/ü\\`$']) {
      assert.equal(escapeRegex(value), grafana.escapeRegex(value), JSON.stringify(value));
    }
  });

  test('single, multi and custom-all values format as grafana/scenes does', () => {
    assert.equal(interpolate('${s:regex}', { s: 'a.b' }), 'a\\.b');
    assert.equal(interpolate('${s:regex}', { s: ['a.b'] }), 'a\\.b');
    assert.equal(interpolate('${s:regex}', { s: ['a', 'b|c'] }), '(a|b\\|c)');
    assert.equal(interpolate('${s:regex}', { s: allValue('.+') }), '.+');
    assert.equal(interpolate('[[s:regex]]', { s: '(x)' }), '\\(x\\)');
    assert.throws(() => interpolate('${s:doublequote}', { s: 'a' }), /not reproduced/);
    assert.throws(() => interpolate('$s', { s: ['a', 'b'] }), /explicit format/);
  });
});

describe('telemetry variables only go through ${name:regex} in a backtick raw string after =~', () => {
  for (const definition of DASHBOARDS) {
    const dashboard = buildDashboard(definition);
    const texts = [
      ...collectPanelQueries(dashboard).map((q) => q.expr),
      ...collectVariableQueries(dashboard).map((v) => v.raw),
    ];
    test(definition.uid, () => {
      let uses = 0;
      for (const text of texts) {
        const telemetry = referencedVariables(text).filter((n) => TELEMETRY_VARIABLES.has(n));
        // Remove every allowed use; any reference left is an unsafe one.
        const rest = text.replace(/=~\s*`\$\{(service|instance):regex\}`/g, () => {
          uses++;
          return '=~``';
        });
        const unsafe = referencedVariables(rest).filter((n) => TELEMETRY_VARIABLES.has(n));
        assert.deepEqual(unsafe, [], `unsafe use of ${telemetry.join(', ')} in: ${text}`);
      }
      assert.ok(uses > 0, 'the dashboard filters by a telemetry variable');
    });
  }

  test('the check finds an unsafe use (control)', () => {
    for (const unsafe of ['{server="$service"}', '{server=~"${service:regex}"}', '{server=~`$service`}']) {
      const rest = unsafe.replace(/=~\s*`\$\{(service|instance):regex\}`/g, '=~``');
      assert.deepEqual(referencedVariables(rest), ['service'], unsafe);
    }
  });

  test('query variables leave out values that a raw string cannot hold', () => {
    for (const definition of DASHBOARDS) {
      for (const variable of buildDashboard(definition).templating.list) {
        if (!TELEMETRY_VARIABLES.has(String(variable.name))) continue;
        const regex = String(variable.regex ?? '');
        const body = /^\/(.*)\/$/.exec(regex)?.[1];
        assert.ok(body, `${definition.uid} $${String(variable.name)} has a /regex/ filter`);
        const filter = new RegExp(body);
        for (const ok of [...HOSTILE, 'orders']) assert.ok(filter.test(ok), ok);
        assert.ok(!filter.test('a`} or vector(1) #'), 'a name with a backtick is left out');
      }
    }
  });
});

describe('hostile names parse into the same query as a normal name (Lezer)', () => {
  for (const definition of DASHBOARDS) {
    const dashboard = buildDashboard(definition);
    const queries = collectPanelQueries(dashboard);
    for (const name of HOSTILE) {
      test(`${definition.uid}: ${JSON.stringify(name)}`, () => {
        for (const q of queries) {
          const normal = treeShape(q.language, interpolate(q.expr, contextFor(definition.uid, 'orders')));
          const text = interpolate(q.expr, contextFor(definition.uid, name));
          assert.deepEqual(treeShape(q.language, text), normal, `${q.language} "${q.panelTitle}":\n${text}`);
        }
      });
    }
  }

  test('an unescaped hostile name changes the tree (control)', () => {
    const expr = 'sum(rate(x{server=~"$service"}[1m]))';
    const normal = treeShape('promql', interpolate(expr, { service: 'orders' }));
    assert.notDeepEqual(treeShape('promql', interpolate(expr, { service: HOSTILE[0]! })), normal);
  });
});

const binaries = findPrometheusBinaries();
const skip = binaries
  ? false
  : 'prometheus/promtool not installed (Debian package "prometheus"); PromQL proof skipped';
if (skip) console.log(`# SKIP: ${skip}`);

/** OpenMetrics label value escaping: backslash, double quote, newline. */
function openMetricsValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The demo series plus, for each name, a copy of every series carrying a label value `orders`
 * (service-graph edges in and out, span metrics, runtime metrics, target_info) with that value replaced.
 * Copies go at the end of their metric family, so each series stays contiguous.
 */
function withCopiesOfOrders(openMetrics: string, names: string[]): string {
  const out: string[] = [];
  let pending: string[] = [];
  for (const line of openMetrics.split('\n')) {
    if (line.startsWith('#')) {
      for (const copy of pending) out.push(copy);
      pending = [];
    } else if (line.includes('="orders"')) {
      for (const name of names) pending.push(line.replaceAll('="orders"', `="${openMetricsValue(name)}"`));
    }
    out.push(line);
  }
  return out.join('\n');
}

type Row = { labels: Record<string, string>; values: string[] };

/** A result as sorted rows, with one label value renamed, so two results compare exactly. */
function rows(data: PromQueryData, rename: [string, string] = ['', '']): string[] {
  const result: Row[] =
    data.resultType === 'scalar'
      ? [{ labels: {}, values: [(data.result as [number, string])[1]] }]
      : (
          data.result as Array<{
            metric: Record<string, string>;
            value?: [number, string];
            values?: Array<[number, string]>;
          }>
        ).map((s) => ({
          labels: Object.fromEntries(
            Object.entries(s.metric).map(([k, v]) => [k, v === rename[0] ? rename[1] : v]),
          ),
          values: (s.values ?? (s.value ? [s.value] : [])).map(([t, v]) => `${t}=${v}`),
        }));
  return result.map((r) => JSON.stringify(r)).sort();
}

describe('hostile names select exactly their own series on a real Prometheus', { skip }, () => {
  let prometheus: RunningPrometheus;
  let dir: string;
  const series = generateSeries({
    end: Date.UTC(2026, 0, 15, 12, 0, 0),
    durationSeconds: 1800,
    stepSeconds: 15,
    seed: 8,
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgtm-apm-hostile-'));
    const file = join(dir, 'series.om');
    await writeFile(file, withCopiesOfOrders(toOpenMetrics(series), [...HOSTILE, ...DECOYS]));
    prometheus = await startPrometheus({ openMetricsFile: file });
  });

  after(async () => {
    await prometheus?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the copies are there, under their exact names', async () => {
    const values = await prometheus.labelValues('server', [], series.start, series.end);
    for (const name of [...HOSTILE, ...DECOYS, 'orders']) assert.ok(values.includes(name), name);
  });

  for (const definition of DASHBOARDS) {
    const queries = collectPanelQueries(buildDashboard(definition)).filter(
      (q) => q.language === 'promql' && referencedVariables(q.expr).includes('service'),
    );
    if (queries.length === 0) continue;
    for (const name of HOSTILE) {
      test(`${definition.uid}: ${JSON.stringify(name)} gives what orders gives, renamed`, async () => {
        const mismatches: string[] = [];
        for (const q of queries) {
          const run = (text: string) =>
            q.instant
              ? prometheus.query(text, series.end)
              : prometheus.queryRange(text, series.start, series.end, 60);
          const expected = rows(await run(interpolate(q.expr, contextFor(definition.uid, 'orders'))), [
            'orders',
            name,
          ]);
          const actual = rows(await run(interpolate(q.expr, contextFor(definition.uid, name))));
          assert.ok(expected.length > 0, `"${q.panelTitle}" ${q.refId} returns nothing for orders`);
          if (JSON.stringify(actual) !== JSON.stringify(expected))
            mismatches.push(`"${q.panelTitle}" ${q.refId}`);
        }
        assert.deepEqual(mismatches, []);
      });
    }
  }

  test('an unescaped matcher selects other services or fails (control)', async () => {
    // What `=~"$service"` did before: the regex metacharacters reach Prometheus.
    const expr = (selector: string) => `sum(increase(traces_service_graph_request_total{${selector}}[30m]))`;
    const exact = rows(await prometheus.query(expr('server="svc.(x)|y"'), series.end));
    const unescaped = rows(await prometheus.query(expr('server=~"svc.(x)|y"'), series.end));
    assert.notDeepEqual(unescaped, exact);
    await assert.rejects(prometheus.query(expr(`server=~"${HOSTILE[0]}"`), series.end));
  });
});
