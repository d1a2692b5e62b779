/**
 * Grafana-style variable interpolation for checking queries outside Grafana: `$name`, `${name}`,
 * `${name:format}` and `[[name:format]]`, with the `regex` and `raw` formats reproduced from Grafana's
 * sources (see `formatValue`). Unknown variables and formats throw, so a typo in a dashboard query fails
 * the tests instead of reaching users. `$1`-style regex group references (label_replace) are left alone.
 */

/** Values for Grafana's built-in interval/range variables in tests (1 h range, 15 s scrape interval). */
export const TEST_BUILTINS: Readonly<Record<string, string>> = {
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
  __rate_interval: '1m',
  __interval: '1m',
  __interval_ms: '60000',
  __auto: '1m',
};

/**
 * "All" selected on a variable with a custom all value (`allValue`). Grafana inserts that text as it
 * is, whatever the format (scenes `CustomAllValue.formatter`; only text, percentencode and queryparam
 * differ, and the kit's queries use none of them).
 */
export interface AllValue {
  readonly allValue: string;
}

/** One selected value, several (multi-value variable), or "All" with a custom all value. */
export type VariableValue = string | readonly string[] | AllValue;

export function allValue(value: string): AllValue {
  return { allValue: value };
}

export class UnknownVariableError extends Error {
  readonly variables: string[];
  constructor(variables: string[], text: string) {
    super(`unknown variable(s) ${variables.map((v) => `$${v}`).join(', ')} in: ${text}`);
    this.variables = variables;
  }
}

/**
 * `escapeRegex` of @grafana/data (packages/grafana-data/src/text/string.ts), which the `regex` format
 * applies to each value. The dashboards test compares it with the shipped @grafana/data build.
 */
export function escapeRegex(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

/**
 * The formats of grafana/scenes `formatRegistry` (packages/scenes/src/variables/interpolation/
 * formatRegistry.ts, v8.16) that the kit's dashboards use.
 */
const FORMATS: Readonly<Record<string, (value: string | readonly string[]) => string>> = {
  raw: (value) => String(value),
  // One value: escaped; several: escaped and joined into one alternation group.
  regex: (value) => {
    if (typeof value === 'string') return escapeRegex(value);
    if (value.length === 1) return escapeRegex(value[0]!);
    return `(${value.map(escapeRegex).join('|')})`;
  },
};

function formatValue(name: string, value: VariableValue, format: string | undefined): string {
  if (typeof value === 'object' && 'allValue' in value) return value.allValue;
  if (format === undefined) {
    // Without a format Grafana hands the value to the data source's own formatter, which differs
    // between data sources and versions; the kit only leaves single fixed values unformatted.
    if (typeof value !== 'string') {
      throw new Error(`$${name}: several values need an explicit format such as \${${name}:regex}`);
    }
    return value;
  }
  const formatter = FORMATS[format];
  if (!formatter) throw new Error(`$${name}: format "${format}" is not reproduced by interpolate()`);
  return formatter(value as string | readonly string[]);
}

// Grafana's VARIABLE_REGEX forms: $name, [[name:format]], ${name:format}.
const VARIABLE = /\$\{(\w+)(?::([^}]*))?\}|\[\[(\w+)(?::(\w+))?\]\]|\$(\w+)/g;

export function interpolate(text: string, values: Readonly<Record<string, VariableValue>>): string {
  const unknown = new Set<string>();
  const result = text.replace(
    VARIABLE,
    (
      match,
      braced?: string,
      bracedFormat?: string,
      bracketed?: string,
      bracketedFormat?: string,
      plain?: string,
    ) => {
      const name = braced ?? bracketed ?? plain ?? '';
      if (/^\d+$/.test(name)) return match;
      const value = values[name] ?? TEST_BUILTINS[name];
      if (value === undefined) {
        unknown.add(name);
        return match;
      }
      return formatValue(name, value, bracedFormat ?? bracketedFormat);
    },
  );
  if (unknown.size) throw new UnknownVariableError([...unknown], text);
  return result;
}

/** Names of the variables a text references (without built-ins and `$1` group references). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(VARIABLE)) {
    const name = m[1] ?? m[3] ?? m[5] ?? '';
    if (!/^\d+$/.test(name) && !(name in TEST_BUILTINS)) names.add(name);
  }
  return [...names];
}
