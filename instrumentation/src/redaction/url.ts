const REDACTED = 'REDACTED';

/**
 * Removes credentials from a URL or query string before it leaves the process: userinfo
 * (`user:pass@`) and the values of query parameters whose names look like secrets.
 * Works on absolute URLs, paths with a query, and bare query strings; never throws.
 */
export function redactUrl(value: string, sensitiveParams: ReadonlySet<string>): string {
  // Most URLs carry neither userinfo nor a query: nothing to scan (this runs for every HTTP span).
  if (!value.includes('@') && !value.includes('?') && !value.includes('=')) return value;
  let out = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i, (_m, scheme: string, userinfo: string) =>
    userinfo ? `${scheme}${REDACTED}:${REDACTED}@` : `${scheme}@`,
  );
  const queryStart = out.indexOf('?');
  if (queryStart === -1 && !looksLikeBareQuery(out)) return out;
  const prefix = queryStart === -1 ? '' : out.slice(0, queryStart + 1);
  const hashIndex = out.indexOf('#', queryStart + 1);
  const query = queryStart === -1 ? out : out.slice(queryStart + 1, hashIndex === -1 ? undefined : hashIndex);
  const hash = hashIndex === -1 ? '' : out.slice(hashIndex);
  out = prefix + redactQuery(query, sensitiveParams) + hash;
  return out;
}

/**
 * A query string without its `?` (`url.query`): its values may contain `/`, so it cannot be told apart
 * from a path by looking at it, and the attribute name is what says it is a query.
 */
export function redactQueryString(value: string, sensitiveParams: ReadonlySet<string>): string {
  if (!value.includes('=')) return value;
  return redactQuery(
    value.startsWith('?') ? value.slice(1) : value,
    sensitiveParams,
    value.startsWith('?') ? '?' : '',
  );
}

function looksLikeBareQuery(value: string): boolean {
  return !value.includes('/') && value.includes('=');
}

function redactQuery(query: string, sensitiveParams: ReadonlySet<string>, prefix = ''): string {
  return (
    prefix +
    query
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq === -1) return pair;
        return isSensitiveParam(decodeName(pair.slice(0, eq)), sensitiveParams)
          ? `${pair.slice(0, eq)}=${REDACTED}`
          : pair;
      })
      .join('&')
  );
}

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // keep the raw name; a malformed escape is not a reason to leak the value
    return name;
  }
}

export function isSensitiveParam(name: string, sensitiveParams: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  if (sensitiveParams.has(lower)) return true;
  // Catch the common suffixed variants (auth_token, x-api-key, client_secret_v2) without listing them all.
  return /(token|secret|passw(or)?d|api[-_]?key|signature|credential|jwt)/.test(lower);
}

// A URL with userinfo anywhere in a text (log values, error messages): scheme://user[:pass]@
const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@'"<>]+@/gi;
// A query parameter anywhere in a text: ?name=value or &name=value, the value up to a delimiter.
const PARAM_IN_TEXT = /([?&;])([^=&\s#?;'"<>]+)=([^&\s#;'"<>]*)/g;

/**
 * Scrubs URLs that appear inside free text (a logged `req.url`, a message quoting a link): userinfo and the
 * values of secret-looking query parameters. Text without `@` or `=` is returned as is, without a scan.
 */
export function redactUrlsInText(text: string, sensitiveParams: ReadonlySet<string>): string {
  if (!text.includes('=') && !text.includes('@')) return text;
  let out = text;
  if (out.includes('@'))
    out = out.replace(USERINFO_IN_TEXT, (_m, scheme: string) => `${scheme}${REDACTED}:${REDACTED}@`);
  if (out.includes('=')) {
    out = out.replace(PARAM_IN_TEXT, (match, sep: string, name: string) =>
      isSensitiveParam(decodeName(name), sensitiveParams) ? `${sep}${name}=${REDACTED}` : match,
    );
  }
  return out;
}
