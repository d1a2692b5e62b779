'use strict';
// Preloaded by bench/hooks-profile.mjs: the first SIGUSR2 starts V8's sampling profiler (100 µs), the
// second stops it and writes the profile to PROFILE_OUT, then prints {"profiled":true}.
const inspector = require('node:inspector');
const fs = require('node:fs');

const session = new inspector.Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval: 100 }));
let running = false;
process.on('SIGUSR2', () => {
  if (!running) {
    running = true;
    session.post('Profiler.start');
    return;
  }
  session.post('Profiler.stop', (error, result) => {
    if (!error) fs.writeFileSync(process.env.PROFILE_OUT, JSON.stringify(result.profile));
    process.stdout.write(`${JSON.stringify({ profiled: !error })}\n`);
  });
});
