import { type Instrumentation } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

export interface PgOptions {
  /**
   * Keep upstream's pool listeners (`db.client.connection.count`, `…pending_requests`, `…max`). They run
   * on every check-out and return — two per query — and each builds three attribute objects for the
   * counters; with metrics off those counters are no-ops, so the listeners are not installed.
   */
  poolMetrics: boolean;
}

/** The upstream method that installs the pool listeners (instrumentation-pg 0.77); tests pin its name. */
export const POOL_LISTENERS_METHOD = '_setPoolConnectEventListeners';

/**
 * @opentelemetry/instrumentation-pg as the kit configures it: bound values stay out of spans
 * (enhancedDatabaseReporting off; the SQL text is sanitised later), and pool check-outs are not calls to
 * the database, so they get no span (a quarter fewer spans per query). What each option saves is
 * measured by bench/pg-options.mjs.
 */
export function createPgInstrumentation(options: PgOptions): Instrumentation {
  const instrumentation = new PgInstrumentation({
    enhancedDatabaseReporting: false,
    ignoreConnectSpans: true,
  });
  const self = instrumentation as unknown as Record<string, unknown>;
  if (!options.poolMetrics && typeof self[POOL_LISTENERS_METHOD] === 'function')
    self[POOL_LISTENERS_METHOD] = () => {};
  return instrumentation;
}
