/** URLs for data links; `${…}` placeholders are left for Grafana to interpolate at click time. */
import { TEMPO, dsRef } from './datasources.ts';

/** Restores Grafana placeholders that encodeURIComponent escaped. */
function keepPlaceholders(encoded: string): string {
  return encoded.replace(/%24%7B(.*?)%7D/g, (_, inner: string) => `\${${decodeURIComponent(inner)}}`);
}

/** Explore on the dashboard's Tempo data source showing one trace; `traceIdExpr` e.g. `${__value.raw}`. */
export function exploreTraceUrl(traceIdExpr: string): string {
  const tempo = dsRef(TEMPO);
  const panes = {
    trace: {
      datasource: tempo.uid,
      queries: [{ refId: 'A', datasource: tempo, queryType: 'traceql', query: traceIdExpr }],
      range: { from: '${__from}', to: '${__to}' },
    },
  };
  return `/explore?schemaVersion=1&orgId=1&panes=${keepPlaceholders(encodeURIComponent(JSON.stringify(panes)))}`;
}

/** Another kit dashboard with `var-<name>` set from a field value, keeping data sources and time. */
export function dashboardUrl(uid: string, vars: Record<string, string>, keepVars: string[]): string {
  const params = [
    ...Object.entries(vars).map(([name, value]) => `var-${name}=${value}`),
    ...keepVars.map((name) => `\${${name}:queryparam}`),
    '${__url_time_range}',
  ];
  return `/d/${uid}?${params.join('&')}`;
}
