import { type ReadableSpan } from '@opentelemetry/sdk-trace';
import { ShutdownAwareExporter } from '../export/shutdown-aware-exporter.ts';
import { fromWireSpans } from './span-wire.ts';
import { createOtlpTraceExporter, TRACES_TRANSPORT_MESSAGES } from './trace-exporter.ts';
import { type WorkerChannelHandler } from '../export/worker-protocol.ts';
import { type FromTracesWorker, type ToTracesWorker } from './worker-protocol.ts';

/**
 * The worker half of trace export (see worker-span-exporter.ts): the batches arrive as plain data, become
 * spans again (span-wire.ts) and go out through the official OTLP exporter for the configured protocol, with
 * the shutdown-aware transport (short timeout and no retry at exit, skipped when the previous export
 * failed). At the end every batch not answered yet is waited for, those still in a request with the regular
 * timeout included (the kit's deadline bounds that wait). They are not sent again: a slow backend would
 * then store them twice.
 */
export function createTracesChannel(
  post: (message: FromTracesWorker) => void,
): WorkerChannelHandler<ToTracesWorker> {
  let transport: ShutdownAwareExporter<ReadableSpan[]> | undefined;
  /** Every batch not answered yet. */
  const unanswered = new Set<Promise<void>>();
  let exitFailure: string | undefined;

  const send = (id: number, spans: ReadableSpan[]): Promise<void> => {
    if (!transport) {
      post({ t: 'result', id, error: 'the traces channel was not initialised' });
      return Promise.resolve();
    }
    const exporter = transport;
    let error: string | undefined;
    return new Promise((resolve) =>
      exporter.send(
        spans,
        (e) => (error = e instanceof Error ? e.message : String(e)),
        () => {
          if (error !== undefined) exitFailure = error;
          post(error === undefined ? { t: 'result', id } : { t: 'result', id, error });
          resolve();
        },
      ),
    );
  };

  const finish = async (): Promise<void> => {
    transport?.prepareForShutdown();
    while (unanswered.size) await Promise.all(unanswered);
  };

  return {
    handle(message) {
      switch (message.t) {
        case 'init':
          transport = new ShutdownAwareExporter(
            (last) => createOtlpTraceExporter(message.config, last),
            TRACES_TRANSPORT_MESSAGES,
          );
          return;
        case 'export': {
          let spans: ReadableSpan[];
          try {
            spans = fromWireSpans(message.spans);
          } catch (e) {
            post({ t: 'result', id: message.id, error: (e as Error).message });
            return;
          }
          const answered = send(message.id, spans);
          unanswered.add(answered);
          void answered.then(() => unanswered.delete(answered));
          return;
        }
        case 'final':
          transport?.prepareForShutdown();
          return;
        case 'shutdown': {
          const { id } = message;
          void finish()
            .then(() => transport?.shutdown())
            .catch(() => {})
            .finally(() => post({ t: 'flushed', id }));
          return;
        }
      }
    },
    async exit() {
      exitFailure = undefined;
      await finish();
      return exitFailure;
    },
  };
}
