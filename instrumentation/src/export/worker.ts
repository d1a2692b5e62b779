// Entry of dist/export-worker.cjs: the thread that takes export work off the app's main thread.
// It starts nothing unless it was started as that worker (workerData.kind), so requiring it is harmless.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runLogsWorker } from '../logs/worker-main.ts';
import { type LogsWorkerData } from '../logs/worker-protocol.ts';

if (!isMainThread && parentPort && (workerData as { kind?: unknown } | null)?.kind === 'logs') {
  runLogsWorker(parentPort, workerData as LogsWorkerData);
}
