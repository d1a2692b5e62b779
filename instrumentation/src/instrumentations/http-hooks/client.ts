import type { ClientRequest, IncomingMessage } from 'node:http';
import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Histogram,
  type Span,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { ChannelInstrumentation } from './channel-instrumentation.ts';
import { emitInContextOf, type ContextEmitter } from './emit-in-context.ts';
import {
  ERROR_STATUS,
  errorTypeOf,
  normalizeMethod,
  redactQuery,
  setSpanError,
  statusCodeOf,
} from './semconv.ts';

const kCallOf = Symbol('lgtm-apm.clientCall');

/** One outgoing request's span; fixed shape, one per request. */
class ClientCall {
  finished = false;
  readonly span: Span;
  readonly metric: Attributes;
  readonly startedAt: number;
  readonly owner: ClientHooks;
  constructor(span: Span, metric: Attributes, startedAt: number, owner: ClientHooks) {
    this.span = span;
    this.metric = metric;
    this.startedAt = startedAt;
    this.owner = owner;
  }
}

const HEADER_SETTER: TextMapSetter<ClientRequest> = {
  set(request, key, value) {
    request.setHeader(key, value);
  },
};

/** ClientRequest keeps its authority (`host[:port]` as in the Host header it builds) under this symbol. */
let kAuthority: symbol | null | undefined;
function authorityOf(request: ClientRequest): string | undefined {
  if (kAuthority === undefined)
    kAuthority = Object.getOwnPropertySymbols(request).find((s) => s.description === 'kAuthority') ?? null;
  const value = kAuthority ? (request as unknown as Record<symbol, unknown>)[kAuthority] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * CLIENT spans for `http.request`/`http.get` (and https) from the `http.client.request.created` channel —
 * published at the end of ClientRequest's constructor, while the headers can still be set, in the
 * caller's context — with @opentelemetry/instrumentation-http's attributes, status and events.
 * `http.client.response.finish` adds the response's attributes. The request and response streams emit
 * in the caller's context, as upstream binds them; their `end`, `error` and `close` events end the span
 * exactly where upstream's listeners do. (`http.client.request.start` comes at `end()`, after the
 * headers are written; `http.client.request.error` is the same moment as the `error` event seen here.)
 */
export class ClientHooks extends ChannelInstrumentation {
  #duration!: Histogram;

  constructor() {
    super('@lgtm-apm/instrumentation/http-client');
    this.updateInstruments();
  }

  protected updateInstruments(): void {
    this.#duration = this.durationHistogram(
      'http.client.request.duration',
      'Duration of HTTP client requests.',
    );
  }

  protected channels(): Array<[string, (message: never) => void]> {
    return [
      ['http.client.request.created', this.onRequestCreated],
      ['http.client.response.finish', this.onResponse],
    ];
  }

  onRequestCreated({ request }: { request: ClientRequest }): void {
    const parent = context.active();
    // The kit's own exports (and anything under suppressTracing) make no spans.
    if (isTracingSuppressed(parent)) return;
    const method = request.method;
    const normalized = normalizeMethod(method);
    const protocol = request.protocol || 'http:';
    const hostname = request.host;
    const authority = authorityOf(request);
    const port = portOf(authority, hostname, protocol);
    const attributes: Attributes = {
      'http.request.method': normalized,
      'server.address': hostname,
      'server.port': port,
      'url.full': fullUrl(protocol, hostname, port, request.path),
    };
    const userAgent = request.getHeader('user-agent');
    if (userAgent !== undefined) attributes['user_agent.original'] = userAgent as string;
    if (method !== normalized) attributes['http.request.method_original'] = method;
    const span = this.tracer.startSpan(method, { kind: SpanKind.CLIENT, attributes }, parent);
    // A request whose headers are already rendered (an `expect` header, or headers given as an array)
    // cannot carry trace context any more.
    if (!request.headersSent && !(request as unknown as { _header?: unknown })._header)
      propagation.inject(trace.setSpan(parent, span), request, HEADER_SETTER);
    const metric: Attributes = {
      'http.request.method': normalized,
      'server.address': hostname,
      'server.port': port,
    };
    const call = new ClientCall(span, metric, performance.now(), this);
    (request as unknown as ContextEmitter)[kCallOf] = call;
    emitInContextOf(request as unknown as ContextEmitter, parent, call, onRequestEvent);
  }

  onResponse({ request, response }: { request: ClientRequest; response: IncomingMessage }): void {
    const call = (request as unknown as ContextEmitter)[kCallOf] as ClientCall | undefined;
    if (call === undefined || call.finished) return;
    const span = call.span;
    const statusCode = response.statusCode;
    if (statusCode != null) span.setAttribute('http.response.status_code', statusCode);
    const socket = response.socket;
    if (socket) {
      span.setAttribute('network.peer.address', socket.remoteAddress as string);
      span.setAttribute('network.peer.port', socket.remotePort as number);
      span.setAttribute('network.protocol.version', response.httpVersion);
      if (response.httpVersion) call.metric['network.protocol.version'] = response.httpVersion;
    }
    if (statusCode) {
      call.metric['http.response.status_code'] = statusCode;
      const errorType = errorTypeOf(statusCode, 400);
      if (errorType !== undefined) call.metric['error.type'] ??= errorType;
    }
    emitInContextOf(response as unknown as ContextEmitter, context.active(), call, onResponseEvent);
  }

  /** Upstream's end handler (response `end`). */
  responseEnded(call: ClientCall, response: IncomingMessage): void {
    if (call.finished) return;
    call.finished = true;
    if (response.aborted && !response.complete) call.span.setStatus(ERROR_STATUS);
    else {
      if (statusCodeOf(response.statusCode, 400) === SpanStatusCode.ERROR) call.span.setStatus(ERROR_STATUS);
      const errorType = errorTypeOf(response.statusCode, 400);
      if (errorType !== undefined) call.span.setAttribute('error.type', errorType);
    }
    this.#close(call);
  }

  /** Upstream's `_onOutgoingRequestError` (request or response `error`). */
  failed(call: ClientCall, error: Error): void {
    if (call.finished) return;
    call.finished = true;
    setSpanError(call.span, error);
    call.metric['error.type'] = error.name;
    this.#close(call);
  }

  /** Upstream's request `close` listener: ends a span nothing else ended, unless the request was aborted. */
  closed(call: ClientCall, request: ClientRequest): void {
    if (request.aborted || call.finished) return;
    call.finished = true;
    this.#close(call);
  }

  #close(call: ClientCall): void {
    call.span.end();
    this.#duration.record((performance.now() - call.startedAt) / 1000, call.metric);
  }
}

function onRequestEvent(
  call: ClientCall,
  event: string | symbol,
  arg: unknown,
  target: ContextEmitter,
): void {
  if (event === 'error') call.owner.failed(call, arg as Error);
  else if (event === 'close') call.owner.closed(call, target as unknown as ClientRequest);
}

function onResponseEvent(
  call: ClientCall,
  event: string | symbol,
  arg: unknown,
  target: ContextEmitter,
): void {
  if (event === 'end') call.owner.responseEnded(call, target as unknown as IncomingMessage);
  else if (event === 'error') call.owner.failed(call, arg as Error);
}

/** Upstream's `extractHostnameAndPort`: the request's port, else the scheme's. */
function portOf(authority: string | undefined, hostname: string, protocol: string): number {
  if (authority && authority.length > hostname.length) {
    const colon = authority.lastIndexOf(':');
    if (colon > authority.lastIndexOf(']')) {
      const port = Number(authority.slice(colon + 1));
      if (Number.isInteger(port)) return port;
    }
  }
  return protocol === 'https:' ? 443 : 80;
}

/** Upstream's `getAbsoluteUrl`: the port unless 80/443, the query with its default redactions. */
function fullUrl(protocol: string, hostname: string, port: number, path: string): string {
  // An IPv6 literal is bracketed, with its port like any other host (upstream drops the port of an
  // IPv6 `hostname` option: its host test looks for a colon).
  let host = hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]` : hostname;
  if (port !== 80 && port !== 443) host += `:${port}`;
  const q = path.indexOf('?');
  if (q !== -1) {
    try {
      const parsed = new URL(path, 'http://localhost');
      path = `${parsed.pathname}?${redactQuery(parsed.search.slice(1))}`;
    } catch {
      // upstream keeps the path as it is
    }
  }
  return `${protocol}//${host}${path}`;
}
