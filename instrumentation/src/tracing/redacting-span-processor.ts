import { type Attributes, type Context } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor, type TimedEvent } from '@opentelemetry/sdk-trace';
import { redactQueryString, redactUrl, redactUrlsInText } from '../redaction/url.ts';
import { sanitizeSql, sqlDialectOf } from '../redaction/sql.ts';
import { sanitizeDbMessage } from '../redaction/db-message.ts';
import { attributeKind } from '../redaction/attribute-kind.ts';
import { BoundedMemo } from '../redaction/bounded-memo.ts';
import { type DbStatementMode } from '../config/config.ts';

export interface RedactionOptions {
  sensitiveQueryParams: readonly string[];
  dbStatement: DbStatementMode;
}

/** Runs while a span is ending (still writable) and scrubs what must not leave the process. */
export class RedactingSpanProcessor implements SpanProcessor {
  readonly #params: ReadonlySet<string>;
  readonly #options: RedactionOptions;
  // An app runs the same few statements over and over; sanitising each DB span's text again was ~5 µs.
  readonly #sanitizedSql = new BoundedMemo((sql) => sanitizeSql(sql));
  readonly #sanitizedMysql = new BoundedMemo((sql) => sanitizeSql(sql, 'mysql'));

  constructor(options: RedactionOptions) {
    this.#options = options;
    this.#params = new Set(options.sensitiveQueryParams.map((p) => p.toLowerCase()));
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    const attributes = span.attributes as Record<string, unknown>;
    const dbSystem = attributes['db.system.name'] ?? attributes['db.system'];
    // One pass over the keys; what each key needs is remembered per key (attribute-kind.ts).
    for (const key in attributes) {
      const kind = attributeKind(key);
      if (kind === 'plain') continue;
      const value = attributes[key];
      if (kind === 'secret') delete attributes[key];
      else if (typeof value !== 'string') continue;
      else if (kind === 'url') attributes[key] = redactUrl(value, this.#params);
      else if (kind === 'query') attributes[key] = redactQueryString(value, this.#params);
      else if (this.#options.dbStatement === 'off') delete attributes[key];
      else if (this.#options.dbStatement !== 'raw')
        attributes[key] = (
          sqlDialectOf(dbSystem) === 'mysql' ? this.#sanitizedMysql : this.#sanitizedSql
        ).apply(value);
    }
    if (span.name.includes('?') || span.name.includes('@'))
      span.updateName(redactUrl(span.name, this.#params));
    const isDb = typeof dbSystem === 'string';
    const message = span.status.message;
    if (message) {
      const clean = this.#scrubMessage(message, isDb);
      if (clean !== message) span.setStatus({ ...span.status, message: clean });
    }
    const events = span.events as TimedEvent[];
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      if (event.name === 'exception' && event.attributes) {
        const scrubbed = this.#scrubException(event.attributes, isDb);
        if (scrubbed !== event.attributes) events[i] = { ...event, attributes: scrubbed };
      }
    }
  }

  /** Error texts quote URLs (fetch, HTTP clients) and, from databases, the offending value. */
  #scrubMessage(text: string, isDb: boolean): string {
    const withoutUrls = redactUrlsInText(text, this.#params);
    return isDb ? sanitizeDbMessage(withoutUrls) : withoutUrls;
  }

  #scrubException(attributes: Attributes, isDb: boolean): Attributes {
    let copy: Attributes | undefined;
    for (const key of ['exception.message', 'exception.stacktrace']) {
      const value = attributes[key];
      if (typeof value !== 'string') continue;
      const clean = this.#scrubMessage(value, isDb);
      if (clean !== value) (copy ??= { ...attributes })[key] = clean;
    }
    return copy ?? attributes;
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
