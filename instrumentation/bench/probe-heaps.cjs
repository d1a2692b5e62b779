'use strict';
// Preloaded by memory-split.mjs: remembers every worker thread the process starts (the kit's export
// worker), and on SIGUSR2 prints the process's RSS, the main isolate's heap (total, and per space) and
// each worker's heap, as one JSON line. Nothing is collected first: this is the memory as the app holds it.
const workerThreads = require('node:worker_threads');
const v8 = require('node:v8');

const workers = [];
const Worker = workerThreads.Worker;
workerThreads.Worker = class extends Worker {
  constructor(...args) {
    super(...args);
    workers.push(this);
    this.once('exit', () => workers.splice(workers.indexOf(this), 1));
  }
};
const mb = (bytes) => bytes / 2 ** 20;
process.on('SIGUSR2', async () => {
  const main = v8.getHeapStatistics();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mb(s.space_size)]));
  const workerHeaps = [];
  for (const worker of workers) {
    try {
      const h = await worker.getHeapStatistics();
      workerHeaps.push({ totalMb: mb(h.total_heap_size), usedMb: mb(h.used_heap_size) });
    } catch {
      // Exited meanwhile.
    }
  }
  const heaps = {
    rssMb: mb(process.memoryUsage.rss()),
    mainHeapTotalMb: mb(main.total_heap_size),
    mainHeapUsedMb: mb(main.used_heap_size),
    newSpaceMb: spaces.new_space ?? NaN,
    oldSpaceMb: spaces.old_space ?? NaN,
    workers: workerHeaps,
  };
  process.stdout.write(`${JSON.stringify({ heaps })}\n`);
});
