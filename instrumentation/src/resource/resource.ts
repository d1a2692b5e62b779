import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { type Attributes } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  serviceNameEnvDetector,
  type Resource,
  type ResourceDetector,
} from '@opentelemetry/resources';
import { type DetectorName } from '../config/config.ts';

export interface AppIdentity {
  name?: string;
  version?: string;
}

/** The nearest package.json above the main script that is not this kit's own. */
export function findAppPackage(mainScript: string | undefined, cwd: string): AppIdentity {
  const starts = mainScript ? [dirname(mainScript), cwd] : [cwd];
  for (const start of starts) {
    let dir = start;
    for (let depth = 0; depth < 20; depth++) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        try {
          const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
          if (typeof pkg.name === 'string' && pkg.name && pkg.name !== '@lgtm-apm/instrumentation') {
            return { name: pkg.name, version: typeof pkg.version === 'string' ? pkg.version : undefined };
          }
        } catch {
          // An unreadable package.json is not the kit's problem to report; keep walking.
        }
      }
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return {};
}

export interface ResourceOptions {
  detectors: readonly DetectorName[];
  extraDetectors?: ResourceDetector[];
  attributes?: Attributes;
  serviceName?: string;
  mainScript?: string;
  cwd?: string;
  nodeEnv?: string;
  /** Keep `process.command_args` (off by default: flags such as --api-key=… would go out on every signal). */
  commandArgs?: boolean;
  /** OTEL_RESOURCE_ATTRIBUTES as the kit parsed it (bad entries skipped); undefined: the SDK's env detector. */
  envAttributes?: Record<string, string>;
}

/**
 * Priority, lowest first: the kit's fallbacks (package.json name and version, script name, NODE_ENV),
 * detectors, OTEL_RESOURCE_ATTRIBUTES / OTEL_SERVICE_NAME, then attributes passed in code.
 * service.instance.id is always set: Mimir labels and the server map's instance counts rely on it.
 */
export function buildResource(options: ResourceOptions): Resource {
  const app = findAppPackage(options.mainScript, options.cwd ?? process.cwd());
  const scriptName = options.mainScript
    ? basename(options.mainScript, extname(options.mainScript))
    : undefined;
  const fallback: Attributes = {
    'service.name': options.serviceName ?? app.name ?? scriptName ?? 'unknown_service:node',
  };
  if (app.version) fallback['service.version'] = app.version;
  if (options.nodeEnv) fallback['deployment.environment.name'] = options.nodeEnv;

  const detectors: ResourceDetector[] = [serviceInstanceIdDetector];
  for (const name of options.detectors) {
    if (name === 'host') detectors.push(hostDetector);
    else if (name === 'os') detectors.push(osDetector);
    else if (name === 'process')
      detectors.push(options.commandArgs ? processDetector : processDetectorWithoutArgs);
    else if (name === 'container') detectors.push(loadContainerDetector());
  }
  detectors.push(...(options.extraDetectors ?? []));
  // The env detectors come last so OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME win over detectors.
  const envAttributes = options.envAttributes;
  detectors.push(
    envAttributes ? { detect: () => ({ attributes: envAttributes }) } : envDetector,
    serviceNameEnvDetector,
  );

  let resource = defaultResource()
    .merge(resourceFromAttributes(fallback))
    .merge(detectResources({ detectors }));
  if (options.serviceName)
    resource = resource.merge(resourceFromAttributes({ 'service.name': options.serviceName }));
  if (options.attributes) resource = resource.merge(resourceFromAttributes(options.attributes));
  return resource;
}

/**
 * The official process detector minus `process.command_args`: the command line is the one resource
 * attribute that routinely carries secrets (`--password=…`, `--token …`), and it would be sent with every
 * span, metric and log record and become a `target_info` label. `process.command` (the script) stays.
 */
const processDetectorWithoutArgs: ResourceDetector = {
  detect(config) {
    const detected = processDetector.detect(config);
    const attributes = { ...detected.attributes };
    delete attributes['process.command_args'];
    delete attributes['process.command_line'];
    return { ...detected, attributes };
  },
};

function loadContainerDetector(): ResourceDetector {
  return require('@opentelemetry/resource-detector-container').containerDetector as ResourceDetector;
}
