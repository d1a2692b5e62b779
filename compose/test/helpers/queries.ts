// Parses PromQL, LogQL and TraceQL with the official Lezer grammars and reports error nodes, after
// undoing provisioning's `$$` escaping and replacing Grafana's macros with representative values.
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';

export type Language = 'promql' | 'logql' | 'traceql';

const parsers = { promql: promqlParser, logql: logqlParser, traceql: traceqlParser };

/** Grafana data-link / correlation macros used in provisioning, with a value of the same syntactic kind. */
const GRAFANA_MACROS: Array<[RegExp, string]> = [
  [/\$\{__tags\}|\$__tags/g, 'service_name="checkout"'],
  [/\$\{__trace\.traceId\}/g, '0af7651916cd43dd8448eb211c80319c'],
  [/\$\{__span\.spanId\}/g, 'b7ad6b7169203331'],
  [/\$__rate_interval|\$__interval|\$__range/g, '5m'],
];

/** What Grafana hands the data source: env-interpolation escapes removed, macros expanded. */
export function expandForParsing(provisioned: string): string {
  let q = provisioned.replaceAll('$$', '$');
  for (const [re, value] of GRAFANA_MACROS) q = q.replace(re, value);
  return q;
}

/** Returns the positions of syntax errors ([] = the query parses cleanly). */
export function syntaxErrors(language: Language, query: string): string[] {
  const tree = parsers[language].parse(query);
  const errors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError)
        errors.push(`error at ${node.from}: ${JSON.stringify(query.slice(node.from, node.from + 20))}`);
    },
  });
  if (tree.length !== query.length) errors.push(`parsed ${tree.length} of ${query.length} characters`);
  return errors;
}
