/**
 * Test values for the dashboards' variables: the same values a user would pick on the demo, so each
 * interpolated query is checked (syntax) and evaluated (Prometheus) the way Grafana would run it.
 */
import { DASHBOARD_UIDS, allValue, type VariableValue } from '../../src/index.ts';

export interface VariableContext {
  name: string;
  values: Record<string, VariableValue>;
}

const DS = { mimir: 'mimir', tempo: 'tempo', loki: 'loki' };

/** `instanceIds` are the generated instances of each service (for the Inspector's instance variable). */
export function contextsFor(uid: string, instanceIds: Record<string, string[]> = {}): VariableContext[] {
  switch (uid) {
    case DASHBOARD_UIDS.overview:
      return [
        { name: 'service=All', values: { ...DS, service: allValue('.+') } },
        { name: 'service=orders', values: { ...DS, service: 'orders' } },
      ];
    case DASHBOARD_UIDS.service:
      return ['gateway', 'orders', 'payments'].map((service) => ({
        name: `service=${service}`,
        values: { ...DS, service, span_kind: 'SPAN_KIND_SERVER' },
      }));
    case DASHBOARD_UIDS.nodejs:
      return ['gateway', 'orders', 'payments'].flatMap((service) => [
        { name: `service=${service} instance=All`, values: { ...DS, service, instance: allValue('.+') } },
        ...(instanceIds[service] ?? ['00000000-0000-4000-8000-000000000000']).slice(0, 1).map((id) => ({
          name: `service=${service} instance=${id}`,
          values: { ...DS, service, instance: [id] },
        })),
      ]);
    case DASHBOARD_UIDS.logs:
      return [
        {
          name: 'all services, all levels',
          values: { ...DS, service: allValue('.+'), level: '.*', search: '' },
        },
        {
          name: 'orders, errors only, search',
          values: { ...DS, service: 'orders', level: '(?i)(critical|fatal|error)', search: 'timeout' },
        },
      ];
    default:
      throw new Error(`no test contexts for dashboard ${uid}`);
  }
}
