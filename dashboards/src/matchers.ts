/**
 * Matchers for template variables whose values come from telemetry: service names and instance ids are
 * chosen by whoever can push OTLP, so a value may contain `"`, `\` or regex metacharacters.
 *
 * Grafana has no format that escapes for a PromQL/LogQL/TraceQL double-quoted string (`doublequote`
 * leaves `\` alone, and the Prometheus data source's default escaping depends on a feature toggle and
 * passes values that look like `label="…"` through unescaped). So the value goes through the `regex`
 * format (every RE2 metacharacter escaped, several values joined as `(a|b)`, a custom all value such as
 * `.+` as it is) into a backtick raw string, where `"` and `\` are plain characters, matched with `=~`,
 * which Prometheus, Loki and Tempo anchor at both ends. A value containing a backtick cannot be written
 * in a raw string; the query variables leave such values out (`TELEMETRY_VALUE_FILTER`).
 */

/** `label=~\`${variable:regex}\`` (PromQL and LogQL label matcher). */
export function telemetryMatcher(label: string, variable: string): string {
  return `${label}=~\`\${${variable}:regex}\``;
}

/** `attribute =~ \`${variable:regex}\`` (TraceQL field comparison). */
export function traceqlTelemetryMatcher(attribute: string, variable: string): string {
  return `${attribute} =~ \`\${${variable}:regex}\``;
}

/** Query-variable regex keeping only values that fit in a backtick raw string. */
export const TELEMETRY_VALUE_FILTER = '/^[^`]*$/';
