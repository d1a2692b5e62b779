// Entry of dist/export-worker.cjs: the thread that takes export work off the app's main thread
// (worker-host.ts starts it). It starts nothing unless it was started as that worker, so requiring it
// is harmless.
import { getPriority, setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { createLogsChannel } from '../logs/worker-main.ts';
import { createMetricsChannel } from '../metrics/worker-metrics.ts';
import { createTracesChannel } from '../tracing/worker-traces.ts';
import { signalExitDone, type ExitReport } from './exit-signal.ts';
import {
  type ChannelName,
  type ExportWorkerData,
  type ExitMessage,
  type ToWorker,
} from './worker-protocol.ts';

const data = workerData as ExportWorkerData | null;
if (!isMainThread && parentPort && data?.resourceAttributes) {
  // With LGTM_APM_EXPORT_WORKER_NICE, a lower CPU priority for this thread only (Linux nice values are per
  // thread): when the app and the export compete for a core, the app wins and the export queue overflows
  // instead (bounded, counted). Until the process ends: then the app waits for this thread, and it goes
  // back to the app's priority.
  let appPriority: number | undefined;
  try {
    appPriority = getPriority();
    if (!data.expedite && data.nice > 0) setPriority(Math.min(19, appPriority + data.nice));
  } catch {
    // Not permitted or not supported here: the worker runs at the app's priority.
  }
  const expedite = (): void => {
    try {
      if (appPriority !== undefined) setPriority(appPriority);
    } catch {
      // Raising it again needs CAP_SYS_NICE or RLIMIT_NICE: the last exports run at the lowest priority,
      // still bounded by the kit's deadline.
    }
    appPriority = undefined;
  };
  const port = parentPort;
  const resource = resourceFromAttributes(data.resourceAttributes);
  const channels = {
    logs: createLogsChannel((m) => port.postMessage({ channel: 'logs', ...m }), resource),
    metrics: createMetricsChannel((m) => port.postMessage({ channel: 'metrics', ...m }), resource),
    traces: createTracesChannel((m) => port.postMessage({ channel: 'traces', ...m })),
  };

  // After everything the channels were handed before it (the inbox keeps the order): the main thread is
  // blocked in process.exit() until this reports.
  const exit = async (message: ExitMessage): Promise<void> => {
    const report: ExitReport = {};
    await Promise.all(
      (Object.keys(channels) as ChannelName[]).map(async (name) => {
        try {
          const failure = await channels[name].exit();
          if (failure !== undefined) report[name] = failure;
        } catch (error) {
          report[name] = (error as Error).message;
        }
      }),
    );
    signalExitDone(message.done, report);
  };

  // Messages are handled one per event-loop turn, not as they arrive: Node delivers up to 1,000 queued
  // port messages in one go, and under a steady stream of log batches the exporters' HTTP responses
  // would wait behind all of them while the queues overflow.
  const inbox: ToWorker[] = [];
  let draining = false;
  const drain = (): void => {
    const message = inbox.shift();
    if (message?.channel === 'exit') void exit(message);
    else if (message && message.channel !== 'control') {
      const channel = channels[message.channel];
      try {
        channel.handle(message as never);
      } catch (error) {
        // One unexpected message must not end the thread: every signal of the process exports through it.
        try {
          channel.failed(message as never, error instanceof Error ? error.message : String(error));
        } catch {
          // Nothing more can be said about this message; the next ones still go out.
        }
      }
    }
    if (inbox.length) setImmediate(drain);
    else draining = false;
  };
  port.on('message', (message: ToWorker) => {
    if (message.channel === 'control') {
      expedite();
      return;
    }
    if (message.channel === 'exit') expedite();
    inbox.push(message);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  });
}
