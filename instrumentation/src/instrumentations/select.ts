import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Instrumentation } from '@opentelemetry/instrumentation';
import { CATALOGUE, type CatalogueEntry, type InstrumentationContext, type InstrumentationName } from './catalogue.ts';
import { type Warner } from '../diagnostics/warner.ts';

/** Where the app's own dependencies resolve from: its main script's folder, then the working directory. */
export function appResolveRoots(argv1 = process.argv[1], cwd = process.cwd()): string[] {
  const roots = argv1 ? [dirname(argv1)] : [];
  roots.push(cwd);
  return roots;
}

export function isInstalled(target: string, roots: readonly string[]): boolean {
  if (target.startsWith('node:')) return true;
  for (const root of roots) {
    const req = createRequire(join(root, 'noop.js'));
    try {
      req.resolve(`${target}/package.json`);
      return true;
    } catch (error) {
      // An exports map that hides package.json still proves the package is there.
      if ((error as NodeJS.ErrnoException).code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return true;
    }
  }
  return false;
}

export interface SelectedInstrumentations {
  instrumentations: Instrumentation[];
  loaded: string[];
  /** Package names the ESM hook must intercept. */
  moduleNames: string[];
}

export function selectInstrumentations(
  enabled: readonly InstrumentationName[],
  context: InstrumentationContext,
  warner: Warner,
  roots: readonly string[] = appResolveRoots(),
): SelectedInstrumentations {
  const instrumentations: Instrumentation[] = [];
  const loaded: string[] = [];
  const moduleNames = new Set<string>();
  for (const entry of CATALOGUE as readonly CatalogueEntry[]) {
    if (!enabled.includes(entry.name as InstrumentationName)) continue;
    if (!entry.targets.some((t) => isInstalled(t, roots))) continue;
    try {
      const created = entry.create(context);
      const list = Array.isArray(created) ? created : [created];
      instrumentations.push(...list);
      loaded.push(entry.name);
      for (const target of entry.targets) {
        moduleNames.add(target.replace(/^node:/, ''));
        if (target.startsWith('node:')) moduleNames.add(target);
      }
    } catch (error) {
      warner.warn(`instrumentation-${entry.name}`, `could not load the ${entry.name} instrumentation: ${(error as Error).message}`);
    }
  }
  return { instrumentations, loaded, moduleNames: [...moduleNames] };
}
