'use strict';
// Preloaded by bench/promoted-by-site.mjs: the first SIGUSR2 starts V8's sampling heap profiler (the
// inspector's HeapProfiler, no natives), told to drop the samples of objects a scavenge frees; the second
// writes the samples left — objects that were promoted to the old generation (freed since by a full GC or
// not) or are still alive — grouped by allocation stack, to PROBE_RETAINED_OUT, and prints {"retained":true}.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new inspector.Session();
session.connect();
const interval = Number(process.env.PROBE_RETAINED_INTERVAL ?? 1024);
let sampling = false;

function frameName(frame) {
  const file = frame.url.replace(/^.*node_modules\//, '').replace(/^(file:\/\/)?\/.*\/instrumentation\//, '');
  return `${frame.functionName || '(anon)'} ${file}:${frame.lineNumber + 1}`;
}

process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    // Objects the young generation's scavenges free are left out: what remains was promoted (and maybe
    // freed later by a full GC) or is still alive.
    session.post('HeapProfiler.startSampling', {
      samplingInterval: interval,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: false,
    });
    process.stdout.write('{"sampling":true}\n');
    return;
  }
  session.post('HeapProfiler.getSamplingProfile', (error, { profile } = {}) => {
    if (error) return process.stderr.write(`probe-retained: ${error.message}\n`);
    const byNode = new Map();
    const walk = (node, stack) => {
      const here = [frameName(node.callFrame), ...stack].slice(0, 14);
      byNode.set(node.id, here);
      for (const child of node.children) walk(child, here);
    };
    walk(profile.head, []);
    const groups = new Map();
    for (const sample of profile.samples) {
      // A sample whose node the tree does not hold is counted, not lost.
      const key = (byNode.get(sample.nodeId) ?? ['(unknown stack)']).join('\n  <- ');
      const g = groups.get(key) ?? { bytes: 0, count: 0 };
      g.bytes += sample.size;
      g.count++;
      groups.set(key, g);
    }
    const out = [...groups].map(([stack, g]) => ({ ...g, stack })).sort((a, b) => b.bytes - a.bytes);
    writeFileSync(process.env.PROBE_RETAINED_OUT, JSON.stringify(out, null, 1));
    process.stdout.write('{"retained":true}\n');
  });
});
