'use strict';
// Plumbing every demo service shares: env parsing, request logging, error handling, upstream calls and
// graceful shutdown. CommonJS so both the ESM services and the CommonJS payments service can load it;
// it deliberately loads no logger or framework itself — each service brings its own pino/express, so
// the preload sees them imported the way a real ESM or CJS app imports them.
const { existsSync } = require('node:fs');

/** Hides the password (and any token-looking query values) of a URL before it goes into a log line. */
function redactUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return '(unparsable URL)';
  }
  if (url.password) url.password = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|token|key|auth/i.test(key)) url.searchParams.set(key, '***');
  }
  return url.toString();
}

/**
 * Reads a TCP port from env. A bad value must not crash the demo, but silently using another port
 * would confuse whoever set it, so it says which default it used.
 */
function envPort(name, fallback, logger) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  logger.warn(`${name}=${JSON.stringify(raw)} is not a TCP port (0-65535); using ${fallback}`);
  return fallback;
}

/** Reads an absolute http(s) URL from env, without a trailing slash; falls back with a warning. */
function envHttpUrl(name, fallback, logger) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // fall through to the warning
  }
  logger.warn(`${name}=${JSON.stringify(redactUrl(raw))} is not an http(s) URL; using ${fallback}`);
  return fallback;
}

/** Route template of a finished express request, e.g. `/api/orders/:id`, for low-cardinality logs. */
function routeOf(req) {
  if (req.route && typeof req.route.path === 'string') return `${req.baseUrl || ''}${req.route.path}`;
  return '(unmatched)';
}

/**
 * Express middleware writing one log line per request once the response is done (or the client went
 * away). Health probes are logged at debug level: run-all and orchestrators poll them constantly.
 */
function requestLogger(logger) {
  return function logRequest(req, res, next) {
    const started = process.hrtime.bigint();
    let logged = false;
    const done = (aborted) => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const entry = {
        method: req.method,
        route: routeOf(req),
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
      };
      if (aborted) {
        logger.warn({ ...entry, aborted: true }, `${req.method} ${entry.route} aborted by the client`);
        return;
      }
      const level =
        req.path === '/healthz'
          ? 'debug'
          : res.statusCode >= 500 && res.statusCode !== 503
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'info';
      logger[level](entry, `${req.method} ${entry.route} ${res.statusCode} ${entry.durationMs}ms`);
    };
    res.on('finish', () => done(false));
    res.on('close', () => done(!res.writableFinished));
    next();
  };
}

/** JSON 404 for routes the service does not have. */
function notFound(req, res) {
  res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
}

/**
 * Last express error handler: logs the failure with its stack (that is the "error log on failures")
 * and answers with the error's HTTP status, 500 for unexpected exceptions.
 */
function errorHandler(logger) {
  // Four arguments: express recognises error handlers by arity.
  return function handleError(err, req, res, _next) {
    const status = Number.isInteger(err?.status) && err.status >= 400 && err.status <= 599 ? err.status : 500;
    // A 503 is a known outage the service already reported once (e.g. "cannot reach Postgres"); one
    // stack per request would bury that message.
    if (status >= 500 && status !== 503) {
      logger.error(
        { err, method: req.method, route: routeOf(req), status },
        `${req.method} ${routeOf(req)} failed: ${err?.message}`,
      );
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Body-parser errors carry `expose`; other messages of unexpected errors stay internal.
    const message = status < 500 || err?.expose ? err.message : 'internal error';
    res.status(status).json({ error: message, ...(err?.detail ? { detail: err.detail } : {}) });
  };
}

/** An error carrying the HTTP status the service should answer with. */
class HttpError extends Error {
  constructor(status, message, detail) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.expose = true;
    if (detail !== undefined) this.detail = detail;
  }
}

/**
 * Calls a downstream service with global fetch (undici) and parses its JSON answer. Network failures
 * and timeouts become a 502/504 HttpError naming the upstream, so callers answer like a real gateway.
 */
async function callJson(url, { method = 'GET', body, timeoutMs = 5000, upstream = 'upstream' } = {}) {
  let res;
  try {
    res = await fetch(url, {
      method,
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut = err?.name === 'TimeoutError';
    const cause = err?.cause?.code || err?.cause?.message || err?.message;
    throw new HttpError(
      timedOut ? 504 : 502,
      timedOut ? `${upstream} did not answer within ${timeoutMs} ms` : `${upstream} unreachable (${cause})`,
    );
  }
  const text = await res.text();
  let json;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch {
    json = { error: `${upstream} answered non-JSON: ${text.slice(0, 200)}` };
  }
  return { status: res.status, body: json };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Files container runtimes (Docker, Podman) create in every container. */
const CONTAINER_MARKERS = ['/.dockerenv', '/run/.containerenv'];

/**
 * Where to listen. LISTEN_HOST if set (not HOST: some shells export HOST as the machine's name).
 * Inside a container all interfaces — the sibling services reach us over the container network, and
 * nothing is reachable from outside unless the runtime publishes the port (compose publishes only the
 * gateway, on 127.0.0.1). Elsewhere loopback only. run-all and startDemoTopology always pass
 * LISTEN_HOST=127.0.0.1, so local runs stay on loopback even inside a dev container.
 */
function defaultHost(env = process.env, markers = CONTAINER_MARKERS) {
  if (env.LISTEN_HOST) return env.LISTEN_HOST;
  return markers.some((marker) => existsSync(marker)) ? '0.0.0.0' : '127.0.0.1';
}

/** Starts listening; a taken port is a clear one-line error and exit code 1, not a stack trace. */
function listen(server, port, logger, name) {
  const host = defaultHost();
  return new Promise((resolve) => {
    server.once('error', (err) => {
      logger.error({ err }, `${name}: cannot listen on ${host}:${port} (${err.code || err.message})`);
      process.exitCode = 1;
      // Give pino a tick to write the line, then leave: nothing else would end the process.
      setImmediate(() => process.exit(1));
    });
    server.listen(port, host, () => {
      const address = server.address();
      logger.info({ host, port: address.port }, `${name} listening on http://${host}:${address.port}`);
      resolve(address.port);
    });
  });
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (bounded), run the
 * cleanups (pools, clients, timers) and then let the event loop drain so the process exits 0 by
 * itself. We never call process.exit on the happy path: an instrumentation preload flushing spans on
 * the same signal must get its chance to finish.
 */
function onShutdown({ server, logger, name, cleanups = [], graceMs = 3000, forceAfterMs = 10000 }) {
  let stopping = false;
  const shutdown = async (signal) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name}: ${signal} received, shutting down`);
    // Safety net only: unref'd, so it never keeps the process alive by itself.
    setTimeout(() => {
      logger.error(`${name}: still alive ${forceAfterMs} ms after ${signal}, forcing exit`);
      process.exit(1);
    }, forceAfterMs).unref();
    const closed = new Promise((resolve) => server.close(() => resolve()));
    server.closeIdleConnections?.();
    const grace = setTimeout(() => server.closeAllConnections?.(), graceMs);
    await closed;
    clearTimeout(grace);
    for (const cleanup of cleanups) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn({ err }, `${name}: cleanup failed during shutdown: ${err?.message}`);
      }
    }
    logger.info(`${name}: stopped`);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return shutdown;
}

module.exports = {
  HttpError,
  callJson,
  envHttpUrl,
  envPort,
  errorHandler,
  listen,
  notFound,
  onShutdown,
  defaultHost,
  redactUrl,
  requestLogger,
  routeOf,
  sleep,
};
