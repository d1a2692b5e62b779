// Reads Grafana provisioning files and pulls out every query string they carry, with its language.
import { join } from 'node:path';
import { loadYaml, provisioningDir } from './files.ts';
import type { Language } from './queries.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const datasourcesFile = join(provisioningDir, 'datasources', 'lgtm-apm.yaml');
export const dashboardsProviderFile = join(provisioningDir, 'dashboards', 'lgtm-apm.yaml');
export const rulesFile = join(provisioningDir, 'alerting', 'rules.yaml');
export const contactPointsFile = join(provisioningDir, 'alerting', 'contact-points.yaml');
export const policiesFile = join(provisioningDir, 'alerting', 'policies.yaml');
export const pluginsFile = join(provisioningDir, 'plugins', 'lgtm-apm.yaml');

export function loadDatasources(): Obj[] {
  return loadYaml<Obj>(datasourcesFile).datasources as Obj[];
}

export function datasource(uid: string): Obj {
  const ds = loadDatasources().find((d) => d.uid === uid);
  if (!ds) throw new Error(`no data source with uid ${uid}`);
  return ds;
}

export interface AlertRuleView {
  uid: string;
  title: string;
  for: string;
  labels: Record<string, string>;
  expr: string;
  threshold: { type: string; value: number };
}

/** Each Grafana rule as "PromQL A, compared by threshold C" (the shape rules.yaml commits to). */
export function loadAlertRules(): AlertRuleView[] {
  const file = loadYaml<Obj>(rulesFile);
  const out: AlertRuleView[] = [];
  for (const group of file.groups as Obj[]) {
    for (const rule of group.rules as Obj[]) {
      const byRef = Object.fromEntries((rule.data as Obj[]).map((d) => [d.refId, d]));
      const a = byRef.A;
      const c = byRef[rule.condition];
      if (!a || !c) throw new Error(`${rule.uid}: missing query A or condition ${rule.condition}`);
      const evaluator = c.model.conditions[0].evaluator;
      out.push({
        uid: rule.uid,
        title: rule.title,
        for: rule.for,
        labels: rule.labels ?? {},
        expr: a.model.expr,
        threshold: { type: evaluator.type, value: evaluator.params[0] },
      });
    }
  }
  return out;
}

export interface ProvisionedQuery {
  where: string;
  language: Language;
  query: string;
}

/** Every LogQL/PromQL string in the data sources and the alert rules. */
export function provisionedQueries(): ProvisionedQuery[] {
  const out: ProvisionedQuery[] = [];
  const tempo = datasource('tempo');
  out.push({
    where: 'tempo.tracesToLogsV2.query',
    language: 'logql',
    query: tempo.jsonData.tracesToLogsV2.query,
  });
  for (const q of tempo.jsonData.tracesToMetrics.queries as Obj[]) {
    out.push({ where: `tempo.tracesToMetrics[${q.name}]`, language: 'promql', query: q.query });
  }
  for (const rule of loadAlertRules())
    out.push({ where: `alert ${rule.uid}`, language: 'promql', query: rule.expr });
  return out;
}
