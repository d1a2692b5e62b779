// The native stack's port plan: compose's published ports (so apps, dashboards and docs see the same
// numbers), plus the ports containers keep private, made unique because here all backends share one host.
import { createServer } from 'node:net';

export type StackService = 'tempo' | 'loki' | 'mimir' | 'prometheus' | 'grafana';

export interface PortSpec {
  service: StackService;
  /** The port inside compose's container (what the config files say). */
  containerPort: number;
  /** The port on 127.0.0.1 with no offset. */
  hostPort: number;
  purpose: string;
}

// Tempo, Loki and Mimir all default to gRPC 9095 and memberlist 7946 inside their own containers.
export const PORT_PLAN: readonly PortSpec[] = [
  { service: 'tempo', containerPort: 3200, hostPort: 3200, purpose: 'Tempo HTTP API (search, trace by id)' },
  { service: 'tempo', containerPort: 4317, hostPort: 4317, purpose: 'Tempo OTLP gRPC receiver (traces)' },
  { service: 'tempo', containerPort: 4318, hostPort: 4318, purpose: 'Tempo OTLP HTTP receiver (traces)' },
  { service: 'tempo', containerPort: 9095, hostPort: 9095, purpose: 'Tempo internal gRPC' },
  { service: 'tempo', containerPort: 7946, hostPort: 7946, purpose: 'Tempo memberlist (ring state)' },
  { service: 'loki', containerPort: 3100, hostPort: 3100, purpose: 'Loki HTTP API and OTLP logs receiver' },
  { service: 'loki', containerPort: 9096, hostPort: 9096, purpose: 'Loki internal gRPC' },
  {
    service: 'mimir',
    containerPort: 9009,
    hostPort: 9009,
    purpose: 'Mimir HTTP API (Prometheus API, OTLP metrics, remote write)',
  },
  { service: 'mimir', containerPort: 9095, hostPort: 9097, purpose: 'Mimir internal gRPC' },
  { service: 'mimir', containerPort: 7946, hostPort: 7947, purpose: 'Mimir memberlist (ring state)' },
  {
    service: 'prometheus',
    containerPort: 9009,
    hostPort: 9009,
    purpose: 'Prometheus HTTP API (query API, OTLP metrics, remote write), standing in for Mimir',
  },
  { service: 'grafana', containerPort: 3000, hostPort: 3000, purpose: 'Grafana UI and HTTP API' },
];

export type PortMap = (service: StackService, containerPort: number) => number;

/** Maps a config file's port to the host port this run uses (offset applied). */
export function portMap(offset = 0): PortMap {
  return (service, containerPort) => {
    const spec = PORT_PLAN.find((p) => p.service === service && p.containerPort === containerPort);
    if (!spec) throw new Error(`no host port planned for ${service}:${containerPort}`);
    return spec.hostPort + offset;
  };
}

export function parsePortOffset(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 50000) {
    throw new Error(`LGTM_APM_STACK_PORT_OFFSET must be an integer from 0 to 50000, got "${raw}"`);
  }
  return n;
}

export class PortInUseError extends Error {
  readonly port: number;
  constructor(port: number, purpose: string, cause: string) {
    super(
      `port ${port} on 127.0.0.1 is already in use (${cause}); the stack needs it for ${purpose}. ` +
        'Stop what listens there (another `npm run stack`, or compose: ' +
        '`docker compose -f compose/compose.yaml down`), or move the whole stack with ' +
        'LGTM_APM_STACK_PORT_OFFSET=10000 (every port + 10000).',
    );
    this.name = 'PortInUseError';
    this.port = port;
  }
}

/** Resolves when 127.0.0.1:port can be bound now; rejects with PortInUseError naming the purpose. */
export function assertPortFree(port: number, purpose: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES'
          ? new PortInUseError(port, purpose, err.code)
          : err,
      );
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve()));
  });
}

/** Checks every port of the given services, in plan order; the first taken one is reported. */
export async function assertPortsFree(services: readonly StackService[], offset = 0): Promise<void> {
  for (const spec of PORT_PLAN) {
    if (services.includes(spec.service)) await assertPortFree(spec.hostPort + offset, spec.purpose);
  }
}
