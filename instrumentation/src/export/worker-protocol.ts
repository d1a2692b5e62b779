import { type Attributes } from '@opentelemetry/api';
import { type FromLogsWorker, type ToLogsWorker } from '../logs/worker-protocol.ts';
import { type FromMetricsWorker, type ToMetricsWorker } from '../metrics/worker-protocol.ts';

/** What the export worker starts with (workerData); each channel sends its own settings first. */
export interface ExportWorkerData {
  resourceAttributes: Attributes;
}

export type ToWorker = ({ channel: 'logs' } & ToLogsWorker) | ({ channel: 'metrics' } & ToMetricsWorker);
export type FromWorker =
  ({ channel: 'logs' } & FromLogsWorker) | ({ channel: 'metrics' } & FromMetricsWorker);
