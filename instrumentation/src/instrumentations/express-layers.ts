/**
 * Which express layers get a span of their own (LGTM_APM_EXPRESS_LAYERS). Upstream's express
 * instrumentation opens one INTERNAL span per middleware ("middleware - jsonParser"), per mounted router
 * (a zero-length "router - /api") and per route handler. In a call tree the middleware and router spans are
 * noise, and each one costs a span's CPU and allocations on every request. `http.route` comes out the same
 * whatever is chosen: upstream writes it into the server span's RPC metadata before it decides whether a
 * layer is ignored.
 */
export const EXPRESS_LAYER_CHOICES = ['all', 'handlers', 'none'] as const;
export type ExpressLayers = (typeof EXPRESS_LAYER_CHOICES)[number];
/**
 * The route handler's span only, by default: it is where upstream records the exception a handler throws
 * or passes to next(), which a call tree must show. The middleware and router spans around it carry
 * nothing the server span does not, and cost a span each per request (README, "Express layers").
 */
export const DEFAULT_EXPRESS_LAYERS: ExpressLayers = 'handlers';

/** The upstream `ignoreLayersType` for each choice (its ExpressLayerType values). */
export function ignoredExpressLayerTypes(choice: ExpressLayers): string[] {
  switch (choice) {
    case 'all':
      return [];
    case 'handlers':
      return ['middleware', 'router'];
    case 'none':
      return ['middleware', 'router', 'request_handler'];
  }
}
