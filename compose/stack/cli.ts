#!/usr/bin/env node
// `npm run stack`: the LGTM backends as local processes, without Docker. Ctrl-C or SIGTERM stops them.
// Settings: LGTM_APM_BIN_DIR (binaries; PATH otherwise), LGTM_APM_STACK_DATA (data folder, default
// .stack-data/ in the repo), LGTM_APM_STACK_PORT_OFFSET (add to every port), LGTM_APM_STACK_QUIET=1
// (backend output only to <data>/logs/).
import { startNativeStack, DEFAULT_DATA_DIR, type NativeStack } from './supervisor.ts';
import { parsePortOffset } from './ports.ts';
import { MissingBinariesError } from './binaries.ts';
import { PortInUseError } from './ports.ts';

const quiet = process.env.LGTM_APM_STACK_QUIET === '1';
let stack: NativeStack | undefined;
let stopping: Promise<void> | undefined;

function shutdown(reason: string, code: number): void {
  if (stopping) return;
  console.log(`\nstack: ${reason}, stopping…`);
  stopping = (stack?.stop() ?? Promise.resolve()).then(() => process.exit(code));
}
process.on('SIGINT', () => shutdown('SIGINT', 0));
process.on('SIGTERM', () => shutdown('SIGTERM', 0));
process.on('SIGHUP', () => shutdown('SIGHUP', 0));

try {
  const offset = parsePortOffset(process.env.LGTM_APM_STACK_PORT_OFFSET);
  const dataDir = process.env.LGTM_APM_STACK_DATA || DEFAULT_DATA_DIR;
  console.log(`stack: starting in ${dataDir}${offset ? ` (ports + ${offset})` : ''}`);
  stack = await startNativeStack({
    dataDir,
    portOffset: offset,
    log: (line) => console.log(`stack: ${line}`),
    onOutput: quiet ? undefined : (name, line) => console.log(`${name.padEnd(10)} | ${line}`),
  });
} catch (err) {
  if (err instanceof MissingBinariesError || err instanceof PortInUseError) console.error(err.message);
  else console.error(`stack: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
if (stopping) await stopping;

const { urls } = stack;
const lines = [
  '',
  `LGTM stack up (${stack.metricsStore === 'prometheus' ? 'Prometheus standing in for Mimir' : 'Mimir'}); data in ${stack.dataDir}`,
  ...Object.entries(stack.versions).map(([k, v]) => `  ${k.padEnd(10)} ${v}`),
  '',
  `  Tempo      ${urls.tempo}  (OTLP gRPC ${urls.tempoOtlpGrpc}, OTLP HTTP ${urls.tempoOtlpHttp})`,
  `  Loki       ${urls.loki}`,
  `  metrics    ${urls.metrics}  (Prometheus API; OTLP ${urls.metricsOtlp}; remote write ${urls.metricsRemoteWrite})`,
  stack.binaries.grafana
    ? `  Grafana    ${urls.grafana}`
    : '  Grafana    not started (no grafana binary found); point your own Grafana at the URLs above',
  '',
  'Run an app against it (or `npm run demo` in another shell with these set):',
  ...Object.entries(stack.otelEnv).map(([k, v]) => `  export ${k}=${v}`),
  '',
  'Ctrl-C stops everything; the next `npm run stack` carries on with the same data.',
];
console.log(lines.join('\n'));

const exit = await stack.unexpectedExit;
if (!stopping) {
  const proc = stack.processes.find((p) => p.name === exit.name);
  console.error(`stack: ${exit.name} exited with code ${exit.code}:\n${proc?.tail() ?? ''}`);
  shutdown(`${exit.name} ended`, 1);
}
