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
 * failed). A batch still stuck in a request when the end comes (a backend that never answers) is sent once
 * more with the final exporter: that request would never complete before the process ends.
 */
export function createTracesChannel(
  post: (message: FromTracesWorker) => void,
): WorkerChannelHandler<ToTracesWorker> {
  let transport: ShutdownAwareExporter<ReadableSpan[]> | undefined;
  /** Batches sent before the end (with the regular exporter) and not answered yet, by request id. */
  const open = new Map<number, ReadableSpan[]>();
  let final = false;
  let exitFailure: string | undefined;

  /** Every batch not answered yet (a resent one is answered by whichever of its two sends ends first). */
  const unanswered = new Set<number>();
  const send = (id: number, spans: ReadableSpan[]): void => {
    if (!transport) {
      post({ t: 'result', id, error: 'the traces channel was not initialised' });
      return;
    }
    let error: string | undefined;
    transport.send(
      spans,
      (e) => (error = e instanceof Error ? e.message : String(e)),
      () => {
        if (!unanswered.delete(id)) return;
        open.delete(id);
        if (error !== undefined) exitFailure = error;
        post(error === undefined ? { t: 'result', id } : { t: 'result', id, error });
      },
    );
  };

  const finish = (): Promise<void> => {
    transport?.prepareForShutdown();
    if (!final) {
      final = true;
      for (const [id, spans] of open) send(id, spans);
      open.clear();
    }
    return transport?.settled() ?? Promise.resolve();
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
          unanswered.add(message.id);
          if (!final) open.set(message.id, spans);
          send(message.id, spans);
          return;
        }
        case 'final':
          void finish();
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
