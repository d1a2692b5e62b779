/**
 * Key-name redaction for exported log records. pino's own `redact` option (if the app sets one) has
 * already run on the serialized line; this adds the kit's defaults on the way to Loki only, so stdout
 * stays byte-for-byte what the app wrote.
 *
 * Copy-on-write: objects are copied only along a path that contains a redacted key, because record
 * attributes can be the caller's own objects.
 */
export const REDACTED = '[Redacted]';

const MAX_DEPTH = 8;

export function redactValue<T>(value: T, keys: ReadonlySet<string>, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Uint8Array || value instanceof Date) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = redactValue(value[i], keys, depth + 1);
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
    const next = keys.has(key.toLowerCase()) ? REDACTED : redactValue(current, keys, depth + 1);
    if (next !== current) {
      copy ??= { ...source };
      copy[key] = next;
    }
  }
  return (copy ?? value) as T;
}
