// Entry of dist/export-worker.cjs: the thread that takes export work off the app's main thread
// (worker-host.ts starts it). It starts nothing unless it was started as that worker, so requiring it
// is harmless.
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { createLogsChannel } from '../logs/worker-main.ts';
import { createMetricsChannel } from '../metrics/worker-metrics.ts';
import { type ExportWorkerData, type ToWorker } from './worker-protocol.ts';

const data = workerData as ExportWorkerData | null;
if (!isMainThread && parentPort && data?.resourceAttributes) {
  // Lowest CPU priority for this thread only (Linux nice values are per thread): when the app and the
  // export compete for a core, the app wins and the export queue overflows instead (bounded, counted).
  try {
    setPriority(19);
  } catch {
    // Not permitted or not supported here: the worker runs at the app's priority.
  }
  const port = parentPort;
  const resource = resourceFromAttributes(data.resourceAttributes);
  const logs = createLogsChannel((m) => port.postMessage({ channel: 'logs', ...m }), resource);
  const metrics = createMetricsChannel((m) => port.postMessage({ channel: 'metrics', ...m }), resource);

  // Messages are handled one per event-loop turn, not as they arrive: Node delivers up to 1,000 queued
  // port messages in one go, and under a steady stream of log batches the exporters' HTTP responses
  // would wait behind all of them while the queues overflow.
  const inbox: ToWorker[] = [];
  let draining = false;
  const drain = (): void => {
    const message = inbox.shift();
    if (message?.channel === 'logs') logs(message);
    else if (message?.channel === 'metrics') metrics(message);
    if (inbox.length) setImmediate(drain);
    else draining = false;
  };
  port.on('message', (message: ToWorker) => {
    inbox.push(message);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  });
}
