import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { createPgInstrumentation, POOL_LISTENERS_METHOD } from '../../src/instrumentations/pg.ts';

/** What upstream's pool listeners look at: a pool is an EventEmitter with options and counts. */
function fakePool() {
  return Object.assign(new EventEmitter(), {
    options: { host: 'db', port: 5432, database: 'app', max: 8 },
    totalCount: 0,
    idleCount: 0,
    waitingCount: 0,
  });
}

type WithPoolListeners = Record<string, (pool: unknown) => void>;

test('upstream still installs its pool listeners through the method the kit replaces', () => {
  // An upgrade that renames it would silently bring the per-query listeners back: this fails first.
  assert.equal(typeof (PgInstrumentation.prototype as unknown as WithPoolListeners)[POOL_LISTENERS_METHOD], 'function');
  const pool = fakePool();
  const upstream = new PgInstrumentation({}) as unknown as WithPoolListeners;
  upstream[POOL_LISTENERS_METHOD]!(pool);
  assert.equal(pool.listenerCount('acquire'), 1);
  assert.equal(pool.listenerCount('release'), 1);
});

test('with metrics off the kit installs no pool listeners; with metrics on it keeps them', () => {
  const off = createPgInstrumentation({ poolMetrics: false }) as unknown as WithPoolListeners;
  const quiet = fakePool();
  off[POOL_LISTENERS_METHOD]!(quiet);
  for (const event of ['connect', 'acquire', 'release', 'remove'])
    assert.equal(quiet.listenerCount(event), 0, `${event} listener with metrics off`);

  const on = createPgInstrumentation({ poolMetrics: true }) as unknown as WithPoolListeners;
  const counted = fakePool();
  on[POOL_LISTENERS_METHOD]!(counted);
  assert.equal(counted.listenerCount('acquire'), 1);
  assert.equal(counted.listenerCount('release'), 1);
});

test('the kit keeps bound values out of spans and makes no connect spans', () => {
  const config = createPgInstrumentation({ poolMetrics: false }).getConfig() as Record<string, unknown>;
  assert.equal(config.enhancedDatabaseReporting, false);
  assert.equal(config.ignoreConnectSpans, true);
});
