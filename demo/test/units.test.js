// Pure helpers: slow-path latency, load mix and config, URL redaction, preload flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { MAX_SLOW_MS, SLOW_BANDS, parseSlowMs, pickSlowMs } from '../src/lib/slow.js';
import {
  ROUTE_MIX,
  formatSummary,
  isLocalTarget,
  newCounts,
  parseLoadConfig,
  pickRequest,
} from '../src/lib/traffic.js';
import { listeningPort, mergeResourceAttributes, preloadArgs } from '../src/testing/start-topology.js';
import service from '../src/lib/service.cjs';

const { defaultHost, redactUrl } = service;

test('pickSlowMs stays in 0.2–8 s and reaches every Pinpoint bucket', () => {
  const bucketOf = (ms) => (ms <= 1000 ? '1s' : ms <= 3000 ? '3s' : ms <= 5000 ? '5s' : 'slow');
  const seen = new Set();
  for (let i = 0; i < 1000; i++) {
    const ms = pickSlowMs(() => i / 1000);
    assert.ok(ms >= 200 && ms <= 8000, `${ms}`);
    seen.add(bucketOf(ms));
  }
  assert.deepEqual([...seen].sort(), ['1s', '3s', '5s', 'slow']);
  assert.equal(
    pickSlowMs(() => 0),
    200,
  );
  assert.equal(
    pickSlowMs(() => 0.999999),
    8000,
  );
  // Skewed: the fast band is the most likely one.
  assert.ok(SLOW_BANDS[0].weight > SLOW_BANDS[3].weight * 5);
  assert.equal(Math.round(SLOW_BANDS.reduce((s, b) => s + b.weight, 0) * 1e9) / 1e9, 1);
});

test('parseSlowMs: absent, exact, capped at 10 s, rejected', () => {
  assert.deepEqual(parseSlowMs(undefined), { ms: undefined });
  assert.deepEqual(parseSlowMs(''), { ms: undefined });
  assert.deepEqual(parseSlowMs('50'), { ms: 50 });
  assert.deepEqual(parseSlowMs('0'), { ms: 0 });
  assert.deepEqual(parseSlowMs('99999'), { ms: MAX_SLOW_MS, capped: true });
  assert.equal(MAX_SLOW_MS, 10_000);
  for (const bad of ['abc', '-1', '1.5', '1e3', ' 5', '9999999999'])
    assert.match(parseSlowMs(bad).error, /whole number/, bad);
  assert.match(parseSlowMs(['1', '2']).error, /whole number/);
});

test('pickRequest follows the weighted mix and checks out before reading orders', () => {
  assert.equal(pickRequest([], () => 0).name, 'checkout', 'no known ids yet → checkout');
  assert.equal(pickRequest(['7'], () => 0).path, '/api/orders/7');
  // 0.85 of the total weight lands in the slow band (57 + 20 = 77 … 89).
  assert.equal(pickRequest(['7'], () => 0.85).path, '/api/slow');
  assert.match(pickRequest(['7'], () => 0.85, { slowMaxMs: 300 }).path, /^\/api\/slow\?ms=(\d+)$/);
  const capped = Number(pickRequest(['7'], () => 0.85, { slowMaxMs: 300 }).path.split('=')[1]);
  assert.ok(capped <= 300);
  const counts = {};
  const total = ROUTE_MIX.reduce((s, r) => s + r.weight, 0);
  for (let i = 0; i < total; i++) {
    const { name } = pickRequest(['1'], () => (i + 0.5) / total);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  assert.deepEqual(counts, Object.fromEntries(ROUTE_MIX.map((r) => [r.name, r.weight])));
  assert.ok(counts.order > counts.checkout && counts.checkout > counts.slow && counts.slow > counts.throw);
});

test('isLocalTarget: loopback and compose service names only', () => {
  for (const ok of [
    'http://127.0.0.1:3000',
    'http://localhost:3000',
    'http://[::1]:3000',
    'http://gateway:3000',
    'http://127.1.2.3',
  ])
    assert.equal(isLocalTarget(new URL(ok)), true, ok);
  for (const no of [
    'http://10.0.0.5:3000',
    'http://192.168.1.1',
    'http://example.com',
    'http://[2001:db8::1]',
    'http://0.0.0.0',
  ])
    assert.equal(isLocalTarget(new URL(no)), false, no);
});

test('parseLoadConfig: defaults, warnings for bad numbers, errors for bad or remote targets', () => {
  assert.deepEqual(parseLoadConfig({}), {
    config: {
      target: 'http://127.0.0.1:3000',
      rps: 5,
      durationS: 300,
      maxRequests: 0,
      concurrency: 64,
      summaryS: 10,
      slowMaxMs: undefined,
    },
    warnings: [],
  });
  const bad = parseLoadConfig({ LOAD_RPS: 'fast', LOAD_DURATION_S: '-1', LOAD_MAX_REQUESTS: '2.5' });
  assert.equal(bad.config.rps, 5);
  assert.equal(bad.config.durationS, 300);
  assert.equal(bad.config.maxRequests, 0);
  assert.deepEqual(bad.warnings, [
    'LOAD_RPS="fast" is not a number from 0.1 to 500; using 5',
    'LOAD_DURATION_S="-1" is not a number from 0 to 604800; using 300',
    'LOAD_MAX_REQUESTS="2.5" is not an integer from 0 to 1000000000; using 0',
  ]);
  assert.equal(parseLoadConfig({ LOAD_DURATION_S: '0' }).config.durationS, 0);
  assert.equal(parseLoadConfig({ LOAD_SLOW_MAX_MS: '300' }).config.slowMaxMs, 300);
  assert.deepEqual(parseLoadConfig({ LOAD_SLOW_MAX_MS: '20000' }).warnings, [
    'LOAD_SLOW_MAX_MS="20000" is not an integer from 0 to 10000; using none',
  ]);
  assert.match(parseLoadConfig({ LOAD_TARGET: 'http://example.com' }).error, /not on this machine/);
  assert.equal(
    parseLoadConfig({ LOAD_TARGET: 'http://example.com', LOAD_ALLOW_REMOTE_TARGET: '1' }).config.target,
    'http://example.com',
  );
  assert.match(parseLoadConfig({ LOAD_TARGET: 'not a url' }).error, /is not a URL/);
  assert.match(parseLoadConfig({ LOAD_TARGET: 'ftp://127.0.0.1' }).error, /http\(s\)/);
});

test('formatSummary prints requests by status class', () => {
  const w = { ...newCounts(), requests: 5, '2xx': 3, '4xx': 1, '5xx': 1 };
  assert.equal(
    formatSummary('last 10s', w, w, 2),
    'load: last 10s 5 req (2xx 3, 3xx 0, 4xx 1, 5xx 1, failed 0), in flight 2 | total 5 req (2xx 3, 3xx 0, 4xx 1, 5xx 1, failed 0)',
  );
});

test('redactUrl hides passwords and token-like parameters', () => {
  assert.equal(redactUrl('postgres://app:hunter2@db:5432/shop'), 'postgres://app:***@db:5432/shop');
  assert.equal(redactUrl('redis://:pw@127.0.0.1:6379'), 'redis://:***@127.0.0.1:6379');
  assert.equal(
    redactUrl('postgres://postgres@127.0.0.1:5432/test'),
    'postgres://postgres@127.0.0.1:5432/test',
  );
  assert.equal(
    redactUrl('postgres://h/db?sslmode=require&password=x'),
    'postgres://h/db?sslmode=require&password=***',
  );
  assert.equal(redactUrl('::nonsense'), '(unparsable URL)');
});

test('preloadArgs and resource attributes for the topology helper', () => {
  assert.deepEqual(preloadArgs(false), []);
  assert.deepEqual(preloadArgs(true), ['--import', '@lgtm-apm/instrumentation']);
  assert.deepEqual(preloadArgs('--require'), ['--require', '@lgtm-apm/instrumentation']);
  assert.deepEqual(preloadArgs(true, '/x/src/index.ts'), ['--import', '/x/src/index.ts']);
  assert.throws(() => preloadArgs('require me'), /preload must be/);
  assert.equal(mergeResourceAttributes(undefined), 'service.namespace=demo,deployment.environment.name=demo');
  assert.equal(
    mergeResourceAttributes('team=shop'),
    'service.namespace=demo,deployment.environment.name=demo,team=shop',
  );
});

test('defaultHost: LISTEN_HOST wins, all interfaces only inside a container, else loopback', () => {
  assert.equal(defaultHost({ LISTEN_HOST: '::1' }, ['/.dockerenv']), '::1');
  assert.equal(
    defaultHost({ HOST: 'my-laptop' }, ['/nonexistent-marker']),
    '127.0.0.1',
    'a shell HOST is ignored',
  );
  const marker = fileURLToPath(import.meta.url); // any file that exists plays the container marker
  assert.equal(defaultHost({}, ['/nonexistent-marker', marker]), '0.0.0.0');
  assert.equal(defaultHost({}, ['/nonexistent-marker']), '127.0.0.1');
});

test('listeningPort reads the port a service bound to port 0 reports, from JSON or pretty logs', () => {
  const json =
    '{"level":30,"name":"external","host":"127.0.0.1","port":35917,"msg":"external listening on http://127.0.0.1:35917"}\n';
  assert.equal(listeningPort(json), 35917);
  assert.equal(listeningPort('INFO: orders listening on http://0.0.0.0:3001 {"port":3001}'), 3001);
  assert.equal(listeningPort('{"msg":"connecting to http://127.0.0.1:5432"}'), undefined);
  assert.equal(listeningPort(''), undefined);
});
