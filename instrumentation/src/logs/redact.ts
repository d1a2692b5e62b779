/**
 * Secret redaction for exported log records. pino's own `redact` option (if the app sets one) has
 * already run on the serialized line; this adds the kit's defaults on the way to Loki only, so stdout
 * stays byte-for-byte what the app wrote.
 *
 * - Keys are matched the way people write them: `accessToken`, `access-token`, `ACCESS_TOKEN` and
 *   `x-auth-token` are all split into words (camelCase, `-`, `_`, `.`, spaces) and a key is secret when one
 *   of its words is (`password`, `token`, `secret`, `jwt`, …), when two adjacent words are (`api key`,
 *   `private key`, `session id`), or when the whole key, words joined, is one of the configured names.
 * - String values anywhere (and string bodies) have URLs scrubbed: userinfo and token-like query values.
 * - Any depth: past MAX_DEPTH an object is replaced whole rather than passed through unchecked.
 *
 * Copy-on-write: objects are copied only along a path that contains a redacted value, because record
 * attributes can be the caller's own objects.
 */
import { redactUrlsInText } from '../redaction/url.ts';

export const REDACTED = '[Redacted]';

const MAX_DEPTH = 16;

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'jwt',
  'credential',
  'credentials',
  'cookie',
  'authorization',
  'apikey',
  'privatekey',
  'sessionid',
  'signature',
  'csrf',
  'xsrf',
]);
const SECRET_PAIRS = new Set([
  'api key',
  'private key',
  'secret key',
  'access key',
  'session id',
  'session key',
  'auth key',
]);
/** Whole keys that are secrets only on their own (`auth: 'user:pass'`, not `authMethod`). */
const SECRET_WHOLE_KEYS = new Set(['auth', 'pass']);

/** Words of a key: `x-Auth_tokenValue` → x, auth, token, value. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export class SecretKeyMatcher {
  readonly #extra: ReadonlySet<string>;
  #memo = new Map<string, boolean>();

  /** `names`: configured key names (defaults plus LGTM_APM_LOG_REDACT_KEYS), compared with their words joined. */
  constructor(names: readonly string[]) {
    this.#extra = new Set(names.map((n) => keyWords(n).join('')));
  }

  isSecret(key: string): boolean {
    let known = this.#memo.get(key);
    if (known === undefined) {
      known = this.#match(key);
      // Keys repeat; an app that makes up new ones per record must not grow this without bound.
      if (this.#memo.size >= 4096) this.#memo = new Map();
      this.#memo.set(key, known);
    }
    return known;
  }

  #match(key: string): boolean {
    const words = keyWords(key);
    const joined = words.join('');
    if (this.#extra.has(joined) || SECRET_WHOLE_KEYS.has(joined)) return true;
    for (let i = 0; i < words.length; i++) {
      if (SECRET_WORDS.has(words[i]!)) return true;
      if (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${words[i]}`)) return true;
    }
    return false;
  }
}

export interface RedactionRules {
  keys: SecretKeyMatcher;
  /** Query-parameter names whose values are secrets (the span redaction's list). */
  queryParams: ReadonlySet<string>;
}

/**
 * Redacts a record's own attributes object where it is: secret keys get REDACTED, other values are
 * scrubbed by redactValue (copy-on-write below the top level, where the values may be shared).
 */
export function redactAttributesInPlace(attributes: Record<string, unknown>, rules: RedactionRules): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (rules.keys.isSecret(key)) {
      if (value !== REDACTED) attributes[key] = REDACTED;
      continue;
    }
    // Numbers and booleans (most values) need no call.
    if (value !== null && (typeof value === 'string' || typeof value === 'object')) {
      const next = redactValue(value, rules);
      if (next !== value) attributes[key] = next;
    }
  }
}

export function redactValue<T>(value: T, rules: RedactionRules, depth = 0): T {
  if (typeof value === 'string') return redactUrlsInText(value, rules.queryParams) as T;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array || value instanceof Date) return value;
  if (depth >= MAX_DEPTH) return REDACTED as T;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = redactValue(value[i], rules, depth + 1);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return (copy ?? value) as T;
  }
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const current = source[key];
    const next = rules.keys.isSecret(key) ? REDACTED : redactValue(current, rules, depth + 1);
    if (next !== current) {
      copy ??= { ...source };
      copy[key] = next;
    }
  }
  return (copy ?? value) as T;
}
