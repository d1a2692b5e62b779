'use strict';
// Preloaded (with --expose-gc) into every variant of the traces benchmark: on SIGUSR2 it runs two full
// garbage collections and prints the heap that is still live and the RSS. RSS after load mostly shows
// how far V8 let the heap grow (it keeps freed pages on a machine with memory to spare); the live heap
// after a full GC is what the process really holds.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ memoryProbe: { heapUsedMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 } })}\n`,
  );
});
