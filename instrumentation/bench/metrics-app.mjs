// The metric-export benchmark's workload: an otherwise idle process holding SERIES prom-client series
// on the default register (half counter series, half histogram series). With nothing else to do, its
// main-thread busy time (event-loop utilisation) is the cost of collecting and exporting them.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import client from 'prom-client';

const SERIES = Number(process.env.SERIES ?? 2000);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 10_000);
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]; // 10 + +Inf + _sum + _count = 13 series
const counter = new client.Counter({
  name: 'bench_requests_total',
  help: 'h',
  labelNames: ['route', 'status'],
});
const histogram = new client.Histogram({
  name: 'bench_duration_seconds',
  help: 'h',
  labelNames: ['route'],
  buckets: BUCKETS,
});
const counterSeries = Math.round(SERIES / 2);
for (let i = 0; i < counterSeries; i++)
  counter.inc({ route: `/r${i % 100}`, status: String(200 + Math.floor(i / 100)) }, i);
const histogramSets = Math.round((SERIES - counterSeries) / 13);
for (let i = 0; i < histogramSets; i++) histogram.observe({ route: `/h${i}` }, (i % 50) / 10);

let gcMs = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcMs += e.duration;
    gcCount += 1;
  }
}).observe({ entryTypes: ['gc'] });
const lag = monitorEventLoopDelay({ resolution: 10 });

console.log(JSON.stringify({ port: 0, series: counterSeries + histogramSets * 13 }));
// Let start-up settle (and the kit's first export happen) before measuring.
await new Promise((r) => setTimeout(r, 2500));
gcMs = 0;
gcCount = 0;
lag.enable();
const elu0 = performance.eventLoopUtilization();
const cpu0 = process.cpuUsage();
// Main thread only (Node ≥ 23.9): excludes GC helper threads and the libuv pool, and unlike event-loop
// utilisation it does not count time the thread was runnable but not scheduled on a busy machine.
const thread0 = process.threadCpuUsage?.();
await new Promise((r) => setTimeout(r, WINDOW_MS));
const elu = performance.eventLoopUtilization(elu0);
const cpu = process.cpuUsage(cpu0);
const thread = thread0 ? process.threadCpuUsage(thread0) : undefined;
lag.disable();
console.log(
  JSON.stringify({
    result: true,
    windowMs: WINDOW_MS,
    mainThreadBusyMs: elu.active,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainThreadCpuMs: thread ? (thread.user + thread.system) / 1000 : NaN,
    gcMs,
    gcCount,
    maxLagMs: lag.max / 1e6,
  }),
);
process.exit(0);
