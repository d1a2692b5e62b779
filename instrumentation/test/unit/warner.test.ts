import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedWarner } from '../../src/diagnostics/warner.ts';
import { ExportHealth } from '../../src/diagnostics/export-health.ts';

test('one line per kind per interval, with the count of what was held back', () => {
  const lines: string[] = [];
  let now = 0;
  const w = new RateLimitedWarner({ intervalMs: 60_000, write: (l) => lines.push(l), now: () => now });
  for (let i = 0; i < 100; i++) w.warn('export', 'export failed');
  w.warn('other', 'different problem');
  assert.equal(lines.length, 2);
  now = 61_000;
  w.warn('export', 'export failed');
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /\(99 similar messages suppressed\)$/);
  assert.ok(lines.every((l) => l.startsWith('[lgtm-apm] ')));
});

test('a broken stderr never throws into the app', () => {
  const w = new RateLimitedWarner({
    write: () => {
      throw new Error('EPIPE');
    },
  });
  assert.doesNotThrow(() => w.warn('x', 'y'));
});

test('the SDK queue-overflow message is counted as dropped spans', () => {
  const lines: string[] = [];
  const health = new ExportHealth(new RateLimitedWarner({ write: (l) => lines.push(l) }));
  const diag = health.diagLogger(false);
  diag.warn('Dropped 17 spans because maxQueueSize reached');
  diag.warn('Dropped 3 spans because maxQueueSize reached');
  assert.equal(health.droppedSpans, 20);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /dropped 17 spans/);
  diag.debug('chatty');
  assert.equal(lines.length, 1);
});

test('export errors are counted and credentials in them redacted', () => {
  const lines: string[] = [];
  const health = new ExportHealth(new RateLimitedWarner({ write: (l) => lines.push(l) }));
  health.recordLostSpans(5);
  health.recordExportError(new Error('connect ECONNREFUSED http://u:secretpw@tempo:4317'));
  assert.equal(health.failedExports, 1);
  assert.ok(!lines[0]!.includes('secretpw'));
  assert.match(lines[0]!, /5 spans lost/);
});

test('the metrics reader’s own timeout line and the kit’s metrics failure are one problem: one line', () => {
  const lines: string[] = [];
  const health = new ExportHealth(new RateLimitedWarner({ write: (l) => lines.push(l) }));
  health.diagLogger(false).error('PeriodicExportingMetricReader: metrics export timed out after 300ms');
  health.recordSignalExportError('metrics', new Error('Request timed out'));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0]!, /metrics export failed .*metrics export timed out after 300ms/);
  assert.equal(health.failedSignalExports.metrics, 2);
});

test('while shutting down, every signal’s failure goes into one line, printed once at the end', () => {
  const lines: string[] = [];
  const health = new ExportHealth(new RateLimitedWarner({ write: (l) => lines.push(l) }));
  health.beginShutdown();
  health.recordExportError(new Error('connect ECONNREFUSED'));
  health.recordSignalExportError('metrics', new Error('Request timed out'));
  health.recordSignalExportError('logs', new Error('503'));
  health.recordDroppedLogs(3, 'the logs backend did not accept a batch');
  health.diagLogger(false).error('BatchSpanProcessor: export failed');
  assert.deepEqual(lines, []);
  health.endShutdown(2000);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /shutdown: could not deliver the last traces \(connect ECONNREFUSED\), metrics \(Request timed out\), logs \(503\); stopped waiting after 2000 ms/,
  );
  health.recordExportError(new Error('late answer'));
  assert.equal(lines.length, 1, 'nothing after the shutdown line');
});

test('a refused logs batch is one line (the failure, counting its records), not a failure plus a drop line', () => {
  const lines: string[] = [];
  const health = new ExportHealth(new RateLimitedWarner({ write: (l) => lines.push(l) }));
  health.recordLostLogs(15, new Error('14 UNAVAILABLE'));
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(
    lines[0]!,
    /logs export failed \(1 failed exports, 15 log records dropped so far\): 14 UNAVAILABLE/,
  );
});
