import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { type PromRegistryLike } from './prom-client-producer.ts';

/**
 * The app's own prom-client is a different module instance from the copy bundled in the kit, so its
 * default `register` is only reachable when the app loads it: this hook (require-in-the-middle for CJS,
 * import-in-the-middle for ESM) hands that registry to the bridge and changes nothing else.
 */
export class AppPromClientHook extends InstrumentationBase {
  readonly #onRegistry: (registry: PromRegistryLike) => void;

  constructor(onRegistry: (registry: PromRegistryLike) => void) {
    super('@lgtm-apm/instrumentation/prom-client-hook', '0.1.0', { enabled: true });
    this.#onRegistry = onRegistry;
  }

  protected init() {
    return [
      new InstrumentationNodeModuleDefinition('prom-client', ['>=13 <17'], (moduleExports: unknown) => {
        const exports = moduleExports as {
          register?: PromRegistryLike;
          default?: { register?: PromRegistryLike };
        };
        const register = exports.register ?? exports.default?.register;
        if (register && typeof register.getMetricsAsJSON === 'function') this.#onRegistry(register);
        return moduleExports;
      }),
    ];
  }
}
