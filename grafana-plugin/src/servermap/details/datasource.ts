/**
 * Which Prometheus/Mimir data source the details panel queries: the one the panel's own service-graph queries
 * use (so a dashboard pointed at another Mimir stays consistent), else the scatter's Mimir option.
 */
import { roleOfExpression } from '../model';

interface TargetLike {
  expr?: unknown;
  datasource?: { uid?: string; type?: string } | null;
}

export function metricsDatasourceUid(targets: readonly unknown[] | undefined, fallback: string): string {
  const list = (targets ?? []) as TargetLike[];
  const withUid = (t: TargetLike) =>
    typeof t.datasource?.uid === 'string' && t.datasource.uid !== '' && t.datasource.type !== 'tempo';
  // The calls query first: it is the one every map has; then any other query naming a service-graph metric.
  const calls = list.find((t) => withUid(t) && typeof t.expr === 'string' && roleOfExpression(t.expr) === 'calls');
  const any = list.find((t) => withUid(t) && typeof t.expr === 'string' && roleOfExpression(t.expr) !== undefined);
  return (calls ?? any)?.datasource?.uid ?? fallback;
}
