#!/usr/bin/env node
// A fixed request rate, for profiles taken at a moderate load rather than at saturation (wrk has no rate
// option): `node rate-load.mjs URL RATE SECONDS` sends RATE GETs per second for SECONDS over keep-alive
// sockets, waits for every answer, and prints {"sent","done","failed","ms"} as one JSON line.
// Run as its own process so its CPU is not the measured app's.
import http from 'node:http';

const [url, rateArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
if (!url || !(rate > 0) || !(seconds > 0)) {
  console.error('usage: node rate-load.mjs URL RATE SECONDS');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const total = Math.round(rate * seconds);
let sent = 0;
let done = 0;
let failed = 0;
const t0 = performance.now();
const answered = (ok) => {
  done++;
  if (!ok) failed++;
};
await new Promise((resolve) => {
  // Requests are sent as they fall due (a timer tick can be late on a busy machine; the schedule catches up).
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    for (; sent < due; sent++)
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => answered(res.statusCode === 200));
        })
        .on('error', () => answered(false));
    if (sent >= total) {
      clearInterval(tick);
      resolve();
    }
  }, 2);
});
while (done < sent) await new Promise((r) => setTimeout(r, 10));
agent.destroy();
console.log(JSON.stringify({ sent, done, failed, ms: performance.now() - t0 }));
