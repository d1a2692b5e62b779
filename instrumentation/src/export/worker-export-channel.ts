import { ShutdownAwareExporter, type BatchExporter } from './shutdown-aware-exporter.ts';
import { type ExportChannelMessages, type WorkerChannelHandler } from './worker-protocol.ts';

/** What a signal brings to the worker half of its export channel (traces, metrics). */
export interface ExportChannelSteps<Config, Payload, Batch> {
  /** Names the channel in the error a batch gets when it arrives before the settings. */
  name: string;
  /** The official OTLP exporter for the channel's settings; `final` for the exports made at the end. */
  createExporter(config: Config, final: boolean): BatchExporter<Batch>;
  /** What a skipped or failed export is reported as (see ShutdownAwareExporter). */
  transportMessages: { finalSkipped: string; failed: string };
  /** The batch an `export` message carries, readable by the exporter; throws when it cannot be read. */
  decode(payload: Payload): Batch;
  /**
   * At shutdown and at exit, first wait for every batch not answered yet, those still in a request with the
   * regular timeout included (the kit's deadline bounds that wait). Without it, shutdown waits for nothing
   * before the transport's own shutdown, and exit for the batches sent after `final` only.
   */
  awaitBatchesInRequest: boolean;
}

/**
 * The worker half of an exporting channel: each batch is decoded and goes out through the shutdown-aware
 * transport (short timeout and no retry for the exports made at the end, skipped when the previous one
 * failed), and is answered with its `result`. `final` and `shutdown` are the same for every signal but for
 * `awaitBatchesInRequest`. A batch is never sent twice: a slow backend would then store it twice.
 */
export function createExportChannel<Config, Payload extends object, Batch>(
  post: (message: ExportChannelMessages<Config, Payload>['fromWorker']) => void,
  steps: ExportChannelSteps<Config, Payload, Batch>,
): WorkerChannelHandler<ExportChannelMessages<Config, Payload>['toWorker']> {
  let transport: ShutdownAwareExporter<Batch> | undefined;
  /** Every batch not answered yet. */
  const unanswered = new Set<Promise<void>>();
  let exitFailure: string | undefined;

  const send = (id: number, batch: Batch, exporter: ShutdownAwareExporter<Batch>): Promise<void> => {
    let error: string | undefined;
    return new Promise((resolve) =>
      exporter.send(
        batch,
        (e) => (error = e instanceof Error ? e.message : String(e)),
        () => {
          if (error !== undefined) exitFailure = error;
          post(error === undefined ? { t: 'result', id } : { t: 'result', id, error });
          resolve();
        },
      ),
    );
  };

  /** The next exports are the last ones; resolves once every batch handed over so far is answered. */
  const finish = async (): Promise<void> => {
    transport?.prepareForShutdown();
    while (unanswered.size) await Promise.all(unanswered);
  };

  return {
    handle(message) {
      switch (message.t) {
        case 'init': {
          const { config } = message;
          transport = new ShutdownAwareExporter(
            (final) => steps.createExporter(config, final),
            steps.transportMessages,
          );
          return;
        }
        case 'export': {
          const { id } = message;
          if (!transport) {
            post({ t: 'result', id, error: `the ${steps.name} channel was not initialised` });
            return;
          }
          let batch: Batch;
          try {
            batch = steps.decode(message);
          } catch (e) {
            post({ t: 'result', id, error: (e as Error).message });
            return;
          }
          const answered = send(id, batch, transport);
          unanswered.add(answered);
          void answered.then(() => unanswered.delete(answered));
          return;
        }
        case 'final':
          transport?.prepareForShutdown();
          return;
        case 'shutdown': {
          const { id } = message;
          void (steps.awaitBatchesInRequest ? finish() : Promise.resolve())
            .then(() => transport?.shutdown())
            .catch(() => {})
            .finally(() => post({ t: 'flushed', id }));
          return;
        }
      }
    },
    failed(message, error) {
      if (message.t === 'export') post({ t: 'result', id: message.id, error });
      else if (message.t === 'shutdown') post({ t: 'flushed', id: message.id });
    },
    async exit() {
      exitFailure = undefined;
      if (steps.awaitBatchesInRequest) await finish();
      else {
        transport?.prepareForShutdown();
        await transport?.settled();
      }
      return exitFailure;
    },
  };
}
