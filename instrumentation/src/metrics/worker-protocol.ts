import { type MetricsConfig } from '../config/signals-config.ts';
import { type WireMetrics } from './metric-wire.ts';

export type ToMetricsWorker =
  | { t: 'init'; config: MetricsConfig }
  | { t: 'export'; id: number; metrics: WireMetrics }
  /** The next exports are the last ones (short timeout, skipped if the previous one failed). */
  | { t: 'final' }
  | { t: 'shutdown'; id: number };

export type FromMetricsWorker =
  /** One export's outcome; `error` set when the backend did not take it. */
  { t: 'result'; id: number; error?: string } | { t: 'flushed'; id: number };
