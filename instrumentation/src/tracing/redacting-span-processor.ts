import { type Context } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { redactUrl } from '../redaction/url.ts';
import { sanitizeSql } from '../redaction/sql.ts';
import { isSecretHeaderAttribute } from '../redaction/headers.ts';
import { BoundedMemo } from '../redaction/bounded-memo.ts';
import { type DbStatementMode } from '../config/config.ts';

export interface RedactionOptions {
  sensitiveQueryParams: readonly string[];
  dbStatement: DbStatementMode;
}

const URL_ATTRIBUTES = ['url.full', 'http.url', 'http.target', 'url.query', 'url.original'];
const SQL_ATTRIBUTES = ['db.query.text', 'db.statement'];
const CONNECTION_ATTRIBUTES = ['db.connection_string'];

/** Runs while a span is ending (still writable) and scrubs what must not leave the process. */
export class RedactingSpanProcessor implements SpanProcessor {
  readonly #params: ReadonlySet<string>;
  readonly #options: RedactionOptions;
  // An app runs the same few statements over and over; sanitising each DB span's text again was ~5 µs.
  readonly #sanitizedSql = new BoundedMemo(sanitizeSql);

  constructor(options: RedactionOptions) {
    this.#options = options;
    this.#params = new Set(options.sensitiveQueryParams.map((p) => p.toLowerCase()));
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    const attributes = span.attributes as Record<string, unknown>;
    for (const key of URL_ATTRIBUTES) {
      const value = attributes[key];
      if (typeof value === 'string') attributes[key] = redactUrl(value, this.#params);
    }
    for (const key of CONNECTION_ATTRIBUTES) {
      const value = attributes[key];
      if (typeof value === 'string') attributes[key] = redactUrl(value, this.#params);
    }
    for (const key of SQL_ATTRIBUTES) {
      const value = attributes[key];
      if (typeof value !== 'string') continue;
      if (this.#options.dbStatement === 'off') delete attributes[key];
      else if (this.#options.dbStatement === 'sanitized') attributes[key] = this.#sanitizedSql.apply(value);
    }
    for (const key in attributes) {
      if (isSecretHeaderAttribute(key)) delete attributes[key];
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
