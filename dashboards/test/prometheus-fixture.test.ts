/** The Prometheus fixture other suites reuse: lifecycle, clean-up and clear errors. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findPrometheusBinaries, startPrometheus } from '../fixtures/index.ts';

const skip = findPrometheusBinaries() ? false : 'prometheus/promtool not installed; fixture tests skipped';
if (skip) console.log(`# SKIP: ${skip}`);

describe('startPrometheus', { skip }, () => {
  test('serves a small generated window on 127.0.0.1, then stops and deletes its data', async () => {
    const prometheus = await startPrometheus({ series: { durationSeconds: 300, stepSeconds: 15, seed: 1 } });
    try {
      assert.match(prometheus.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const data = await prometheus.query('count by (service_name) (target_info)', prometheus.series!.end);
      const counts = Object.fromEntries(
        (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((r) => [
          r.metric.service_name,
          r.value[1],
        ]),
      );
      assert.deepEqual(counts, { gateway: '1', orders: '2', payments: '2' });
      await assert.rejects(prometheus.query('sum(', prometheus.series!.end), /bad_data|parse error/);
    } finally {
      await prometheus.stop();
      await prometheus.stop();
    }
    assert.equal(existsSync(prometheus.dataDir), false);
  });

  test('loads a given OpenMetrics file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgtm-apm-om-'));
    try {
      const file = join(dir, 'custom.om');
      const t = Math.floor(Date.now() / 1000) - 60;
      await writeFile(file, `# TYPE custom_metric gauge\ncustom_metric{a="b"} 42 ${t}\n# EOF\n`);
      const prometheus = await startPrometheus({ openMetricsFile: file });
      try {
        const data = await prometheus.query('custom_metric', t);
        assert.equal((data.result as Array<{ value: [number, string] }>)[0]?.value[1], '42');
        assert.equal(prometheus.series, undefined);
      } finally {
        await prometheus.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a broken OpenMetrics file is a clear error, not a hang', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgtm-apm-om-'));
    try {
      const file = join(dir, 'broken.om');
      await writeFile(file, 'this is { not openmetrics\n');
      await assert.rejects(startPrometheus({ openMetricsFile: file }), /promtool could not load/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('missing binaries are reported with what to install', async () => {
    await assert.rejects(
      startPrometheus({
        binaries: { prometheus: '/nonexistent/prometheus', promtool: '/nonexistent/promtool' },
      }),
      /\/nonexistent\/prometheus is not an executable: install Debian package "prometheus"/,
    );
    assert.deepEqual(
      findPrometheusBinaries({ PATH: '', PROMETHEUS_BIN: '/x/prometheus', PROMTOOL_BIN: '/x/promtool' }),
      {
        prometheus: '/x/prometheus',
        promtool: '/x/promtool',
      },
    );
  });
});
