/** The demo series generator: contract names, topology, histogram/counter invariants, determinism, bad input. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  DEMO_EDGES,
  SERVICE_GRAPH_BUCKETS,
  SPAN_METRICS_BUCKETS,
  TEMPO_EXTERNAL_LABELS,
  generateSeries,
  toOpenMetrics,
} from '../fixtures/index.ts';

const END = Date.UTC(2026, 0, 15, 12, 0, 0);
const small = { end: END, durationSeconds: 900, stepSeconds: 15, seed: 3 };

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  ts: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+) (\d+)$/.exec(line);
    assert.ok(m, `unparseable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]), ts: Number(m[4]) });
  }
  return samples;
}

describe('series generator', () => {
  const series = generateSeries(small);
  const text = toOpenMetrics(series);
  const samples = parse(text);
  const names = new Set(samples.map((s) => s.name));

  test('emits every metric name of the contract', () => {
    const contract = [
      'traces_service_graph_request_total',
      'traces_service_graph_request_failed_total',
      'traces_service_graph_request_server_seconds_bucket',
      'traces_service_graph_request_server_seconds_sum',
      'traces_service_graph_request_server_seconds_count',
      'traces_service_graph_request_client_seconds_bucket',
      'traces_spanmetrics_calls_total',
      'traces_spanmetrics_latency_bucket',
      'traces_spanmetrics_latency_sum',
      'traces_spanmetrics_latency_count',
      'traces_target_info',
      'process_cpu_seconds_total',
      'process_cpu_user_seconds_total',
      'process_cpu_system_seconds_total',
      'process_resident_memory_bytes',
      'process_open_fds',
      'nodejs_heap_size_used_bytes',
      'nodejs_heap_size_total_bytes',
      'nodejs_heap_space_size_used_bytes',
      'nodejs_external_memory_bytes',
      'nodejs_eventloop_lag_p50_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_eventloop_lag_mean_seconds',
      'nodejs_gc_duration_seconds_bucket',
      'nodejs_gc_duration_seconds_sum',
      'nodejs_gc_duration_seconds_count',
      'nodejs_active_handles_total',
      'nodejs_active_requests_total',
      'nodejs_version_info',
      'lgtm_apm_active_requests',
      'http_server_request_duration_seconds_bucket',
      'http_server_request_duration_seconds_sum',
      'http_server_request_duration_seconds_count',
      'target_info',
    ];
    assert.deepEqual(
      contract.filter((n) => !names.has(n)),
      [],
    );
    assert.match(text, /# EOF\n$/);
  });

  test('service-graph edges are exactly the demo topology, with namespaces on instrumented sides', () => {
    const edges = new Set(
      samples
        .filter((s) => s.name === 'traces_service_graph_request_total')
        .map((s) => `${s.labels.client}>${s.labels.server}>${s.labels.connection_type ?? ''}`),
    );
    assert.deepEqual(edges, new Set(DEMO_EDGES.map(([c, s, t]) => `${c}>${s}>${t}`)));
    const virtual = Object.fromEntries(
      samples
        .filter((s) => s.name === 'traces_service_graph_request_total')
        .map((s) => [`${s.labels.client}>${s.labels.server}`, s.labels.virtual_node ?? '']),
    );
    // enable_virtual_node_label: the uninstrumented side; paired edges carry no label.
    assert.deepEqual(virtual, {
      'user>gateway': 'client',
      'gateway>orders': '',
      'orders>payments': '',
      'orders>postgresql': '',
      'orders>redis': '',
      'payments>external': 'server',
    });
    assert.ok(
      samples.filter((s) => s.name.startsWith('traces_')).every((s) => s.labels.source === 'tempo'),
      'Tempo external_labels',
    );
    const userEdge = samples.find(
      (s) => s.name === 'traces_service_graph_request_total' && s.labels.client === 'user',
    )!;
    assert.equal(userEdge.labels.server_service_namespace, 'demo');
    assert.equal(userEdge.labels.client_service_namespace, undefined);
  });

  test('runtime metrics per instance carry promoted resource labels; orders and payments run 2 instances', () => {
    const perService = new Map<string, Set<string>>();
    for (const s of samples.filter((x) => x.name === 'nodejs_heap_size_used_bytes')) {
      for (const label of [
        'service_name',
        'service_namespace',
        'service_instance_id',
        'deployment_environment_name',
        'job',
        'instance',
      ]) {
        assert.ok(s.labels[label], `missing ${label}`);
      }
      assert.equal(s.labels.instance, s.labels.service_instance_id);
      assert.equal(s.labels.job, `demo/${s.labels.service_name}`);
      (
        perService.get(s.labels.service_name!) ??
        perService.set(s.labels.service_name!, new Set()).get(s.labels.service_name!)!
      ).add(s.labels.service_instance_id!);
    }
    assert.deepEqual(Object.fromEntries([...perService].map(([k, v]) => [k, v.size])), {
      gateway: 1,
      orders: 2,
      payments: 2,
    });
    const ages = new Set(
      samples.filter((s) => s.name === 'lgtm_apm_active_requests').map((s) => s.labels.age),
    );
    assert.deepEqual(ages, new Set(['1s', '3s', '5s', 'slow']));
  });

  test('counters never decrease; histogram buckets are cumulative and +Inf equals _count', () => {
    const last = new Map<string, number>();
    for (const s of samples) {
      if (!s.name.endsWith('_total') && !s.name.endsWith('_bucket') && !s.name.endsWith('_count')) continue;
      if (s.name.startsWith('nodejs_active_')) continue; // prom-client gauges named *_total
      const key = `${s.name}${JSON.stringify(s.labels)}`;
      assert.ok(s.value >= (last.get(key) ?? 0), `${key} decreased`);
      last.set(key, s.value);
    }
    const byLabelSet = new Map<string, Map<string, number>>();
    const ts = series.end;
    for (const s of samples.filter(
      (x) => x.ts === ts && x.name === 'traces_service_graph_request_server_seconds_bucket',
    )) {
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(rest);
      (byLabelSet.get(key) ?? byLabelSet.set(key, new Map()).get(key)!).set(le!, s.value);
    }
    assert.ok(byLabelSet.size > 0);
    for (const [key, buckets] of byLabelSet) {
      const bounds = [...SERVICE_GRAPH_BUCKETS.map(String), '+Inf'];
      assert.deepEqual([...buckets.keys()].sort(), [...bounds].sort(), 'bucket bounds 0.1/0.3/1/3/5/10/+Inf');
      const values = bounds.map((b) => buckets.get(b)!);
      for (let i = 1; i < values.length; i++)
        assert.ok(values[i]! >= values[i - 1]!, `${key} buckets not cumulative`);
      const count = samples.find(
        (s) =>
          s.ts === ts &&
          s.name === 'traces_service_graph_request_server_seconds_count' &&
          JSON.stringify(s.labels) === key,
      )!;
      assert.equal(count.value, values.at(-1));
    }
  });

  test('there are errors and slow calls to show', () => {
    const final = (name: string) => samples.filter((s) => s.name === name && s.ts === series.end);
    assert.ok(final('traces_service_graph_request_failed_total').some((s) => s.value > 0));
    const slow = final('traces_service_graph_request_server_seconds_bucket').filter(
      (s) => s.labels.le === '3',
    );
    const all = final('traces_service_graph_request_server_seconds_count');
    const slowCalls = all.reduce((n, s) => n + s.value, 0) - slow.reduce((n, s) => n + s.value, 0);
    assert.ok(slowCalls > 0, 'some calls above 3 s');
    assert.ok(
      final('traces_spanmetrics_calls_total').some(
        (s) => s.labels.status_code === 'STATUS_CODE_ERROR' && s.value > 0,
      ),
    );
  });

  test('same options give identical output; another seed differs', () => {
    assert.equal(toOpenMetrics(generateSeries(small)), text);
    assert.notEqual(toOpenMetrics(generateSeries({ ...small, seed: 4 })), text);
  });

  test('timestamps cover the window at the step, aligned to it', () => {
    const times = [...new Set(samples.map((s) => s.ts))].sort((a, b) => a - b);
    assert.equal(times[0], series.start);
    assert.equal(times.at(-1), series.end);
    assert.equal(times.length, 900 / 15 + 1);
    assert.equal(series.end % 15, 0);
  });

  test('bad options fail with a clear error', () => {
    assert.throws(() => generateSeries({ stepSeconds: 0 }), /stepSeconds must be a number in \[1, 3600\]/);
    assert.throws(() => generateSeries({ stepSeconds: 1.5 }), /stepSeconds must be an integer/);
    assert.throws(() => generateSeries({ durationSeconds: 10, stepSeconds: 15 }), /durationSeconds/);
    assert.throws(() => generateSeries({ requestsPerSecond: Number.NaN }), /requestsPerSecond/);
    assert.throws(() => generateSeries({ end: -1 }), /end/);
  });
});

describe('generator follows the kit Tempo configuration', () => {
  const tempoYaml = join(import.meta.dirname, '..', '..', 'compose', 'tempo.yaml');
  const skip = existsSync(tempoYaml) ? false : 'compose/tempo.yaml not present';

  test('histogram buckets and external labels match compose/tempo.yaml', { skip }, () => {
    const text = readFileSync(tempoYaml, 'utf8');
    const bucketsOf = (block: string) => {
      const m = new RegExp(
        `\\n\\s+${block}:\\n(?:\\s+#.*\\n)*\\s+histogram_buckets:\\s*\\[([^\\]]*)\\]`,
      ).exec(text);
      assert.ok(m, `${block}.histogram_buckets not found in compose/tempo.yaml`);
      return m[1]!.split(',').map((v) => Number(v.trim()));
    };
    assert.deepEqual(bucketsOf('service_graphs'), [...SERVICE_GRAPH_BUCKETS]);
    assert.deepEqual(bucketsOf('span_metrics'), [...SPAN_METRICS_BUCKETS]);
    const external = /external_labels:\n((?:\s+\w+:\s*\S+\n)+)/.exec(text);
    assert.ok(external, 'external_labels not found');
    const labels = Object.fromEntries([...external[1]!.matchAll(/(\w+):\s*(\S+)/g)].map((m) => [m[1], m[2]]));
    assert.deepEqual(labels, TEMPO_EXTERNAL_LABELS);
  });
});
