// Converts the provisioned Grafana alert rules into a Prometheus rule file (A compared by C's
// threshold, same `for`, same labels) so a real Prometheus engine (`promtool test rules`) evaluates them.
import type { AlertRuleView } from './provisioning-model.ts';

const OPERATORS: Record<string, string> = { gt: '>', lt: '<' };

export function toPrometheusRuleGroup(rules: AlertRuleView[]) {
  return {
    groups: [
      {
        name: 'lgtm-apm',
        interval: '1m',
        rules: rules.map((r) => {
          const op = OPERATORS[r.threshold.type];
          if (!op)
            throw new Error(`${r.uid}: threshold type ${r.threshold.type} has no PromQL equivalent here`);
          return {
            alert: r.uid,
            // Grafana reduces the instant vector with `last` (one value per series) and then compares.
            expr: `(${r.expr}) ${op} ${r.threshold.value}`,
            for: r.for,
            labels: r.labels,
          };
        }),
      },
    ],
  };
}
