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
import { ERROR_STATUS, normalizeMethod, splitPlainTarget } from './semconv.ts';

interface UndiciRequest {
  origin: string;
  method: string;
  path: string;
  headers: string | unknown[];
  addHeader?(name: string, value: string): unknown;
  [key: symbol]: unknown;
}

interface UndiciSocket {
  remoteAddress?: string;
  remotePort?: number;
  alpnProtocol?: string | false | null;
}

const kCall = Symbol('lgtm-apm.undiciCall');

/** One fetch/undici request's span and the attributes its duration metric takes; fixed shape. */
class UndiciCall {
  readonly span: Span;
  readonly attributes: Attributes;
  readonly startedAt: number;
  constructor(span: Span, attributes: Attributes, startedAt: number) {
    this.span = span;
    this.attributes = attributes;
    this.startedAt = startedAt;
  }
}

const HEADER_SETTER: TextMapSetter<UndiciRequest> = {
  set(request, key, value) {
    if (typeof request.addHeader === 'function') request.addHeader(key, value);
    else if (typeof request.headers === 'string') request.headers += `${key}: ${value}\r\n`;
    else if (Array.isArray(request.headers)) request.headers.push(key, value);
  },
};

interface Origin {
  /** `scheme://host[:port]` as WHATWG URL serializes it (default port dropped, host lower-cased). */
  serialized: string;
  scheme: string;
  hostname: string;
  port: number | undefined;
}

/** Parsed origins: a service talks to a handful, parsing each once is most of `new URL`'s cost saved. */
const origins = new Map<string, Origin | null>();
function originOf(origin: string): Origin | null {
  let parsed = origins.get(origin);
  if (parsed === undefined) {
    try {
      const url = new URL(origin);
      const scheme = url.protocol.slice(0, -1);
      const port = url.port || (scheme === 'https' ? '443' : scheme === 'http' ? '80' : '');
      parsed = {
        serialized: `${url.protocol}//${url.host}`,
        scheme,
        hostname: url.hostname,
        port: port && !Number.isNaN(Number(port)) ? Number(port) : undefined,
      };
    } catch {
      parsed = null;
    }
    if (origins.size < 256) origins.set(origin, parsed);
  }
  return parsed;
}

const DURATION_KEYS = [
  'http.response.status_code',
  'http.request.method',
  'server.address',
  'server.port',
  'url.scheme',
  'error.type',
  'network.protocol.version',
];

/**
 * CLIENT spans for global `fetch` and undici from undici's diagnostics channels — what
 * @opentelemetry/instrumentation-undici 0.34 does, with its attributes, minus its per-request costs:
 * `new URL` per request (origins are parsed once, plain paths split as they are), a header Map per
 * request to find the User-Agent, a WeakMap and `Object.entries` for the injected headers.
 */
export class UndiciHooks extends ChannelInstrumentation {
  #duration!: Histogram;

  constructor() {
    super('@lgtm-apm/instrumentation/undici');
    this.updateInstruments();
  }

  protected updateInstruments(): void {
    this.#duration = this.durationHistogram(
      'http.client.request.duration',
      'Measures the duration of outbound HTTP requests.',
    );
  }

  protected channels(): Array<[string, (message: never) => void]> {
    return [
      ['undici:request:create', this.onCreate],
      ['undici:client:sendHeaders', this.onSendHeaders],
      ['undici:request:headers', this.onHeaders],
      ['undici:request:trailers', this.onDone],
      ['undici:request:error', this.onError],
    ];
  }

  onCreate({ request }: { request: UndiciRequest }): void {
    if (request.method === 'CONNECT') return;
    const parent = context.active();
    if (isTracingSuppressed(parent)) return;
    const origin = originOf(request.origin);
    if (!origin) return;
    const plain = splitPlainTarget(request.path);
    let pathname: string;
    let search: string;
    let full: string;
    if (plain) {
      pathname = plain.pathname;
      search = plain.search ? `?${plain.search}` : '';
      full = origin.serialized + request.path;
    } else {
      let url: URL;
      try {
        url = new URL(request.path, request.origin);
      } catch {
        return;
      }
      pathname = url.pathname;
      search = url.search;
      full = url.toString();
    }
    const method = normalizeMethod(request.method);
    const attributes: Attributes = {
      'http.request.method': method,
      'http.request.method_original': request.method,
      'url.full': full,
      'url.path': pathname,
      'url.query': search,
      'url.scheme': origin.scheme,
      'server.address': origin.hostname,
    };
    if (origin.port !== undefined) attributes['server.port'] = origin.port;
    const userAgent = userAgentOf(request.headers);
    if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
    const span = this.tracer.startSpan(
      method === '_OTHER' ? 'HTTP' : method,
      { kind: SpanKind.CLIENT, attributes },
      parent,
    );
    propagation.inject(trace.setSpan(parent, span), request, HEADER_SETTER);
    request[kCall] = new UndiciCall(span, attributes, performance.now());
  }

  onSendHeaders({ request, socket }: { request: UndiciRequest; socket: UndiciSocket }): void {
    const call = request[kCall] as UndiciCall | undefined;
    if (!call) return;
    const version = socket.alpnProtocol === 'h2' ? '2' : '1.1';
    call.span.setAttribute('network.peer.address', socket.remoteAddress as string);
    call.span.setAttribute('network.peer.port', socket.remotePort as number);
    call.span.setAttribute('network.protocol.version', version);
    call.attributes['network.peer.address'] = socket.remoteAddress;
    call.attributes['network.peer.port'] = socket.remotePort;
    call.attributes['network.protocol.version'] = version;
  }

  onHeaders({ request, response }: { request: UndiciRequest; response: { statusCode: number } }): void {
    const call = request[kCall] as UndiciCall | undefined;
    if (!call) return;
    const statusCode = response.statusCode;
    const isError = statusCode >= 400;
    call.span.setAttribute('http.response.status_code', statusCode);
    call.attributes['http.response.status_code'] = statusCode;
    if (isError) {
      call.span.setAttribute('error.type', String(statusCode));
      call.attributes['error.type'] = String(statusCode);
    }
    if (isError) call.span.setStatus(ERROR_STATUS);
  }

  onDone({ request }: { request: UndiciRequest }): void {
    const call = request[kCall] as UndiciCall | undefined;
    if (!call) return;
    request[kCall] = undefined;
    call.span.end();
    this.#record(call);
  }

  onError({ request, error }: { request: UndiciRequest; error: Error & { code?: string } }): void {
    const call = request[kCall] as UndiciCall | undefined;
    if (!call) return;
    request[kCall] = undefined;
    const aborted =
      error.name === 'AbortError' ||
      (typeof DOMException !== 'undefined' &&
        error instanceof DOMException &&
        error.code === DOMException.ABORT_ERR);
    if (!aborted) {
      const errorType = error.code || error.name || 'Error';
      call.attributes['error.type'] = errorType;
      call.span.setAttribute('error.type', errorType);
      call.span.recordException(error);
      call.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    call.span.end();
    this.#record(call);
  }

  #record(call: UndiciCall): void {
    const metric: Attributes = {};
    for (const key of DURATION_KEYS) if (key in call.attributes) metric[key] = call.attributes[key];
    this.#duration.record((performance.now() - call.startedAt) / 1000, metric);
  }
}

/** The last `user-agent` value among the request's headers (array of pairs, or raw header text). */
function userAgentOf(headers: UndiciRequest['headers']): string | undefined {
  let found: string | undefined;
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const key = headers[i];
      if (typeof key === 'string' && key.length === 10 && key.toLowerCase() === 'user-agent')
        found = headers[i + 1] as string;
    }
  } else if (typeof headers === 'string' && /user-agent/i.test(headers)) {
    for (const line of headers.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon === 10 && line.slice(0, 10).toLowerCase() === 'user-agent') found = line.slice(11).trim();
    }
  }
  return found;
}
