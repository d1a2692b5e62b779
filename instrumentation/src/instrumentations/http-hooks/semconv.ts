import { SpanStatusCode, type Span } from '@opentelemetry/api';

/**
 * The pieces of OpenTelemetry's stable HTTP conventions the hooks share, written to give exactly what
 * `@opentelemetry/instrumentation-http` 0.301 and `-undici` 0.34 give (the differential test compares
 * them), with fast paths that skip `new URL` / `URLSearchParams` where the result cannot differ.
 */

export const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

/** `http.request.method`: a known method upper-cased, anything else `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  if (method == null) return 'GET';
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

/** instrumentation-http's default: these query parameters become `REDACTED` in `url.query`/`url.full`. */
const DEFAULT_REDACTED_QUERY = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];
/** A query that URLSearchParams would serialize back unchanged: `k=v` pairs of unreserved characters. */
const PLAIN_QUERY = /^[\w\-.*]+=[\w\-.*]*(?:&[\w\-.*]+=[\w\-.*]*)*$/;
/** Every default-redacted name contains one of these; a query without them needs no redaction. */
const MAY_NEED_REDACTION = /sig|Sig|AWS|X-Amz/;

/** instrumentation-http's `redactQueryString` (URLSearchParams round trip), skipped when it is a no-op. */
export function redactQuery(query: string): string {
  if (PLAIN_QUERY.test(query) && !MAY_NEED_REDACTION.test(query)) return query;
  const params = new URLSearchParams(query);
  for (const name of DEFAULT_REDACTED_QUERY) if (params.has(name)) params.set(name, 'REDACTED');
  return params.toString();
}

/**
 * A request target WHATWG URL parsing leaves as it is: origin-form but not `//…` (which it reads as a
 * host), no dot segments (also not percent-encoded ones), no characters it would percent-encode, no
 * fragment. test/unit/http-hooks-semconv.test.ts checks it against `new URL`.
 */
const PLAIN_TARGET = /^(?!\/\/)(?!.*\/(?:\.|%2e))\/[\w\-.~!$&()*+,;=:@%/]*(?:\?[\w\-.~!$&()*+,;=:@%/?]*)?$/i;

export interface PathAndQuery {
  pathname: string;
  /** Without the `?`; empty when there is none. */
  search: string;
}

export function splitPlainTarget(target: string): PathAndQuery | undefined {
  if (!PLAIN_TARGET.test(target)) return undefined;
  const q = target.indexOf('?');
  return q === -1
    ? { pathname: target, search: '' }
    : { pathname: target.slice(0, q), search: target.slice(q + 1) };
}

/** Whether `new URL(path, scheme://host)` can parse with this Host header; memoised (few distinct hosts). */
const hostParses = { http: new Map<string, boolean>(), https: new Map<string, boolean>() };
export function hostIsParsable(scheme: 'http' | 'https', host: string): boolean {
  const known = hostParses[scheme];
  let ok = known.get(host);
  if (ok === undefined) {
    ok = URL.canParse(`${scheme}://${host}/`);
    if (known.size < 256) known.set(host, ok);
  }
  return ok;
}

/**
 * The status of a failed request, shared: the SDK copies the status it is given (and ignores UNSET, the
 * status a span starts with), so the hooks need no status object per request.
 */
export const ERROR_STATUS = { code: SpanStatusCode.ERROR } as const;

/** `error.type` for a response status that is an error for this side (client ≥ 400, server ≥ 500). */
export function errorTypeOf(statusCode: number | undefined, lowerBound: number): string | undefined {
  return typeof statusCode === 'number' && statusCode >= lowerBound && statusCode < 600
    ? String(statusCode)
    : undefined;
}

/** instrumentation-http's `parseResponseStatus`. */
export function statusCodeOf(statusCode: number | undefined, upperBound: number): SpanStatusCode {
  return statusCode && statusCode >= 100 && statusCode < upperBound
    ? SpanStatusCode.UNSET
    : SpanStatusCode.ERROR;
}

/** instrumentation-http's `setSpanWithError`. */
export function setSpanError(span: Span, error: Error): void {
  span.setAttribute('error.type', error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.recordException(error);
}

export interface HostAndPort {
  host: string;
  port?: string;
}

/** instrumentation-http's `parseHostHeader` (semantic conventions 1.27, server.address). */
export function parseHostHeader(hostHeader: string, proto?: string): HostAndPort {
  const defaultPort = proto === 'http' ? '80' : proto === 'https' ? '443' : undefined;
  // The usual `host` and `host:port` without splitting into an array.
  const colon = hostHeader.indexOf(':');
  if (colon === -1) return defaultPort ? { host: hostHeader, port: defaultPort } : { host: hostHeader };
  if (hostHeader.indexOf(':', colon + 1) === -1)
    return { host: hostHeader.slice(0, colon), port: hostHeader.slice(colon + 1) };
  const parts = hostHeader.split(':');
  if (parts.length === 1) return defaultPort ? { host: parts[0]!, port: defaultPort } : { host: parts[0]! };
  if (parts.length === 2) return { host: parts[0]!, port: parts[1]! };
  if (parts[0]!.startsWith('[')) {
    if (parts[parts.length - 1]!.endsWith(']')) {
      if (defaultPort) return { host: hostHeader, port: defaultPort };
    } else if (parts[parts.length - 2]!.endsWith(']')) {
      return { host: parts.slice(0, -1).join(':'), port: parts[parts.length - 1]! };
    }
  }
  return { host: hostHeader };
}

export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
