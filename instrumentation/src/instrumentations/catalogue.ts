import { type Instrumentation } from '@opentelemetry/instrumentation';
import type * as ServerHooksModule from './http-hooks/server.ts';
import type * as ClientHooksModule from './http-hooks/client.ts';
import type * as UndiciHooksModule from './http-hooks/undici.ts';
import { DEFAULT_EXPRESS_LAYERS, ignoredExpressLayerTypes, type ExpressLayers } from './express-layers.ts';

/**
 * The curated instrumentations. Each entry is loaded only when one of its target packages is installed
 * for the app (builtins always are), because loading every instrumentation up front is what makes the
 * stock preload cost ~0.5 s of start-up (see ../../README.md, "Start-up").
 *
 * `require` calls stay inside the factories on purpose: the bundler keeps them lazy.
 */
export interface InstrumentationContext {
  ignorePaths: readonly string[];
  /** `own`: the kit's diagnostics_channel hooks (./http-hooks) for http/https/fetch; `upstream`: OTel's. */
  httpHooks?: 'own' | 'upstream';
  /** Which express layers get a span (LGTM_APM_EXPRESS_LAYERS); DEFAULT_EXPRESS_LAYERS when not given. */
  expressLayers?: ExpressLayers;
}

export interface CatalogueEntry {
  /** Name used in OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS. */
  name: string;
  /** npm packages (or builtins, prefixed `node:`) whose presence makes the entry worth loading. */
  targets: readonly string[];
  create(context: InstrumentationContext): Instrumentation | Instrumentation[];
}

function isIgnoredPath(url: string | undefined, ignorePaths: readonly string[]): boolean {
  if (!url) return false;
  const path = url.split('?', 1)[0]!;
  return ignorePaths.includes(path);
}

export const CATALOGUE = [
  {
    name: 'http',
    targets: ['node:http', 'node:https'],
    create: ({ ignorePaths, httpHooks }) => {
      if (httpHooks !== 'upstream') {
        const { ServerHooks } = require('./http-hooks/server.ts') as typeof ServerHooksModule;
        const { ClientHooks } = require('./http-hooks/client.ts') as typeof ClientHooksModule;
        return [new ServerHooks({ ignorePaths }), new ClientHooks()];
      }
      const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
      return new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: { url?: string }) => isIgnoredPath(request.url, ignorePaths),
      });
    },
  },
  {
    name: 'undici',
    targets: ['node:http'],
    create: ({ httpHooks }) =>
      httpHooks !== 'upstream'
        ? new (require('./http-hooks/undici.ts') as typeof UndiciHooksModule).UndiciHooks()
        : new (require('@opentelemetry/instrumentation-undici').UndiciInstrumentation)(),
  },
  {
    name: 'express',
    targets: ['express'],
    create: ({ expressLayers = DEFAULT_EXPRESS_LAYERS }) =>
      new (require('@opentelemetry/instrumentation-express').ExpressInstrumentation)({
        ignoreLayersType: ignoredExpressLayerTypes(expressLayers),
      }),
  },
  {
    name: 'fastify',
    targets: ['fastify'],
    create: () =>
      new (require('@fastify/otel').FastifyOtelInstrumentation)({ registerOnInitialization: true }),
  },
  {
    name: 'koa',
    targets: ['koa'],
    create: () => new (require('@opentelemetry/instrumentation-koa').KoaInstrumentation)(),
  },
  {
    name: 'hapi',
    targets: ['@hapi/hapi'],
    create: () => new (require('@opentelemetry/instrumentation-hapi').HapiInstrumentation)(),
  },
  {
    name: 'nestjs-core',
    targets: ['@nestjs/core'],
    create: () => new (require('@opentelemetry/instrumentation-nestjs-core').NestInstrumentation)(),
  },
  {
    name: 'pg',
    targets: ['pg'],
    // Bound values stay out of spans (enhancedDatabaseReporting off); the SQL text is sanitised later.
    // Pool check-outs are not calls to the database: no span for them (a quarter fewer spans per query).
    create: () =>
      new (require('@opentelemetry/instrumentation-pg').PgInstrumentation)({
        enhancedDatabaseReporting: false,
        ignoreConnectSpans: true,
      }),
  },
  {
    name: 'mysql2',
    targets: ['mysql2'],
    create: () => new (require('@opentelemetry/instrumentation-mysql2').MySQL2Instrumentation)(),
  },
  {
    name: 'mysql',
    targets: ['mysql'],
    create: () => new (require('@opentelemetry/instrumentation-mysql').MySQLInstrumentation)(),
  },
  {
    name: 'redis',
    targets: ['redis', '@redis/client'],
    create: () => new (require('@opentelemetry/instrumentation-redis').RedisInstrumentation)(),
  },
  {
    name: 'ioredis',
    targets: ['ioredis'],
    create: () => new (require('@opentelemetry/instrumentation-ioredis').IORedisInstrumentation)(),
  },
  {
    name: 'mongodb',
    targets: ['mongodb'],
    create: () =>
      new (require('@opentelemetry/instrumentation-mongodb').MongoDBInstrumentation)({
        enhancedDatabaseReporting: false,
      }),
  },
  {
    name: 'mongoose',
    targets: ['mongoose'],
    create: () => new (require('@opentelemetry/instrumentation-mongoose').MongooseInstrumentation)(),
  },
  {
    name: 'knex',
    targets: ['knex'],
    create: () => new (require('@opentelemetry/instrumentation-knex').KnexInstrumentation)(),
  },
  {
    name: 'amqplib',
    targets: ['amqplib'],
    create: () => new (require('@opentelemetry/instrumentation-amqplib').AmqplibInstrumentation)(),
  },
  {
    name: 'kafkajs',
    targets: ['kafkajs'],
    create: () => new (require('@opentelemetry/instrumentation-kafkajs').KafkaJsInstrumentation)(),
  },
  {
    name: 'graphql',
    targets: ['graphql'],
    create: () =>
      new (require('@opentelemetry/instrumentation-graphql').GraphQLInstrumentation)({
        mergeItems: true,
        ignoreTrivialResolveSpans: true,
      }),
  },
  {
    name: 'grpc',
    targets: ['@grpc/grpc-js'],
    create: () => new (require('@opentelemetry/instrumentation-grpc').GrpcInstrumentation)(),
  },
  {
    name: 'pino',
    targets: ['pino'],
    // The kit's own pino hook (src/logs/pino-hook.ts) writes the trace ids into each line and tees it to
    // Loki: @opentelemetry/instrumentation-pino's per-record mixin cost more than pino itself (README,
    // "Benchmarks: metrics and logs"). The entry stays so that `pino` is a valid name in
    // OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS, which turn that hook on and off,
    // and is listed among the loaded instrumentations when the app has pino.
    create: () => [],
  },
  {
    name: 'fs',
    targets: ['node:fs'],
    create: () =>
      new (require('@opentelemetry/instrumentation-fs').FsInstrumentation)({ requireParentSpan: true }),
  },
  {
    name: 'dns',
    targets: ['node:dns'],
    create: () => new (require('@opentelemetry/instrumentation-dns').DnsInstrumentation)(),
  },
  {
    name: 'net',
    targets: ['node:net'],
    create: () => new (require('@opentelemetry/instrumentation-net').NetInstrumentation)(),
  },
] as const satisfies readonly CatalogueEntry[];

export type InstrumentationName = (typeof CATALOGUE)[number]['name'];
export const INSTRUMENTATION_NAMES: readonly InstrumentationName[] = CATALOGUE.map((e) => e.name);
