// The provisioned alert rules, evaluated by a real Prometheus engine (Debian's promtool) on synthetic
// service-graph and runtime series: each rule fires on the unhealthy target and nowhere else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadAlertRules } from './helpers/provisioning-model.ts';
import { toPrometheusRuleGroup } from './helpers/promtool-rules.ts';

const NS = { client_service_namespace: 'demo', server_service_namespace: 'demo' };
type Labels = Record<string, string>;

function sel(name: string, labels: Labels): string {
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

/** Per-minute counter increments for one service-graph edge over 40 minutes. */
interface EdgeTraffic {
  labels: Labels;
  perMinute: number;
  failedPerMinute: number;
  serverUnder3s: number; // requests per minute with server latency <= 3 s
  clientUnder3s: number;
}

function edgeSeries(e: EdgeTraffic) {
  const counter = (n: number) => `0+${n}x40`;
  const out: Array<{ series: string; values: string }> = [
    { series: sel('traces_service_graph_request_total', e.labels), values: counter(e.perMinute) },
    {
      series: sel('traces_service_graph_request_failed_total', e.labels),
      values: counter(e.failedPerMinute),
    },
  ];
  for (const [side, under3] of [
    ['server', e.serverUnder3s],
    ['client', e.clientUnder3s],
  ] as const) {
    const base = `traces_service_graph_request_${side}_seconds`;
    out.push({ series: sel(`${base}_count`, e.labels), values: counter(e.perMinute) });
    for (const [le, n] of [
      ['1', under3],
      ['3', under3],
      ['5', e.perMinute],
      ['+Inf', e.perMinute],
    ] as const) {
      out.push({ series: sel(`${base}_bucket`, { ...e.labels, le }), values: counter(n) });
    }
  }
  return out;
}

const edge = (client: string, server: string, connection_type = '', extra: Labels = NS): Labels => ({
  client,
  server,
  connection_type,
  ...extra,
});

// The scenario: payments fails 20% of calls from orders; orders is slow (1/3 of requests >= 3 s);
// the uninstrumented external host is slow as seen by payments; everything else is healthy; a nearly
// idle edge fails every call but carries too little traffic to alert.
const edges: EdgeTraffic[] = [
  {
    labels: edge('user', 'gateway', 'virtual_node', {
      server_service_namespace: 'demo',
      virtual_node: 'client',
    }),
    perMinute: 120,
    failedPerMinute: 1,
    serverUnder3s: 118,
    clientUnder3s: 120,
  },
  {
    labels: edge('gateway', 'orders'),
    perMinute: 120,
    failedPerMinute: 0,
    serverUnder3s: 80,
    clientUnder3s: 80,
  },
  {
    labels: edge('orders', 'payments'),
    perMinute: 60,
    failedPerMinute: 12,
    serverUnder3s: 60,
    clientUnder3s: 60,
  },
  {
    labels: edge('payments', 'external', 'virtual_node', {
      client_service_namespace: 'demo',
      virtual_node: 'server',
    }),
    perMinute: 60,
    failedPerMinute: 0,
    serverUnder3s: 60,
    clientUnder3s: 42,
  },
  {
    labels: edge('orders', 'postgres', 'database', { client_service_namespace: 'demo' }),
    perMinute: 240,
    failedPerMinute: 0,
    serverUnder3s: 240,
    clientUnder3s: 240,
  },
  { labels: edge('gateway', 'legacy'), perMinute: 1, failedPerMinute: 1, serverUnder3s: 0, clientUnder3s: 0 },
];

const runtime = (service: string, heapUsed: number, heapTotal: number, lagP99: number) => {
  const labels = {
    service_name: service,
    service_namespace: 'demo',
    instance: `${service}-1`,
    job: `demo/${service}`,
  };
  return [
    { series: sel('nodejs_heap_size_used_bytes', labels), values: `${heapUsed}+0x40` },
    { series: sel('nodejs_heap_size_total_bytes', labels), values: `${heapTotal}+0x40` },
    { series: sel('nodejs_eventloop_lag_p99_seconds', labels), values: `${lagP99}+0x40` },
  ];
};

const inputSeries = [
  ...edges.flatMap(edgeSeries),
  ...runtime('gateway', 600e6, 1000e6, 0.5), // event loop blocked
  ...runtime('orders', 980e6, 1000e6, 0.01), // heap nearly full
  ...runtime('payments', 950e6, 1000e6, 0.15), // both exactly at / below the thresholds
];

const ruleLabels = (kind: string) => ({ severity: 'warning', lgtm_apm: kind });

const expected: Record<string, Labels[]> = {
  'lgtm-apm-service-error-rate': [
    { server: 'payments', server_service_namespace: 'demo', ...ruleLabels('service-error-rate') },
  ],
  'lgtm-apm-edge-error-rate': [
    { client: 'orders', server: 'payments', connection_type: '', ...ruleLabels('edge-error-rate') },
  ],
  'lgtm-apm-service-slow-rate': [
    { server: 'orders', server_service_namespace: 'demo', ...ruleLabels('service-slow-rate') },
  ],
  'lgtm-apm-edge-slow-rate': [
    { client: 'gateway', server: 'orders', connection_type: '', ...ruleLabels('edge-slow-rate') },
    {
      client: 'payments',
      server: 'external',
      connection_type: 'virtual_node',
      ...ruleLabels('edge-slow-rate'),
    },
  ],
  'lgtm-apm-heap-usage': [{ service_name: 'orders', instance: 'orders-1', ...ruleLabels('heap-usage') }],
  'lgtm-apm-event-loop-lag': [
    { service_name: 'gateway', instance: 'gateway-1', ...ruleLabels('event-loop-lag') },
  ],
};

// promtool drops empty label values from expectations the same way Prometheus drops them from series.
const dropEmpty = (l: Labels) => Object.fromEntries(Object.entries(l).filter(([, v]) => v !== ''));

function promtoolTest(rules: object, alerts: Record<string, Labels[]>) {
  const dir = mkdtempSync(join(tmpdir(), 'lgtm-promtool-'));
  try {
    writeFileSync(join(dir, 'rules.yaml'), stringify(rules));
    const testFile = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: inputSeries,
          alert_rule_test: Object.entries(alerts).map(([alertname, list]) => ({
            eval_time: '30m',
            alertname,
            exp_alerts: list.map((l) => ({ exp_labels: dropEmpty(l) })),
          })),
        },
      ],
    };
    writeFileSync(join(dir, 'test.yaml'), stringify(testFile));
    return spawnSync('promtool', ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const promtoolMissing = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).error !== undefined;

test('every provisioned rule has an expectation in this scenario', () => {
  assert.deepEqual(
    loadAlertRules()
      .map((r) => r.uid)
      .sort(),
    Object.keys(expected).sort(),
  );
});

test(
  'promtool: each alert rule fires on the bad target and only there',
  { skip: promtoolMissing && 'promtool not installed (Debian package prometheus)' },
  () => {
    const res = promtoolTest(toPrometheusRuleGroup(loadAlertRules()), expected);
    assert.equal(res.status, 0, `${res.stdout}\n${res.stderr}`);
    assert.match(res.stdout, /SUCCESS/);
  },
);

test(
  'promtool: the same scenario fails when an expectation is wrong (control)',
  { skip: promtoolMissing && 'promtool not installed' },
  () => {
    const wrong = {
      ...expected,
      'lgtm-apm-service-error-rate': [
        { server: 'gateway', server_service_namespace: 'demo', ...ruleLabels('service-error-rate') },
      ],
    };
    const res = promtoolTest(toPrometheusRuleGroup(loadAlertRules()), wrong);
    assert.notEqual(res.status, 0);
    assert.match(res.stdout + res.stderr, /lgtm-apm-service-error-rate/);
  },
);
