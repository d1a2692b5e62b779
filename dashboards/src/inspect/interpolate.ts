/**
 * Grafana-style variable interpolation for checking queries outside Grafana: `$name`, `${name}`,
 * `${name:format}` and `[[name]]`. Unknown variables throw, so a typo in a dashboard query fails the
 * tests instead of reaching users. `$1`-style regex group references (label_replace) are left alone.
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

export class UnknownVariableError extends Error {
  readonly variables: string[];
  constructor(variables: string[], text: string) {
    super(`unknown variable(s) ${variables.map((v) => `$${v}`).join(', ')} in: ${text}`);
    this.variables = variables;
  }
}

const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;

export function interpolate(text: string, values: Readonly<Record<string, string>>): string {
  const unknown = new Set<string>();
  const result = text.replace(VARIABLE, (match, braced?: string, bracketed?: string, plain?: string) => {
    const name = braced ?? bracketed ?? plain ?? '';
    if (/^\d+$/.test(name)) return match;
    const value = values[name] ?? TEST_BUILTINS[name];
    if (value === undefined) {
      unknown.add(name);
      return match;
    }
    return value;
  });
  if (unknown.size) throw new UnknownVariableError([...unknown], text);
  return result;
}

/** Names of the variables a text references (without built-ins and `$1` group references). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(VARIABLE)) {
    const name = m[1] ?? m[2] ?? m[3] ?? '';
    if (!/^\d+$/.test(name) && !(name in TEST_BUILTINS)) names.add(name);
  }
  return [...names];
}
