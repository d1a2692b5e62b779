/** Header attributes (http.request.header.*, http.response.header.*) that must never be exported. */
const SECRET_HEADERS = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-auth-token|x-csrf-token|x-xsrf-token)$/;

export function isSecretHeaderAttribute(key: string): boolean {
  if (!key.startsWith('http.re')) return false;
  const match = /^http\.(?:request|response)\.header\.(.+)$/.exec(key);
  if (!match) return false;
  const header = match[1]!.toLowerCase().replace(/_/g, '-');
  return SECRET_HEADERS.test(header);
}
