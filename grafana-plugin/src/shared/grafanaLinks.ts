import { config, locationService } from '@grafana/runtime';

/** Where Grafana runs: its sub-path (`/grafana` under a proxy, '' at the root) and the current organisation. */
export interface GrafanaBase {
  appSubUrl: string;
  /** Undefined when Grafana did not tell (links then open in the user's current org). */
  orgId?: number;
}

function positiveInt(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Read when a link is built, not at load: the org in the page's URL (what Grafana itself keeps there) wins over
 * the org the user signed in to.
 */
export function grafanaBase(): GrafanaBase {
  let fromUrl: unknown;
  try {
    fromUrl = locationService.getSearchObject().orgId;
  } catch {
    fromUrl = undefined;
  }
  const orgId = positiveInt(Array.isArray(fromUrl) ? fromUrl[0] : fromUrl) ?? positiveInt(config.bootData?.user?.orgId);
  return { appSubUrl: (config.appSubUrl ?? '').replace(/\/+$/, ''), orgId };
}
