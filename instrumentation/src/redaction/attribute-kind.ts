import { isSecretHeaderAttribute } from './headers.ts';

/**
 * What redaction does with an attribute, decided by its key alone:
 * - `url`: a URL or a path with its query (userinfo and secret query values removed)
 * - `query`: a bare query string (its values may contain `/`, so only the key says it is a query)
 * - `sql`: a statement text (sanitised, kept raw or dropped per LGTM_APM_DB_STATEMENT)
 * - `secret`: a header that must never leave the process (dropped)
 * - `plain`: nothing to do
 */
export type AttributeKind = 'url' | 'query' | 'sql' | 'secret' | 'plain';

/**
 * Attributes that hold a URL, a path with its query, or a query, in any instrumentation: the HTTP ones
 * (`url.full`, `url.path` — @fastify/otel puts the raw request URL with its query there — `http.target`,
 * `http.url`), and connection strings. Any other key ending in `.url`/`_url`/`.uri` is treated as a URL too.
 */
const KNOWN_KINDS = new Map<string, AttributeKind>([
  ['url.full', 'url'],
  ['url.path', 'url'],
  ['url.original', 'url'],
  ['url.query', 'query'],
  ['http.url', 'url'],
  ['http.target', 'url'],
  ['db.connection_string', 'url'],
  ['db.query.text', 'sql'],
  ['db.statement', 'sql'],
]);

/** The decision made afresh (exported for bench/span-micro.mjs, which weighs remembering it). */
export function classifyAttributeKey(key: string): AttributeKind {
  const known = KNOWN_KINDS.get(key);
  if (known !== undefined) return known;
  if (isSecretHeaderAttribute(key)) return 'secret';
  if (key.endsWith('.url') || key.endsWith('_url') || key.endsWith('.uri')) return 'url';
  return 'plain';
}

/** Instrumentations use a few dozen keys; an app minting keys per request must not grow this without end. */
const MAX_REMEMBERED_KEYS = 2048;
const remembered = new Map<string, AttributeKind>();

/**
 * The kind of `key`, remembered: every span repeats the same keys, and deciding afresh took a map
 * lookup, a set lookup, a regex for each `http.re…` key (`http.request.method`, `http.response.status_code`)
 * and three suffix tests per attribute.
 */
export function attributeKind(key: string): AttributeKind {
  let kind = remembered.get(key);
  if (kind === undefined) {
    kind = classifyAttributeKey(key);
    if (remembered.size < MAX_REMEMBERED_KEYS) remembered.set(key, kind);
  }
  return kind;
}
