/**
 * Env parsing that never throws: a bad value yields the default plus one human-readable problem naming
 * the variable, the value and the default used, because the app must always start.
 */
export type Env = Record<string, string | undefined>;

export class EnvReader {
  readonly problems: string[] = [];
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  raw(name: string): string | undefined {
    const value = this.#env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.#problem(name, value, `true or false`, String(fallback));
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.#problem(name, value, `an integer from ${min} to ${max}`, String(fallback));
      return fallback;
    }
    return parsed;
  }

  /**
   * A batch processor's queue and batch sizes (OTEL_BSP_* or OTEL_BLRP_*). A batch larger than the queue is
   * reported here and capped, as the SDK would do with a line of its own (which the kit then drops: one
   * line per problem).
   */
  batchSizes(prefix: 'OTEL_BSP' | 'OTEL_BLRP'): { maxQueueSize: number; maxExportBatchSize: number } {
    const maxQueueSize = this.integer(`${prefix}_MAX_QUEUE_SIZE`, 2048, 1, 1_000_000);
    const maxExportBatchSize = this.integer(`${prefix}_MAX_EXPORT_BATCH_SIZE`, 512, 1, 100_000);
    if (maxExportBatchSize <= maxQueueSize) return { maxQueueSize, maxExportBatchSize };
    this.problems.push(
      `${prefix}_MAX_EXPORT_BATCH_SIZE=${maxExportBatchSize} is larger than ${prefix}_MAX_QUEUE_SIZE=${maxQueueSize}; using ${maxQueueSize}`,
    );
    return { maxQueueSize, maxExportBatchSize: maxQueueSize };
  }

  ratio(name: string, fallback: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
      this.#problem(name, value, 'a number from 0 to 1', String(fallback));
      return fallback;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.#problem(name, value, `one of ${allowed.join(', ')}`, fallback);
    return fallback;
  }

  /**
   * Comma-separated list; unknown entries are reported and skipped, the rest kept. A list of nothing but
   * unknown values keeps the default (saying so): `OTEL_PROPAGATORS=b4` must not switch propagation off.
   * `notes` explain known-but-unsupported values better than "unknown".
   */
  list<T extends string>(
    name: string,
    allowed: readonly T[] | undefined,
    fallback: readonly T[],
    notes: Readonly<Record<string, string>> = {},
  ): T[] {
    const value = this.raw(name);
    if (value === undefined) return [...fallback];
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!allowed) return items as T[];
    const isKnown = (item: string): boolean => (allowed as readonly string[]).includes(item.toLowerCase());
    const known = items.filter(isKnown);
    const unknown = items.filter((item) => !isKnown(item));
    if (unknown.length) {
      const described = unknown.map((u) =>
        notes[u.toLowerCase()] ? `"${u}" (${notes[u.toLowerCase()]})` : `"${u}"`,
      );
      const outcome = known.length ? '' : `; using ${fallback.length ? fallback.join(',') : 'none'}`;
      this.problems.push(
        `${name}: ignoring unknown value${unknown.length > 1 ? 's' : ''} ${described.join(', ')} ` +
          `(known: ${allowed.join(', ')})${outcome}`,
      );
    }
    return known.length || !unknown.length ? (known.map((k) => k.toLowerCase()) as T[]) : [...fallback];
  }

  url(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
      return value;
    } catch {
      this.problems.push(
        `${name}="${redactUrlCredentials(value)}" is not an http(s) URL; using the default endpoint instead`,
      );
      return undefined;
    }
  }

  #problem(name: string, value: string, expected: string, used: string): void {
    this.problems.push(`${name}="${value}" is not valid (expected ${expected}); using ${used}`);
  }
}

export function redactUrlCredentials(value: string): string {
  return value.replace(/(\/\/)[^/@\s:]+(:[^/@\s]*)?@/, '$1REDACTED@');
}
