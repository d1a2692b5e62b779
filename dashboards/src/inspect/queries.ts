/**
 * Finds every query in a dashboard JSON with its language, so tests (and other suites) can parse and
 * evaluate them: panel targets by data source type, and `label_values(...)` variable queries.
 */
import { type DashboardJson, type PanelJson, flattenPanels } from '../catalog.ts';

export type QueryLanguage = 'promql' | 'logql' | 'traceql';

export interface PanelQuery {
  dashboardUid: string;
  panelId: number;
  panelTitle: string;
  refId: string;
  language: QueryLanguage;
  expr: string;
  instant: boolean;
  /** Data source reference as written (a `${variable}` in the kit's dashboards). */
  datasourceUid: string;
}

export interface VariableQuery {
  dashboardUid: string;
  name: string;
  language: 'promql' | 'logql';
  /** Series selector inside label_values(selector, label), if any. */
  selector?: string;
  label: string;
  raw: string;
}

const LANGUAGE_BY_TYPE: Record<string, QueryLanguage> = {
  prometheus: 'promql',
  loki: 'logql',
  tempo: 'traceql',
};

/** Panel queries in panel order; throws on a target whose data source type is unknown. */
export function collectPanelQueries(dashboard: DashboardJson): PanelQuery[] {
  const queries: PanelQuery[] = [];
  for (const panel of flattenPanels(dashboard.panels)) {
    for (const target of panel.targets ?? []) {
      const datasource = (target.datasource as PanelJson['datasource']) ?? panel.datasource;
      const language = LANGUAGE_BY_TYPE[datasource?.type ?? ''];
      if (!language) {
        throw new Error(
          `${dashboard.uid} panel "${panel.title}" target ${String(target.refId)}: unknown data source type ${datasource?.type}`,
        );
      }
      const expr = language === 'traceql' ? target.query : target.expr;
      if (typeof expr !== 'string' || !expr.trim()) {
        throw new Error(
          `${dashboard.uid} panel "${panel.title}" target ${String(target.refId)} has no query text`,
        );
      }
      queries.push({
        dashboardUid: dashboard.uid,
        panelId: panel.id ?? 0,
        panelTitle: panel.title ?? '',
        refId: String(target.refId ?? ''),
        language,
        expr,
        instant: target.instant === true,
        datasourceUid: datasource?.uid ?? '',
      });
    }
  }
  return queries;
}

const LABEL_VALUES = /^\s*label_values\(\s*(?:(.*?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/;

/** `label_values(...)` query variables; other variable queries are reported as errors. */
export function collectVariableQueries(dashboard: DashboardJson): VariableQuery[] {
  const result: VariableQuery[] = [];
  for (const variable of dashboard.templating.list) {
    if (variable.type !== 'query') continue;
    const datasource = variable.datasource as { type?: string } | undefined;
    const language = LANGUAGE_BY_TYPE[datasource?.type ?? ''];
    const raw =
      typeof variable.query === 'string'
        ? variable.query
        : String((variable.query as { query?: string })?.query ?? '');
    const match = LABEL_VALUES.exec(raw);
    if ((language !== 'promql' && language !== 'logql') || !match) {
      throw new Error(
        `${dashboard.uid} variable ${String(variable.name)}: unsupported query "${raw}" (${datasource?.type})`,
      );
    }
    result.push({
      dashboardUid: dashboard.uid,
      name: String(variable.name),
      language,
      selector: match[1] || undefined,
      label: match[2]!,
      raw,
    });
  }
  return result;
}

/** Names of all template variables the dashboard defines. */
export function dashboardVariableNames(dashboard: DashboardJson): string[] {
  return dashboard.templating.list.map((variable) => String(variable.name));
}
