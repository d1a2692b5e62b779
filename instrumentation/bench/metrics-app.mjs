// The metric-export benchmark's workload: an otherwise idle process holding SERIES prom-client series
// on the default register (half counter series, half histogram series). With nothing else to do, its
// main-thread busy time (event-loop utilisation) is the cost of collecting and exporting them.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import client from 'prom-client';

const SERIES = Number(process.env.SERIES ?? 2000);
const WINDOW_MS = Number(process.env.WINDOW_MS ?? 10_000);
const LAG_WINDOW_MS = Number(process.env.LAG_WINDOW_MS ?? 5000);
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

// Main-thread CPU per export interval (Node ≥ 23.9 threadCpuUsage: excludes GC helper threads and the
// libuv pool, and unlike event-loop utilisation it does not count time the thread was runnable but not
// scheduled on a busy machine). Slot k covers [k, k+1) intervals from here; the kit's first export (the
// cold one: serializer code not yet optimised) falls in slot 0, since its reader started before this
// module ran. The bench subtracts the same slots of a run without the kit.
// SLOT_MS lets a run that never exports (its interval set past the window) keep the others' slots.
const INTERVAL_MS = Number(process.env.SLOT_MS ?? process.env.OTEL_METRIC_EXPORT_INTERVAL ?? 1000);
const SLOTS = Number(process.env.SLOTS ?? 12);
const threadMs = () => {
  const t = process.threadCpuUsage();
  return (t.user + t.system) / 1000;
};
console.log(JSON.stringify({ port: 0, series: counterSeries + histogramSets * 13 }));
const slots = [];
let last = threadMs();
const origin = performance.now();
for (let k = 1; k <= SLOTS; k++) {
  // Sleeps to the slot boundary measured from the origin, so slots do not drift.
  await new Promise((r) => setTimeout(r, Math.max(0, origin + k * INTERVAL_MS - performance.now())));
  const now = threadMs();
  slots.push(now - last);
  last = now;
}

// The steady-state window: event-loop busy time, CPU and GC over WINDOW_MS. No event-loop delay monitor
// of our own runs here: its 10 ms timer wakes the thread 100 times a second and would absorb part of the
// cost of the kit's own monitor (prom-client's runtime metrics), which then goes unmeasured.
gcMs = 0;
gcCount = 0;
const elu0 = performance.eventLoopUtilization();
const cpu0 = process.cpuUsage();
const thread0 = process.threadCpuUsage();
await new Promise((r) => setTimeout(r, WINDOW_MS));
const elu = performance.eventLoopUtilization(elu0);
const cpu = process.cpuUsage(cpu0);
const thread = process.threadCpuUsage(thread0);
const gcWindowMs = gcMs;
const gcWindowCount = gcCount;
// Then the longest event-loop delay over LAG_WINDOW_MS (a few more exports).
lag.enable();
await new Promise((r) => setTimeout(r, LAG_WINDOW_MS));
lag.disable();
console.log(
  JSON.stringify({
    result: true,
    windowMs: WINDOW_MS,
    mainThreadBusyMs: elu.active,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainThreadCpuMs: (thread.user + thread.system) / 1000,
    gcMs: gcWindowMs,
    gcCount: gcWindowCount,
    maxLagMs: lag.max / 1e6,
    slotCpuMs: slots,
  }),
);
process.exit(0);
