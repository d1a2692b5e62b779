/** Syntax check with the official Lezer grammars: positions of error nodes (empty = parses cleanly). */
import { type Parser } from '@lezer/common';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { type QueryLanguage } from '../../src/index.ts';

const PARSERS: Record<QueryLanguage, Parser> = {
  promql: promqlParser as unknown as Parser,
  logql: logqlParser as unknown as Parser,
  traceql: traceqlParser as unknown as Parser,
};

export function syntaxErrors(language: QueryLanguage, text: string): number[] {
  const positions: number[] = [];
  PARSERS[language].parse(text).iterate({
    enter(node) {
      if (node.type.isError) positions.push(node.from);
    },
  });
  return positions;
}

/** Shows the query with a caret under the first error, for readable failures. */
export function describeErrors(text: string, positions: number[]): string {
  const at = positions[0] ?? 0;
  return `${text}\n${' '.repeat(at)}^ parse error at ${at}`;
}
