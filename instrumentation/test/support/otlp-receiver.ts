import { createServer, type IncomingMessage, type Server } from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { OTLP, toPlain, type ProtoMessageType, type Signal } from './otlp-protos.ts';
import { flattenSpans, type FlatSpan } from './spans.ts';

export interface ReceivedRequest {
  signal: Signal;
  transport: 'grpc' | 'http/protobuf' | 'http/json';
  body: Record<string, unknown>;
  /** The request message as it arrived (HTTP: the body after any gzip; gRPC: the message bytes). */
  raw: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A real OTLP receiver (gRPC and HTTP) for tests: what it stores is what Tempo, Mimir or Loki would be
 * handed. It can be stopped and restarted on the same ports to play an outage.
 */
export class OtlpReceiver {
  readonly requests: ReceivedRequest[] = [];
  grpcPort = 0;
  httpPort = 0;
  #grpc: grpc.Server | undefined;
  #http: Server | undefined;
  #waiters: Array<() => void> = [];
  /** Answer HTTP with this status instead of 200 (e.g. 503 to play an overloaded backend). */
  httpStatus = 200;

  get grpcEndpoint(): string {
    return `http://127.0.0.1:${this.grpcPort}`;
  }

  get httpEndpoint(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async start(): Promise<this> {
    await Promise.all([this.#startGrpc(), this.#startHttp()]);
    return this;
  }

  async stop(): Promise<void> {
    const g = this.#grpc;
    const h = this.#http;
    this.#grpc = undefined;
    this.#http = undefined;
    if (g) g.forceShutdown();
    if (h) {
      h.closeAllConnections();
      await new Promise<void>((resolve) => h.close(() => resolve()));
    }
  }

  spans(): FlatSpan[] {
    return this.requests.filter((r) => r.signal === 'traces').flatMap((r) => flattenSpans(r.body));
  }

  /** Resolves once `predicate` holds for what has arrived; rejects with what did arrive on timeout. */
  async waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 15_000, what = 'telemetry'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) {
        const names = this.spans().map((s) => `${s.service}:${s.kindName}:${s.name}`);
        throw new Error(`timed out waiting for ${what}; received ${names.length} spans: ${names.slice(0, 40).join(', ')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  #record(request: ReceivedRequest): void {
    this.requests.push(request);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async #startGrpc(): Promise<void> {
    const server = new grpc.Server();
    for (const signal of Object.keys(OTLP) as Signal[]) {
      const spec = OTLP[signal];
      const definition: grpc.ServiceDefinition = {
        Export: {
          path: spec.grpcPath,
          requestStream: false,
          responseStream: false,
          requestSerialize: (value: unknown) => Buffer.from(spec.request.encode(value).finish()),
          // The bytes are kept beside the decoded message (for byte-for-byte comparisons).
          requestDeserialize: (buffer: Buffer) => ({ raw: buffer, message: spec.request.decode(buffer) }),
          responseSerialize: (value: unknown) => Buffer.from(spec.response.encode(value).finish()),
          responseDeserialize: (buffer: Buffer) => spec.response.decode(buffer),
          originalName: 'export',
        },
      };
      server.addService(definition, {
        Export: (
          call: grpc.ServerUnaryCall<{ raw: Buffer; message: unknown }, unknown>,
          callback: grpc.sendUnaryData<unknown>,
        ) => {
          this.#record({
            signal,
            transport: 'grpc',
            body: toPlain(spec.request, call.request.message),
            raw: call.request.raw,
            headers: call.metadata.getMap() as Record<string, string>,
          });
          callback(null, spec.response.fromObject({}));
        },
      });
    }
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.grpcPort}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    this.grpcPort = port;
    this.#grpc = server;
  }

  async #startHttp(): Promise<void> {
    const server = createServer((req, res) => {
      void this.#handleHttp(req).then(
        (status) => {
          res.writeHead(status, { 'content-type': 'application/x-protobuf' });
          res.end();
        },
        () => {
          res.writeHead(400);
          res.end();
        },
      );
    });
    server.listen(this.httpPort, '127.0.0.1');
    await once(server, 'listening');
    this.httpPort = (server.address() as AddressInfo).port;
    this.#http = server;
  }

  async #handleHttp(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (this.httpStatus !== 200) return this.httpStatus;
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = (await import('node:zlib')).gunzipSync(body);
    const path = req.url ?? '';
    const signal: Signal | undefined = path.endsWith('/v1/traces')
      ? 'traces'
      : path.endsWith('/v1/metrics')
        ? 'metrics'
        : path.endsWith('/v1/logs')
          ? 'logs'
          : undefined;
    if (!signal) return 404;
    const type: ProtoMessageType = OTLP[signal].request;
    const json = String(req.headers['content-type'] ?? '').includes('json');
    const message = json ? type.fromObject(otlpJsonToProtoObject(JSON.parse(body.toString('utf8')))) : type.decode(body);
    this.#record({
      signal,
      transport: json ? 'http/json' : 'http/protobuf',
      body: toPlain(type, message),
      raw: body,
      headers: req.headers,
    });
    return 200;
  }
}

/** OTLP/JSON encodes trace and span ids as hex; protobufjs' fromObject expects base64 for bytes. */
function otlpJsonToProtoObject(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && /^(traceId|spanId|parentSpanId)$/.test(key)) {
    return Buffer.from(value, 'hex').toString('base64');
  }
  if (Array.isArray(value)) return value.map((v) => otlpJsonToProtoObject(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = otlpJsonToProtoObject(v, k);
    return out;
  }
  return value;
}
