// Postgres and Redis wrappers for orders that make "the database is down" an ordinary state: the
// service starts anyway, says ONCE what it cannot reach and how to fix it, answers 503 on the routes
// that need the store, and notices by itself when the store is back.
import service from './service.cjs';

const { HttpError, redactUrl } = service;

/** Errors meaning "cannot talk to the server" (network, server shutting down, wrong db/credentials). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '3D000', // database does not exist
  '28000', // invalid authorization
  '28P01', // wrong password
  '53300', // too many connections
]);

function isUnavailable(err) {
  if (!err) return false;
  if (UNAVAILABLE_CODES.has(err.code)) return true;
  if (err.errors?.some?.((e) => UNAVAILABLE_CODES.has(e?.code))) return true;
  return /timeout exceeded when trying to connect|Connection terminated|Connection is closed|Stream isn't writeable|ECONNREFUSED/i.test(
    String(err.message),
  );
}

/** Short reason for the log line: the OS error code when there is one, else the server's message. */
function reasonOf(err) {
  const code = err?.code ?? err?.errors?.find?.((e) => e?.code)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return String(err?.message || err).slice(0, 200);
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS demo_orders (
  id bigserial PRIMARY KEY,
  sku text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  amount_cents integer NOT NULL CHECK (amount_cents >= 0),
  status text NOT NULL DEFAULT 'pending',
  payment_id text,
  created_at timestamptz NOT NULL DEFAULT now()
)`;

/**
 * A pg Pool plus readiness: `start()` creates the table, `requireReady()` throws a 503 HttpError
 * while Postgres is unreachable (trying again at most once a second on demand, and every `retryMs`
 * in the background), `query()` turns connection failures into that same 503.
 */
export function createPostgres({ pg, url, logger, needs, retryMs = 5000, name = 'orders' }) {
  const where = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 10_000,
  });
  let ready = false;
  let reportedDown = false;
  let everConnected = false;
  let message = `${name}: connecting to Postgres at ${where}`;
  let attempt;
  let lastAttemptAt = 0;
  let retryTimer;
  let closed = false;

  function markDown(err) {
    ready = false;
    message = `${name}: cannot reach Postgres at ${where} (${reasonOf(err)}) — set DATABASE_URL; ${needs} will answer 503 until it is reachable`;
    if (!reportedDown) {
      reportedDown = true;
      logger.error({ code: err?.code }, message);
    }
    scheduleRetry();
  }

  function markUp() {
    if (ready) return;
    ready = true;
    logger.info(
      `${name}: ${reportedDown || everConnected ? 'Postgres is reachable again at' : 'connected to Postgres at'} ${where}`,
    );
    reportedDown = false;
    everConnected = true;
  }

  // Idle clients error out when Postgres restarts; without a listener that would crash the process.
  pool.on('error', (err) => markDown(err));

  async function connectAndMigrate() {
    try {
      await pool.query(SCHEMA);
    } catch (err) {
      // Two processes creating the table at once race on the catalog; the table exists either way.
      if (err?.code !== '23505' && err?.code !== '42P07') throw err;
    }
    markUp();
  }

  function tryConnect() {
    lastAttemptAt = Date.now();
    attempt ??= connectAndMigrate()
      .catch((err) => markDown(err))
      .finally(() => {
        attempt = undefined;
      });
    return attempt;
  }

  function scheduleRetry() {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!ready && !closed) void tryConnect();
    }, retryMs);
    retryTimer.unref();
  }

  return {
    pool,
    start: () => void tryConnect(),
    state: () => (ready ? 'up' : reportedDown ? 'down' : 'connecting'),
    isReady: () => ready,
    async requireReady() {
      if (!ready && Date.now() - lastAttemptAt >= 1000) await tryConnect();
      else if (!ready && attempt) await attempt;
      if (!ready) throw new HttpError(503, message);
    },
    async query(text, params) {
      try {
        return await pool.query(text, params);
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        markDown(err);
        throw new HttpError(503, message);
      }
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
      await pool.end();
    },
  };
}

/**
 * An ioredis client that fails fast instead of queueing commands while disconnected (so requests get
 * a 503, not a hang), reconnects forever in the background, and logs each outage once.
 */
export function createRedis({ Redis, url, logger, needs, name = 'orders' }) {
  const where = redactUrl(url);
  let reportedDown = false;
  let everReady = false;
  let message = `${name}: connecting to Redis at ${where}`;
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });

  client.on('ready', () => {
    logger.info(
      `${name}: ${reportedDown || everReady ? 'Redis is reachable again at' : 'connected to Redis at'} ${where}`,
    );
    reportedDown = false;
    everReady = true;
  });
  // A dropped connection may come back before any reconnect fails (so no 'error' follows); say it once.
  let closing = false;
  client.on('close', () => {
    if (closing || reportedDown || !everReady) return;
    reportedDown = true;
    message = `${name}: lost the connection to Redis at ${where}, reconnecting — ${needs} will answer 503 until it is back`;
    logger.error(message);
  });
  // ioredis emits an error for every failed reconnect; one line per outage is enough.
  client.on('error', (err) => {
    message = `${name}: cannot reach Redis at ${where} (${reasonOf(err)}) — set REDIS_URL; ${needs} will answer 503 until it is reachable`;
    if (reportedDown) return;
    reportedDown = true;
    logger.error({ code: err?.code }, message);
  });

  const isReady = () => client.status === 'ready';
  async function run(command) {
    if (!isReady()) throw new HttpError(503, message);
    try {
      return await command();
    } catch (err) {
      if (isUnavailable(err)) throw new HttpError(503, message);
      throw err;
    }
  }

  return {
    client,
    state: () => (isReady() ? 'up' : reportedDown ? 'down' : 'connecting'),
    isReady,
    requireReady() {
      if (!isReady()) throw new HttpError(503, message);
    },
    get: (key) => run(() => client.get(key)),
    set: (key, value, ttlSeconds) => run(() => client.set(key, value, 'EX', ttlSeconds)),
    incr: (key) => run(() => client.incr(key)),
    async close() {
      closing = true;
      if (isReady()) {
        try {
          await client.quit();
          return;
        } catch {
          // fall through: drop the connection
        }
      }
      client.disconnect();
    },
  };
}
