// Shared helpers for the benchmark scripts: spawning services, /proc readings, wrk, medians.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import http from 'node:http';
import { cpus, totalmem } from 'node:os';

export const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** The commit measured, with "+changes" when the working tree differs from it (README tables cite it). */
export function sourceCommit(cwd = join(import.meta.dirname, '..')) {
  const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const dirty = spawnSync('git', ['status', '--porcelain', '--', '.'], {
    cwd,
    encoding: 'utf8',
  }).stdout.trim();
  return `${head.stdout.trim()}${dirty ? '+changes' : ''}`;
}

export function machine() {
  return {
    commit: sourceCommit(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** Spawns `node args` with piped output collected as text (read with stdout() / stderr()). */
function spawnNode(args, env, cwd) {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
  return { child, stdout: () => out, stderr: () => err };
}

/** Spawns `node args file` and resolves with the child once it printed a JSON line with `port`. */
export function startNode(args, env, cwd) {
  const t0 = performance.now();
  const { child, stdout, stderr } = spawnNode(args, env, cwd);
  return new Promise((resolve, reject) => {
    // A child that never says its port is stopped, not left running behind a failed benchmark.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no port line from ${args.join(' ')}\n${stdout()}\n${stderr()}`));
    }, 30_000);
    // Registered after spawnNode's collector, so stdout() already holds this chunk.
    child.stdout.on('data', () => {
      const line = stdout()
        .split('\n')
        .find((l) => l.includes('"port"'));
      if (line) {
        clearTimeout(timer);
        const info = JSON.parse(line);
        resolve({
          child,
          port: info.port,
          listenMs: info.listenMs,
          spawnToListenMs: performance.now() - t0,
          stderr,
          stdout,
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited ${code}\n${stdout()}\n${stderr()}`));
    });
  });
}

/**
 * Runs `node args` to its end and returns the JSON lines it printed on stdout; rejects with its output when it
 * exits non-zero or prints no line.
 */
export function runToExit(args, env, cwd) {
  const { child, stdout, stderr } = spawnNode(args, env, cwd);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      const text = stdout().trim();
      if (code !== 0 || !text)
        reject(new Error(`${args.join(' ')} exited ${code}\n${stdout()}\n${stderr()}`));
      else resolve(text.split('\n').map((l) => JSON.parse(l)));
    });
  });
}

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 8000);
  await exited;
  clearTimeout(t);
}

export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

export function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) / 1024;
}

/** Runs wrk and returns requests, req/s and latency percentiles in ms. */
export function wrk(url, { seconds, connections = 16 }) {
  const res = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    encoding: 'utf8',
  });
  if (res.error)
    throw new Error(`wrk is required for the load test (apt-get install wrk): ${res.error.message}`);
  const text = res.stdout;
  const toMs = (v, unit) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? NaN);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? NaN);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  return {
    requests,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN),
    p50: pct(50),
    p99: pct(99),
    non2xx: errors ? Number(errors[1]) : 0,
  };
}

export function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** Replaces the README block between `<!-- bench:marker -->` markers so it matches the committed results. */
export function updateReadmeBlock(marker, report) {
  const readmePath = join(import.meta.dirname, '..', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const block = new RegExp(`<!-- bench:${marker} -->[\\s\\S]*<!-- /bench:${marker} -->`);
  if (block.test(readme)) {
    writeFileSync(
      readmePath,
      readme.replace(block, `<!-- bench:${marker} -->\n${report}<!-- /bench:${marker} -->`),
    );
  }
}

/**
 * The local sink and the downstream service every load benchmark uses, and the env all its variants share:
 * service name, OTLP http/protobuf to the sink, the downstream URL, and no cloud resource detectors (they
 * would probe metadata addresses).
 */
export async function startLoadBackends() {
  const dir = import.meta.dirname;
  const sink = await startNode([join(dir, 'sink.mjs')], {}, dir);
  const downstream = await startNode([join(dir, 'downstream.mjs')], {}, dir).catch(async (error) => {
    await stop(sink.child);
    throw error;
  });
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  return {
    sinkUrl,
    env: {
      OTEL_SERVICE_NAME: 'bench',
      OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance,container',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
      DOWNSTREAM_URL: `http://127.0.0.1:${downstream.port}`,
    },
    sinkStats: async () => (await fetch(`${sinkUrl}/stats`)).json(),
    stop: async () => {
      await stop(sink.child);
      await stop(downstream.child);
    },
  };
}

/**
 * One load measurement: start the app, warm up (JIT, pools, connections), then wrk for `seconds` while
 * reading the process's CPU ticks and RSS. With `sinkUrl` (bench/sink.mjs), also how many spans per
 * request the variant delivered once it exited — the check that every variant traced the same work.
 * Returns the numbers and what the app wrote to stderr.
 */
export async function measureLoad({ args, file, env, cwd, seconds, sinkUrl, memoryProbe = false }) {
  const sinkStats = async () => (sinkUrl ? (await fetch(`${sinkUrl}/stats`)).json() : undefined);
  await sinkStats(); // forget spans a previous variant delivered late
  const probeArgs = memoryProbe
    ? ['--expose-gc', '--require', join(import.meta.dirname, 'probe-memory.cjs')]
    : [];
  const app = await startNode([...probeArgs, ...args, file], env, cwd);
  const url = `http://127.0.0.1:${app.port}/`;
  const warm = wrk(url, { seconds: 2 });
  const ticks0 = cpuTicks(app.child.pid);
  const load = wrk(url, { seconds });
  const ticks1 = cpuTicks(app.child.pid);
  const rss = rssMb(app.child.pid);
  const probe = memoryProbe ? await probeMemory(app) : undefined;
  const stderr = app.stderr();
  await stop(app.child);
  const spans = await sinkStats();
  return {
    result: {
      listenMs: app.listenMs,
      spawnToListenMs: app.spawnToListenMs,
      rps: load.rps,
      p50: load.p50,
      p99: load.p99,
      non2xx: load.non2xx,
      cpuMsPerRequest: ((ticks1 - ticks0) * CLOCK_TICK_MS) / load.requests,
      rssMbAfterLoad: rss,
      ...(probe && { heapMbAfterGc: probe.heapUsedMb }),
      ...(spans && {
        spansPerRequest: spans.spans / (warm.requests + load.requests),
        spansByKind: spans.byKind,
        spansByScope: spans.byScope,
      }),
    },
    stderr,
  };
}

/**
 * Asks bench/probe-memory.cjs (preloaded) for the live heap after a full GC; NaN when it does not answer
 * within `timeoutMs` (a safety net: on a busy machine the answer can take seconds).
 */
export async function probeMemory(app, timeoutMs = 10_000) {
  const before = app.stdout().length;
  app.child.kill('SIGUSR2');
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    const line = app
      .stdout()
      .slice(before)
      .split('\n')
      .find((l) => l.includes('"memoryProbe"'));
    if (line) return JSON.parse(line).memoryProbe;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { heapUsedMb: NaN, rssMb: NaN };
}

/**
 * The order every interleaved benchmark measures its variants in: `slices` passes over `names`, each pass
 * rotated by one more place (plus `offset`, e.g. the round), and with `reverse`, every second pass run
 * backwards — so no variant always runs first, or always right after the same neighbour, and the shared
 * machine's noise hits all alike. `measure(name, pass)` may be async; returns each variant's results in
 * order.
 */
export async function rotatingSlices(names, slices, measure, { offset = 0, reverse = true } = {}) {
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let pass = 0; pass < slices; pass++) {
    const order = names.map((_, i) => names[(i + pass + offset) % names.length]);
    for (const name of reverse && pass % 2 ? order.reverse() : order)
      results[name].push(await measure(name, pass));
  }
  return results;
}

/** Runs `measure(name)` for every variant in every round, rotating the order so none always runs first. */
export function interleavedRounds(names, rounds, measure) {
  return rotatingSlices(
    names,
    rounds,
    async (name, round) => {
      const r = await measure(name);
      console.error(
        `round ${round + 1}/${rounds} ${name}: ${fmt(r.rps, 0)} req/s, p99 ${fmt(r.p99)} ms, ${fmt(r.cpuMsPerRequest, 3)} CPU ms/req` +
          (r.spansPerRequest === undefined ? '' : `, ${fmt(r.spansPerRequest, 2)} spans/req`),
      );
      return r;
    },
    { reverse: false },
  );
}

/**
 * One wrk slice against a running app: requests served, req/s and the CPU ms per request the app's process
 * (all its threads) spent on them.
 */
export function cpuSlice(pid, url, seconds) {
  const t0 = cpuTicks(pid);
  const load = wrk(url, { seconds });
  const ticks = cpuTicks(pid) - t0;
  return {
    ticks,
    requests: load.requests,
    rps: load.rps,
    cpuMsPerRequest: (ticks * CLOCK_TICK_MS) / load.requests,
  };
}

/** Per variant, the median of every numeric field over its rounds. */
export function mediansByVariant(load) {
  return Object.fromEntries(
    Object.entries(load).map(([name, runs]) => [
      name,
      Object.fromEntries(
        Object.keys(runs[0])
          .filter((k) => typeof runs[0][k] === 'number')
          .map((k) => [k, median(runs.map((r) => r[k]))]),
      ),
    ]),
  );
}

/**
 * Exactly `total` GETs of `<url>orders/<n>`, `concurrency` at a time over keep-alive connections; resolves
 * with how many failed.
 */
export async function fireRequests(url, total, concurrency = 16) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  let failed = 0;
  const one = () =>
    new Promise((resolve) => {
      http
        .get(`${url}orders/${sent}`, { agent }, (res) => {
          if (res.statusCode !== 200) failed++;
          res.resume();
          res.on('end', resolve);
        })
        .on('error', () => {
          failed++;
          resolve();
        });
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < total) {
        sent++;
        await one();
      }
    }),
  );
  agent.destroy();
  return failed;
}
