/**
 * Selection shared by the server map and the scatter (and anything else in the panel): which service is
 * focused and which services/edges to highlight. A tiny observable module so the two views stay
 * decoupled: neither imports the other, both import this.
 *
 * The selected service is mirrored in the URL so a reload (or a shared link) restores it: the dashboard
 * variable `var-service` when the URL already has it (so the rest of the dashboard follows), otherwise the
 * panel-local `lgtmapm-service` parameter. URL access goes through a small adapter: the panel installs a
 * Grafana `locationService` adapter on mount (see `grafanaUrlAdapter.ts`); tests and the harness use the
 * default `window.location`/`history` adapter.
 */

import { type TraceLink } from '../traceql';

export interface SelectionHighlight {
  services: string[];
  edges: Array<[string, string]>;
}

export interface Selection {
  service?: string;
  /**
   * A server-map link whose calls the scatter shows instead of a service's transactions. Not mirrored in the
   * URL: a link is picked on the map, and a reload starts from the map again.
   */
  link?: TraceLink;
  highlight?: SelectionHighlight;
}

export type SelectionListener = (selection: Selection) => void;

/** Minimal URL access the store needs; values are raw query-parameter strings. */
export interface UrlAdapter {
  get(param: string): string | undefined;
  has(param: string): boolean;
  /** Sets (or, with `undefined`, removes) a parameter without adding a history entry. */
  set(param: string, value: string | undefined): void;
  /** Optional: called with a callback to run when the URL changes from outside (back/forward, variable picker). */
  listen?(onChange: () => void): () => void;
}

export const DASHBOARD_SERVICE_PARAM = 'var-service';
export const PANEL_SERVICE_PARAM = 'lgtmapm-service';

const windowUrlAdapter: UrlAdapter = {
  get(param) {
    if (typeof window === 'undefined') {
      return undefined;
    }
    return new URLSearchParams(window.location.search).get(param) ?? undefined;
  },
  has(param) {
    return typeof window !== 'undefined' && new URLSearchParams(window.location.search).has(param);
  },
  set(param, value) {
    if (typeof window === 'undefined' || !window.history) {
      return;
    }
    const url = new URL(window.location.href);
    if (value === undefined) {
      url.searchParams.delete(param);
    } else {
      url.searchParams.set(param, value);
    }
    window.history.replaceState(window.history.state, '', url.toString());
  },
  listen(onChange) {
    if (typeof window === 'undefined') {
      return () => {};
    }
    window.addEventListener('popstate', onChange);
    return () => window.removeEventListener('popstate', onChange);
  },
};

let adapter: UrlAdapter = windowUrlAdapter;
let stopListening: (() => void) | undefined;
let current: Selection = {};
let loadedFromUrl = false;
const listeners = new Set<SelectionListener>();

function serviceParam(): string {
  return adapter.has(DASHBOARD_SERVICE_PARAM) ? DASHBOARD_SERVICE_PARAM : PANEL_SERVICE_PARAM;
}

/** Dashboard variables use `$__all` / `All` for "no specific service"; treat those (and empty) as none. */
function readServiceFromUrl(): string | undefined {
  const value = adapter.get(serviceParam());
  if (value === undefined || value === '' || value === '$__all' || value === 'All') {
    return undefined;
  }
  return value;
}

function ensureLoaded(): void {
  if (!loadedFromUrl) {
    loadedFromUrl = true;
    const service = readServiceFromUrl();
    if (service !== undefined) {
      current = { ...current, service };
    }
  }
}

function emit(): void {
  const snapshot = current;
  for (const listener of [...listeners]) {
    try {
      listener(snapshot);
    } catch (err) {
      // One broken subscriber must not stop the others from updating.
      console.error('lgtmapm selection listener failed', err);
    }
  }
}

function onExternalUrlChange(): void {
  const service = readServiceFromUrl();
  if (service !== current.service) {
    // A service chosen elsewhere (variable picker, back/forward) replaces a picked link.
    current = { ...current, service, link: service === undefined ? current.link : undefined };
    emit();
  }
}

/** Current selection (a new object after every change, so it can be compared by reference). */
export function getSelection(): Selection {
  ensureLoaded();
  return current;
}

/** Calls `listener` after every change; returns the unsubscribe function. */
export function subscribe(listener: SelectionListener): () => void {
  ensureLoaded();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Selects a service (or clears the selection with `undefined`) and mirrors it in the URL. */
export function selectService(name: string | undefined): void {
  ensureLoaded();
  const service = name === '' ? undefined : name;
  if (service === current.service && current.link === undefined) {
    return;
  }
  const urlChanges = service !== current.service;
  current = { ...current, service, link: undefined };
  if (urlChanges) {
    adapter.set(serviceParam(), service);
  }
  emit();
}

/** Selects a server-map link (no service then); `undefined` clears it. */
export function selectLink(link: TraceLink | undefined): void {
  ensureLoaded();
  if (link === undefined) {
    if (current.link !== undefined) {
      current = { ...current, link: undefined };
      emit();
    }
    return;
  }
  if (current.link && JSON.stringify(current.link) === JSON.stringify(link) && current.service === undefined) {
    return;
  }
  if (current.service !== undefined) {
    adapter.set(serviceParam(), undefined);
  }
  current = { ...current, service: undefined, link };
  emit();
}

/** Highlights services/edges (e.g. the paths of transactions picked in the scatter); `undefined` clears. */
export function setHighlight(highlight: SelectionHighlight | undefined): void {
  ensureLoaded();
  if (highlight === undefined && current.highlight === undefined) {
    return;
  }
  current = { ...current, highlight };
  emit();
}

/**
 * Installs the URL adapter (the panel passes Grafana's locationService adapter) and re-reads the
 * selected service from it. Returns a function restoring the default adapter.
 */
export function setUrlAdapter(next: UrlAdapter): () => void {
  stopListening?.();
  adapter = next;
  stopListening = next.listen?.(onExternalUrlChange);
  loadedFromUrl = false;
  const before = current.service;
  ensureLoaded();
  const after = readServiceFromUrl();
  if (after !== before) {
    current = { ...current, service: after };
    emit();
  }
  return () => {
    if (adapter === next) {
      stopListening?.();
      stopListening = undefined;
      adapter = windowUrlAdapter;
    }
  };
}

/** Test helper: forget all state and listeners, back to the window adapter. */
export function resetSelectionStoreForTests(): void {
  stopListening?.();
  stopListening = undefined;
  adapter = windowUrlAdapter;
  current = {};
  loadedFromUrl = false;
  listeners.clear();
}
