import { locationService } from '@grafana/runtime';
import { type UrlAdapter } from './selectionStore';

/**
 * URL adapter over Grafana's locationService, so writing `var-service` moves the dashboard variable and
 * Grafana's router (not just window.history) sees the change.
 */
export function grafanaUrlAdapter(): UrlAdapter {
  return {
    get(param) {
      const value = locationService.getSearchObject()[param];
      if (value === undefined || value === null) {
        return undefined;
      }
      return Array.isArray(value) ? String(value[0]) : String(value);
    },
    has(param) {
      return param in locationService.getSearchObject();
    },
    set(param, value) {
      locationService.partial({ [param]: value === undefined ? null : value }, true);
    },
    listen(onChange) {
      return locationService.getHistory().listen(() => onChange());
    },
  };
}
