// The pino benchmark's workload: LOGS records (pino's default JSON, a few structured fields) written in
// request-sized bursts inside an active span, to /dev/null so the disk is not what is measured.
// Prints one JSON line: logs/s, CPU µs per record and (under the kit) what the logs pipeline dropped.
import pino from 'pino';
import { trace } from '@opentelemetry/api';

const N = Number(process.env.LOGS ?? 200_000);
// 100 records per span: the span's own cost (measured by the traces benchmark) stays a small share.
const BURST = Number(process.env.BURST ?? 100);
const logger = pino(pino.destination({ dest: '/dev/null', sync: true }));
const tracer = trace.getTracer('bench');

async function burst(i) {
  await new Promise((resolve) =>
    tracer.startActiveSpan('GET /api/orders/:id', (span) => {
      for (let j = 0; j < BURST; j++)
        logger.info({ orderId: i + j, user: { id: 7 }, route: '/api/orders/:id' }, 'order placed');
      span.end();
      setImmediate(resolve);
    }),
  );
}

for (let i = 0; i < 20_000; i += BURST) await burst(i); // warm-up: JIT and the exporter's first connection
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i += BURST) await burst(i);
const elapsedMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
let dropped = null;
try {
  const { getActive } = await import('@lgtm-apm/instrumentation/sdk');
  const kit = getActive();
  if (kit) {
    await kit.forceFlush();
    dropped = kit.health.droppedLogs;
  }
} catch {
  // bare run: the kit is not loaded
}
console.log(
  JSON.stringify({
    logs: N,
    elapsedMs,
    logsPerSecond: (N / elapsedMs) * 1000,
    cpuUsPerLog: (cpu.user + cpu.system) / N,
    dropped,
  }),
);
