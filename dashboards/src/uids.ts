/** Dashboard uids fixed by contracts.md; file names in generated/ follow them. */
export const DASHBOARD_UIDS = {
  overview: 'lgtm-apm-overview',
  service: 'lgtm-apm-service',
  nodejs: 'lgtm-apm-nodejs',
  logs: 'lgtm-apm-logs',
} as const;
