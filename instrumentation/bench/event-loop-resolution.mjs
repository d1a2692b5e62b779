#!/usr/bin/env node
// Which event-loop stalls prom-client's lag metrics still see at a given monitor resolution (issue 14,
// LGTM_APM_EVENT_LOOP_RESOLUTION_MS). nodejs_eventloop_lag_* come from perf_hooks.monitorEventLoopDelay,
// a timer that fires every `resolution` ms and records the time between its ticks (so an undisturbed
// loop reads `resolution`; the lag is that minus `resolution`): a stall is seen only as far as it
// overlaps a due tick, so a stall of S ms shows as a delay between 0 and S. For each resolution and
// stall length, STALLS stalls (busy loops) start at random phases; the monitor's max is read after each.
// Also the monitor's own main-thread CPU per second when idle. Writes bench/results/event-loop-resolution.json.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fmt, machine, median, updateReadmeBlock } from './lib.mjs';

const RESOLUTIONS = (process.env.RESOLUTIONS ?? '10,20').split(',').map(Number);
// 0 = no stall: what the machine's own scheduling delays show (a busy shared VM preempts the process).
const STALLS_MS = [0, 1, 2, 5, 10, 15, 20, 30, 50];
const STALLS = Number(process.env.STALLS ?? 40);

function busy(ms) {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

async function seen(resolution, stallMs) {
  const h = monitorEventLoopDelay({ resolution });
  h.enable();
  await sleep(resolution * 3); // the monitor's first ticks
  const maxima = [];
  for (let i = 0; i < STALLS; i++) {
    h.reset();
    // After a reset the monitor's next tick only sets its reference time: let it pass first.
    await sleep(resolution + 1);
    await sleep(Math.random() * resolution); // a random phase against the monitor's timer
    busy(stallMs);
    await sleep(resolution * 2 + 1); // the tick the stall delayed has run and been recorded
    // The monitor records the time between its ticks, so an undisturbed loop shows `resolution`.
    maxima.push(h.count ? h.max / 1e6 - resolution : 0);
  }
  h.disable();
  return {
    // "seen" = the stall showed as at least half its length in the max, over the resolution.
    seenShare: stallMs ? maxima.filter((m) => m >= stallMs / 2).length / maxima.length : NaN,
    medianMaxMs: median(maxima),
  };
}

async function idleCpuPerSecond(resolution) {
  const h = resolution ? monitorEventLoopDelay({ resolution }) : undefined;
  h?.enable();
  const keepAlive = setInterval(() => {}, 1000);
  await sleep(200);
  const t0 = process.threadCpuUsage();
  await sleep(2000);
  const used = process.threadCpuUsage(t0);
  clearInterval(keepAlive);
  h?.disable();
  return (used.user + used.system) / 1000 / 2; // ms per second
}

const results = { machine: { ...machine(), loadavgAtStart: loadavg() }, stalls: STALLS, byResolution: {} };
for (const resolution of RESOLUTIONS) {
  const rows = {};
  for (const stall of STALLS_MS) rows[stall] = await seen(resolution, stall);
  results.byResolution[resolution] = { stalls: rows };
}
const idleNone = await idleCpuPerSecond(0);
for (const resolution of RESOLUTIONS)
  results.byResolution[resolution].idleMainThreadCpuMsPerSecond =
    (await idleCpuPerSecond(resolution)) - idleNone;
results.machine.loadavgAtEnd = loadavg();

mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(
  join(import.meta.dirname, 'results', 'event-loop-resolution.json'),
  JSON.stringify(results, null, 2) + '\n',
);

// A stall of S ms starting φ ms before the monitor's next tick delays that tick by S − φ (φ uniform in
// [0, R)): it shows as at least S/2 with probability min(1, S / 2R). The measured share is that plus
// whatever the machine's own preemption adds (the 0 ms row).
const expected = (s, r) => Math.min(1, s / (2 * r));
const header = `| stall (ms) | ${RESOLUTIONS.map((r) => `${r} ms resolution: seen ≥ half (measured / expected) · median max − resolution, ms`).join(' | ')} |`;
const rows = STALLS_MS.map(
  (s) =>
    `| ${s} | ${RESOLUTIONS.map((r) => {
      const x = results.byResolution[r].stalls[s];
      return s
        ? `${fmt(x.seenShare * 100, 0)} % / ${fmt(expected(s, r) * 100, 0)} % · ${fmt(x.medianMaxMs, 1)}`
        : `– · ${fmt(x.medianMaxMs, 1)}`;
    }).join(' | ')} |`,
);
const report =
  `Event-loop monitor resolution — ${results.machine.node}, ${results.machine.cores} × ${results.machine.cpu}, ${STALLS} stalls per cell at random phases (${results.machine.date.slice(0, 10)}, commit ${results.machine.commit}; load average ${results.machine.loadavgAtStart.map((x) => x.toFixed(1)).join(' / ')} at start, ${results.machine.loadavgAtEnd.map((x) => x.toFixed(1)).join(' / ')} at end)\n\n` +
  `${header}\n|${' --- |'.repeat(RESOLUTIONS.length + 1)}\n${rows.join('\n')}\n\n` +
  `Idle main-thread CPU of the monitor alone: ${RESOLUTIONS.map((r) => `${r} ms → ${fmt(results.byResolution[r].idleMainThreadCpuMsPerSecond, 2)} ms per second`).join(', ')}.\n`;
console.log(`\n${report}`);
updateReadmeBlock('event-loop-resolution', report);
