import { type MetricsConfig } from '../config/signals-config.ts';
import { type ExportChannelMessages } from '../export/worker-protocol.ts';
import { type WireMetrics } from './metric-wire.ts';

/** Each export carries one collection, in the compact form of metric-wire.ts. */
type MetricsChannel = ExportChannelMessages<MetricsConfig, { metrics: WireMetrics }>;

export type ToMetricsWorker = MetricsChannel['toWorker'];
export type FromMetricsWorker = MetricsChannel['fromWorker'];
