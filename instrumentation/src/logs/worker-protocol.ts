import { type AnyValue, type Attributes, type SeverityNumber, type TimeInput } from '@opentelemetry/api';
import { type LogsConfig } from '../config/signals-config.ts';
import { type ChannelMessages } from '../export/worker-protocol.ts';
import { type PinoLoggerSpec } from './pino-record.ts';

/** A record from the OTel Logs API (the kit's stuck-request warning, apps using the API directly). */
export interface ApiLogRecord {
  scope: string;
  scopeVersion: string | undefined;
  timestamp: TimeInput;
  observedTimestamp: TimeInput;
  severityNumber?: SeverityNumber;
  severityText?: string;
  body?: AnyValue;
  attributes?: Attributes;
  exception?: unknown;
  eventName?: string;
  traceId?: string;
  spanId?: string;
  traceFlags?: number;
}

/**
 * Besides `init` and `shutdown`: batches of records (pino lines and API records), and `flush`, answered with
 * `flushed` like `shutdown`. The worker reports what it took, dropped or lost as it goes.
 */
type LogsChannel = ChannelMessages<
  LogsConfig,
  | {
      t: 'batch';
      /** Loggers first seen since the previous batch: id → settings. */
      loggers: Array<[number, PinoLoggerSpec]>;
      lines: string[];
      /** Per line: logger id and pino level number, interleaved. */
      meta: number[];
      api: ApiLogRecord[];
    }
  | { t: 'flush'; id: number },
  /** Records taken off the channel (into the worker's bounded queue, or dropped there and reported). */
  | { t: 'ack'; count: number }
  | { t: 'dropped'; count: number; reason: string }
  | { t: 'lost'; count: number; error: string }
  | { t: 'error'; error: string }
>;

export type ToLogsWorker = LogsChannel['toWorker'];
export type FromLogsWorker = LogsChannel['fromWorker'];
