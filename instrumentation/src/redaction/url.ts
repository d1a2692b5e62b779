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

function looksLikeBareQuery(value: string): boolean {
  return !value.includes('/') && value.includes('=');
}

function redactQuery(query: string, sensitiveParams: ReadonlySet<string>): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      let name = pair.slice(0, eq);
      try {
        name = decodeURIComponent(name);
      } catch {
        // keep the raw name; a malformed escape is not a reason to leak the value
      }
      return isSensitiveParam(name, sensitiveParams) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
}

export function isSensitiveParam(name: string, sensitiveParams: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  if (sensitiveParams.has(lower)) return true;
  // Catch the common suffixed variants (auth_token, x-api-key, client_secret_v2) without listing them all.
  return /(token|secret|passw(or)?d|api[-_]?key|signature|credential)/.test(lower);
}
