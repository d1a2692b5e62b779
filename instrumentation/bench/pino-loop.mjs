// The pino benchmark's workload: LOGS records (pino's default JSON, a few structured fields) written in
// request-sized bursts inside an active span, to /dev/null so the disk is not what is measured.
// RATE=0 (default) logs as fast as the main thread can; RATE=n paces the bursts to n records per second
// (a busy service's steady logging) so the cost shows as CPU per record rather than as throughput.
// Prints one JSON line: logs/s, CPU µs per record for the whole process and for the main thread alone
// (the app's own thread: what the kit's worker takes is not on it) and what the logs pipeline dropped
// during the measured part.
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { cpuAround } from './cpu-around.mjs';

// pino is required, not imported: stock's register hooks pino only through require (measured: an
// imported pino sent no records), and every variant must log through the same path.
const pino = createRequire(import.meta.url)('pino');

const N = Number(process.env.LOGS ?? 200_000);
// 100 records per span: the span's own cost (measured by the traces benchmark) stays a small share.
const BURST = Number(process.env.BURST ?? 100);
const RATE = Number(process.env.RATE ?? 0);
const logger = pino(pino.destination({ dest: '/dev/null', sync: true }));
const tracer = trace.getTracer('bench');

function burst(i) {
  tracer.startActiveSpan('GET /api/orders/:id', (span) => {
    for (let j = 0; j < BURST; j++)
      logger.info({ orderId: i + j, user: { id: 7 }, route: '/api/orders/:id' }, 'order placed');
    span.end();
  });
}

async function run(count, rate) {
  const t0 = performance.now();
  for (let i = 0; i < count; i += BURST) {
    burst(i);
    if (rate > 0) {
      // Paced against the start time, so a late burst does not push every later one back.
      const due = t0 + ((i + BURST) / rate) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
    } else {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

let kit;
try {
  kit = (await import('@lgtm-apm/instrumentation/sdk')).getActive();
} catch {
  // bare run: the kit is not loaded
}
await run(20_000, 0); // warm-up: JIT, the kit's worker and the exporter's first connection
await kit?.forceFlush(); // the warm-up's records leave before measuring
const dropped0 = kit?.health.droppedLogs ?? 0;
const { elapsedMs, cpu, main } = await cpuAround(() => run(N, RATE));
let dropped = null;
if (kit) {
  await kit.forceFlush();
  dropped = kit.health.droppedLogs - dropped0;
}
console.log(
  JSON.stringify({
    logs: N,
    rate: RATE,
    elapsedMs,
    logsPerSecond: (N / elapsedMs) * 1000,
    cpuUsPerLog: (cpu.user + cpu.system) / N,
    mainThreadCpuUsPerLog: (main.user + main.system) / N,
    dropped,
  }),
);
