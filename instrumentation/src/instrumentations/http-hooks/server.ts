import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type Span,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, suppressTracing, type RPCMetadata } from '@opentelemetry/core';
import { ChannelInstrumentation } from './channel-instrumentation.ts';
import { emitInContextOf, type ContextEmitter } from './emit-in-context.ts';
import {
  ERROR_STATUS,
  errorTypeOf,
  hostIsParsable,
  normalizeMethod,
  parseHostHeader,
  redactQuery,
  setSpanError,
  splitPlainTarget,
  statusCodeOf,
  type HostAndPort,
  type PathAndQuery,
} from './semconv.ts';

interface RequestStartMessage {
  request: IncomingMessage;
  response: ServerResponse;
  server: { emit: (...args: unknown[]) => boolean; [key: symbol]: unknown };
}

const kServerState = Symbol('lgtm-apm.serverRequest');
const kServerEmit = Symbol('lgtm-apm.serverEmit');

/** One incoming request's span and what its end needs; fixed shape, one per request. */
class ServerRequest {
  ended = false;
  span: Span | undefined = undefined;
  ctx: Context;
  rpc: RPCMetadata | undefined = undefined;
  method = '';
  rawMethod = '';
  scheme: string;
  protocolVersion: string | undefined = undefined;
  startedAt = 0;
  readonly owner: ServerHooks;
  constructor(owner: ServerHooks, ctx: Context, scheme: string) {
    this.owner = owner;
    this.ctx = ctx;
    this.scheme = scheme;
  }
}

export interface ServerHooksOptions {
  ignorePaths: readonly string[];
}

/**
 * SERVER spans for `node:http` and `node:https` servers from the `http.server.request.start` channel,
 * with the attributes, name, status and events of @opentelemetry/instrumentation-http (stable
 * conventions), and the same `RPCMetadata` in the request's context, through which the express, koa and
 * fastify instrumentations set `http.route`.
 *
 * The channel is published right before the server emits `request`; so that the app's handler runs in
 * the span's context (and its synchronous throws are recorded, as upstream does), each server's own
 * `emit` is wrapped once, at its first request. The request and response streams emit in that context
 * too (see emit-in-context.ts), and the span ends at the response's `close`, as upstream's does.
 * `http.server.response.finish` is not used: a response the client aborted never publishes it.
 */
export class ServerHooks extends ChannelInstrumentation {
  readonly #ignorePaths: ReadonlySet<string>;
  #duration!: Histogram;

  constructor(options: ServerHooksOptions) {
    super('@lgtm-apm/instrumentation/http-server');
    this.#ignorePaths = new Set(options.ignorePaths);
    this.updateInstruments();
  }

  protected updateInstruments(): void {
    this.#duration = this.durationHistogram(
      'http.server.request.duration',
      'Duration of HTTP server requests.',
    );
  }

  protected channels(): Array<[string, (message: never) => void]> {
    return [['http.server.request.start', this.onRequestStart]];
  }

  onRequestStart({ request, response, server }: RequestStartMessage): void {
    if (server[kServerEmit] === undefined) wrapServerEmit(server);
    const scheme = (request.socket as { encrypted?: boolean } | null)?.encrypted ? 'https' : 'http';
    const target = request.url;
    const headers = request.headers;
    let state: ServerRequest;
    if (this.#ignorePaths.size && target && this.#ignorePaths.has(pathOf(target))) {
      // As upstream's ignoreIncomingRequestHook: no span, and nothing the handler does is traced.
      state = new ServerRequest(this, suppressTracing(context.active()), scheme);
    } else {
      const rawMethod = request.method || 'GET';
      const method = normalizeMethod(request.method);
      const attributes = incomingAttributes(request, method, scheme, target);
      const parent = propagation.extract(ROOT_CONTEXT, headers);
      const span = this.tracer.startSpan(rawMethod, { kind: SpanKind.SERVER, attributes }, parent);
      const rpc: RPCMetadata = { type: RPCType.HTTP, span };
      state = new ServerRequest(this, setRPCMetadata(trace.setSpan(parent, span), rpc), scheme);
      state.span = span;
      state.rpc = rpc;
      state.method = method;
      state.rawMethod = rawMethod;
      state.protocolVersion = request.httpVersion || undefined;
      state.startedAt = performance.now();
    }
    (request as unknown as ContextEmitter)[kServerState] = state;
    emitInContextOf(request as unknown as ContextEmitter, state.ctx);
    emitInContextOf(response as unknown as ContextEmitter, state.ctx, state, onResponseEvent);
  }

  /** Upstream's `_onServerResponseFinish`, at the response's `close`. */
  finish(state: ServerRequest, response: ServerResponse): void {
    if (state.ended || !state.span) return;
    state.ended = true;
    const span = state.span;
    const statusCode = response.statusCode;
    const route = state.rpc?.route;
    span.setAttribute('http.response.status_code', statusCode);
    if (route !== undefined) span.setAttribute('http.route', route);
    // UNSET is the span's status already (and setStatus ignores it): no status object per request.
    if (statusCodeOf(statusCode, 500) === SpanStatusCode.ERROR) span.setStatus(ERROR_STATUS);
    const errorType = errorTypeOf(statusCode, 500);
    if (errorType !== undefined) span.setAttribute('error.type', errorType);
    if (route) span.updateName(`${state.rawMethod} ${route}`);
    span.end();
    const metric = this.#metricAttributes(state);
    if (route !== undefined) metric['http.route'] = route;
    if (statusCode) {
      metric['http.response.status_code'] = statusCode;
      if (errorType !== undefined) metric['error.type'] = errorType;
    }
    this.#duration.record((performance.now() - state.startedAt) / 1000, metric);
  }

  /** Upstream's `_onServerResponseError`: a response stream error or a synchronous throw of the handler. */
  fail(state: ServerRequest, error: Error): void {
    if (state.ended || !state.span) return;
    state.ended = true;
    setSpanError(state.span, error);
    state.span.end();
    const metric = this.#metricAttributes(state);
    metric['error.type'] = error.name;
    this.#duration.record((performance.now() - state.startedAt) / 1000, metric);
  }

  #metricAttributes(state: ServerRequest): Attributes {
    const metric: Attributes = { 'http.request.method': state.method, 'url.scheme': state.scheme };
    if (state.protocolVersion) metric['network.protocol.version'] = state.protocolVersion;
    return metric;
  }
}

function onResponseEvent(
  state: ServerRequest,
  event: string | symbol,
  arg: unknown,
  target: ContextEmitter,
): void {
  if (event === 'close') state.owner.finish(state, target as unknown as ServerResponse);
  else if (event === 'error') state.owner.fail(state, arg as Error);
}

function pathOf(target: string): string {
  const q = target.indexOf('?');
  return q === -1 ? target : target.slice(0, q);
}

/** Runs the request listeners in the request's context; a synchronous throw ends the span with it. */
function wrapServerEmit(server: RequestStartMessage['server']): void {
  const original = server.emit;
  server[kServerEmit] = original;
  server.emit = function emitRequestInContext(this: typeof server, event: unknown, request: unknown) {
    const state =
      (event === 'request' || event === 'checkContinue' || event === 'checkExpectation') && request
        ? ((request as ContextEmitter)[kServerState] as ServerRequest | undefined)
        : undefined;
    // eslint-disable-next-line prefer-rest-params -- forwarded as they came
    if (state === undefined) return Reflect.apply(original, this, arguments);
    // eslint-disable-next-line prefer-rest-params
    return context.with(state.ctx, runListeners, undefined, original, this, arguments, state);
  };
}

function runListeners(
  original: (...args: unknown[]) => boolean,
  server: unknown,
  args: IArguments,
  state: ServerRequest,
): boolean {
  try {
    return Reflect.apply(original, server, args);
  } catch (error) {
    state.owner.fail(state, error as Error);
    throw error;
  }
}

function incomingAttributes(
  request: IncomingMessage,
  method: string,
  scheme: 'http' | 'https',
  target: string | undefined,
): Attributes {
  const headers = request.headers;
  const socket = request.socket;
  const server = serverAddressOf(headers, scheme);
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': scheme,
  };
  if (server?.host !== undefined) attributes['server.address'] = server.host;
  if (socket.remoteAddress !== undefined) attributes['network.peer.address'] = socket.remoteAddress;
  if (socket.remotePort !== undefined) attributes['network.peer.port'] = socket.remotePort;
  if (request.httpVersion !== undefined) attributes['network.protocol.version'] = request.httpVersion;
  const userAgent = headers['user-agent'];
  if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
  const url = parseTarget(target ?? '/', scheme, headers.host);
  if (url) {
    attributes['url.path'] = url.pathname;
    if (url.search) attributes['url.query'] = redactQuery(url.search);
  }
  const client = clientAddressOf(request);
  if (client != null) attributes['client.address'] = client;
  if (server?.port != null) attributes['server.port'] = Number(server.port);
  if (request.method !== method) attributes['http.request.method_original'] = request.method;
  return attributes;
}

/** Upstream's `getInfoFromIncomingMessage`: WHATWG parsing of the target against the Host header. */
function parseTarget(
  target: string,
  scheme: 'http' | 'https',
  host: string | undefined,
): PathAndQuery | undefined {
  const base = host || 'localhost';
  const plain = hostIsParsable(scheme, base) ? splitPlainTarget(target) : undefined;
  if (plain) return plain;
  try {
    const url = new URL(target, `${scheme}://${base}`);
    return { pathname: url.pathname, search: url.search.slice(1) };
  } catch {
    return undefined;
  }
}

type Headers = IncomingMessage['headers'];

/** The Forwarded header is rare: its parser (the one upstream uses) is loaded on first sight. */
function parseForwarded(header: string): Array<Record<string, string>> {
  try {
    const { parse } = require('forwarded-parse') as { parse(header: string): Array<Record<string, string>> };
    return parse(header);
  } catch {
    return [];
  }
}

/** Upstream's `getServerAddress`: Forwarded, X-Forwarded-Host(+Proto), then Host. */
function serverAddressOf(headers: Headers, scheme: string): HostAndPort | null {
  const forwarded = headers.forwarded;
  if (forwarded) {
    for (const entry of parseForwarded(forwarded))
      if (entry.host) return parseHostHeader(entry.host, entry.proto);
  }
  const xHost = headers['x-forwarded-host'];
  const xProto = headers['x-forwarded-proto'];
  const proto = typeof xProto === 'string' ? xProto : Array.isArray(xProto) ? xProto[0] : undefined;
  if (typeof xHost === 'string') return parseHostHeader(xHost, proto);
  if (Array.isArray(xHost) && typeof xHost[0] === 'string' && xHost[0].length > 0)
    return parseHostHeader(xHost[0], proto);
  const host = headers.host;
  if (typeof host === 'string' && host.length > 0) return parseHostHeader(host, scheme);
  return null;
}

/** Upstream's `getRemoteClientAddress`: Forwarded `for`, X-Forwarded-For's first entry, then the socket. */
function clientAddressOf(request: IncomingMessage): string | null {
  const headers = request.headers;
  const forwarded = headers.forwarded;
  if (forwarded) {
    for (const entry of parseForwarded(forwarded)) if (entry.for) return withoutPort(entry.for);
  }
  const xFor = headers['x-forwarded-for'];
  if (xFor) {
    const value = typeof xFor === 'string' ? xFor : Array.isArray(xFor) ? xFor[0] : undefined;
    if (typeof value === 'string') return withoutPort(value.split(',')[0]!.trim());
  }
  return request.socket.remoteAddress || null;
}

function withoutPort(input: string): string {
  try {
    const { hostname } = new URL(`http://${input}`);
    return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  } catch {
    return input;
  }
}
