// Wall time, CPU of the whole process and CPU of the main thread alone while `fn` runs. No imports: the
// measured logging loop (pino-loop.mjs) loads it under each variant's preload, beside nothing but its workload.
export async function cpuAround(fn) {
  const cpu0 = process.cpuUsage();
  const main0 = process.threadCpuUsage();
  const t0 = performance.now();
  await fn();
  return { elapsedMs: performance.now() - t0, cpu: process.cpuUsage(cpu0), main: process.threadCpuUsage(main0) };
}
