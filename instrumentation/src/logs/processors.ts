import { type Context } from '@opentelemetry/api';
import { type LogRecordProcessor, type ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { REDACTED, redactValue, SecretKeyMatcher, type RedactionRules } from './redact.ts';

/** Runs first: scrubs secrets from attributes and bodies before any exporter sees them (see redact.ts). */
export class RedactingLogRecordProcessor implements LogRecordProcessor {
  readonly #rules: RedactionRules;

  constructor(keys: readonly string[], queryParams: readonly string[] = []) {
    this.#rules = {
      keys: new SecretKeyMatcher(keys),
      queryParams: new Set(queryParams.map((p) => p.toLowerCase())),
    };
  }

  onEmit(record: ReadWriteLogRecord): void {
    const attributes = record.attributes as Record<string, unknown>;
    for (const key in attributes) {
      const value = attributes[key];
      if (this.#rules.keys.isSecret(key)) {
        if (value !== REDACTED) record.setAttribute(key, REDACTED);
        continue;
      }
      const next = redactValue(value, this.#rules);
      if (next !== value) record.setAttribute(key, next as never);
    }
    const body = record.body;
    if (body !== null && body !== undefined) {
      const next = redactValue(body, this.#rules);
      if (next !== body) record.setBody(next);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Holds the batch processor's queue to `maxQueueSize` itself, because the SDK drops overflowing records
 * silently (only a self-observability metric sees them): here every drop is counted and reported.
 * `handedToExporter` is advanced by the exporter wrapper as batches leave the queue.
 */
export class BoundedLogRecordProcessor implements LogRecordProcessor {
  readonly #inner: LogRecordProcessor;
  readonly #maxQueueSize: number;
  readonly #onDrop: (count: number) => void;
  #accepted = 0;
  #handed = 0;

  constructor(inner: LogRecordProcessor, maxQueueSize: number, onDrop: (count: number) => void) {
    this.#inner = inner;
    this.#maxQueueSize = maxQueueSize;
    this.#onDrop = onDrop;
  }

  handedToExporter(count: number): void {
    this.#handed += count;
  }

  get queued(): number {
    return this.#accepted - this.#handed;
  }

  onEmit(record: ReadWriteLogRecord, context?: Context): void {
    if (this.#accepted - this.#handed >= this.#maxQueueSize) {
      this.#onDrop(1);
      return;
    }
    this.#accepted += 1;
    this.#inner.onEmit(record, context);
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
