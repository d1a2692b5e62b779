import { type Context } from '@opentelemetry/api';
import {
  type LogRecordProcessor,
  type ReadableLogRecord,
  type ReadWriteLogRecord,
} from '@opentelemetry/sdk-logs';
import { redactAttributesInPlace, redactValue, SecretKeyMatcher, type RedactionRules } from './redact.ts';

/** Runs first: scrubs secrets from attributes and bodies before any exporter sees them (see redact.ts). */
export class RedactingLogRecordProcessor implements LogRecordProcessor {
  readonly #rules: RedactionRules;

  constructor(keys: readonly string[], queryParams: readonly string[] = []) {
    this.#rules = {
      keys: new SecretKeyMatcher(keys),
      queryParams: new Set(queryParams.map((p) => p.toLowerCase())),
    };
  }

  /** The rules, for records that do not go through this processor (exported-record.ts). */
  get rules(): RedactionRules {
    return this.#rules;
  }

  onEmit(record: ReadWriteLogRecord): void {
    // The record's own attributes object (the SDK copies what it is given), still writable during onEmit;
    // only existing keys are replaced, so the SDK's attribute limit has nothing to check.
    redactAttributesInPlace(record.attributes as Record<string, unknown>, this.#rules);
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
    this.enqueue(record, context);
  }

  /**
   * A record built without the SDK's Logger (exported-record.ts): the batch processor behind this one only
   * holds records and hands them to the exporter, which reads them, so a ReadableLogRecord is all it needs.
   */
  enqueue(record: ReadableLogRecord, context?: Context): void {
    if (this.#accepted - this.#handed >= this.#maxQueueSize) {
      this.#onDrop(1);
      return;
    }
    this.#accepted += 1;
    this.#inner.onEmit(record as ReadWriteLogRecord, context);
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
