import { type NodeKind } from './types';

// Systems whose Tempo virtual node is better drawn as a cache than as a generic database (Pinpoint's CACHE).
const CACHE_SYSTEMS = new Set(['redis', 'memcached', 'valkey', 'keydb', 'dragonfly', 'ioredis', 'hazelcast']);
const DATABASE_SYSTEMS = new Set([
  'postgresql',
  'postgres',
  'pg',
  'mysql',
  'mariadb',
  'mssql',
  'oracle',
  'db2',
  'sqlite',
  'mongodb',
  'cassandra',
  'elasticsearch',
  'opensearch',
  'couchdb',
  'couchbase',
  'dynamodb',
  'cockroachdb',
  'clickhouse',
  'neo4j',
  'h2',
]);
const MESSAGING_SYSTEMS = new Set(['kafka', 'rabbitmq', 'nats', 'activemq', 'pulsar', 'sqs', 'sns', 'kinesis', 'pubsub']);

/** Tempo names an uninstrumented client `user` by default. */
export const USER_NODE_NAME = 'user';

/** The db/messaging system a Tempo node name stands for, when it is a known one. */
export function systemOf(name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const set of [CACHE_SYSTEMS, DATABASE_SYSTEMS, MESSAGING_SYSTEMS]) {
    if (set.has(lower)) {
      return lower;
    }
  }
  return undefined;
}

/** Node kind from how the node is reached: connection_type of inbound edges, and known system names. */
export function kindFor(
  name: string,
  inboundConnectionTypes: Set<string>,
  isClientOnly: boolean,
  instrumented: boolean | undefined,
): NodeKind {
  const system = systemOf(name);
  if (inboundConnectionTypes.has('database')) {
    return system !== undefined && CACHE_SYSTEMS.has(system) ? 'cache' : 'database';
  }
  if (inboundConnectionTypes.has('messaging_system')) {
    return 'messaging';
  }
  if (isClientOnly && name === USER_NODE_NAME) {
    return 'user';
  }
  if ((inboundConnectionTypes.has('virtual_node') && instrumented !== true) || instrumented === false) {
    // Without connection_type (Tempo frames) a known system name still tells a database/cache apart.
    if (system !== undefined) {
      return CACHE_SYSTEMS.has(system) ? 'cache' : MESSAGING_SYSTEMS.has(system) ? 'messaging' : 'database';
    }
    return 'external';
  }
  if (inboundConnectionTypes.size === 0 && system !== undefined && !isClientOnly) {
    return CACHE_SYSTEMS.has(system) ? 'cache' : MESSAGING_SYSTEMS.has(system) ? 'messaging' : 'database';
  }
  return 'service';
}
