// `npm run stack` for real, when the binaries are here (LGTM_APM_BIN_DIR or PATH); skipped with the
// reason otherwise (CI has none). Runs the CLI on ports + 20000 so it does not meet a stack already
// running on the standard ports: SIGTERM stops every backend, a second start finds the first run's
// data, every socket the backends open is on 127.0.0.1, and SIGKILL of the supervisor leaves no
// backend behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveStackBinaries, MissingBinariesError } from '../../stack/index.ts';
import { repoRoot } from '../../stack/compose-source.ts';

const OFFSET = 20000;
const LOKI = `http://127.0.0.1:${3100 + OFFSET}`;

function skipReason(): string | false {
  try {
    resolveStackBinaries();
    return false;
  } catch (err) {
    if (err instanceof MissingBinariesError)
      return `no native stack binaries (set LGTM_APM_BIN_DIR): ${err.message.split('\n')[0]}`;
    throw err;
  }
}
const skip = skipReason();
if (skip) console.log(`# SKIP native stack: ${skip}`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 300_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function startCli(dataDir: string): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let out = '';
  const child = spawn(process.execPath, [join(repoRoot, 'compose', 'stack', 'cli.ts')], {
    env: {
      ...process.env,
      LGTM_APM_STACK_DATA: dataDir,
      LGTM_APM_STACK_PORT_OFFSET: String(OFFSET),
      LGTM_APM_STACK_QUIET: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function backendPids(dataDir: string): number[] {
  const run = join(dataDir, 'run');
  return readdirSync(run).map((f) => Number(readFileSync(join(run, f), 'utf8').trim()));
}

/** Local addresses of every TCP/UDP socket the process listens on (ss from iproute2). */
function listeningAddresses(pid: number): string[] {
  const ss = spawnSync('ss', ['-Hltunp'], { encoding: 'utf8' });
  if (ss.error) throw new Error(`ss (iproute2) is needed to list sockets: ${ss.error.message}`);
  return ss.stdout
    .split('\n')
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => l.trim().split(/\s+/)[4]!);
}

test(
  'npm run stack: start, data kept across restarts, 127.0.0.1 only, no orphans',
  { skip, timeout: 900_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lgtm-stack-it-'));
    const children: ChildProcess[] = [];
    t.after(() => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const line = `stack-it ${randomBytes(6).toString('hex')}`;

    // First run: up, one log line pushed to Loki, SIGTERM.
    const first = startCli(dataDir);
    children.push(first.child);
    await until(
      'the first start',
      () => first.output().includes('Ctrl-C stops everything') || first.child.exitCode !== null,
    );
    assert.match(first.output(), /LGTM stack up/, first.output());
    const pids1 = backendPids(dataDir);
    assert.equal(pids1.length, 3, 'tempo, loki and the metrics store');
    const push = await fetch(`${LOKI}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        streams: [{ stream: { service_name: 'stack-it' }, values: [[`${Date.now()}000000`, line]] }],
      }),
    });
    assert.equal(push.status, 204, await push.text());
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0, first.output());
    for (const pid of pids1) assert.equal(alive(pid), false, `backend ${pid} still running after SIGTERM`);

    // Second run on the same folder: the line is still there.
    const second = startCli(dataDir);
    children.push(second.child);
    await until(
      'the second start',
      () => second.output().includes('Ctrl-C stops everything') || second.child.exitCode !== null,
    );
    assert.match(second.output(), /LGTM stack up/, second.output());
    const q = encodeURIComponent('{service_name="stack-it"}');
    const found = await until(
      'the first run’s log line',
      async () => {
        const r = await fetch(
          `${LOKI}/loki/api/v1/query_range?query=${q}&start=${(Date.now() - 3_600_000) * 1e6}&limit=10`,
        );
        const body = (await r.json()) as { data?: { result?: Array<{ values: string[][] }> } };
        return body.data?.result?.some((s) => s.values.some((v) => v[1] === line));
      },
      60_000,
    );
    assert.ok(found);

    const pids2 = backendPids(dataDir);
    for (const pid of pids2) {
      const addrs = listeningAddresses(pid);
      assert.ok(addrs.length > 0, `backend ${pid} listens somewhere`);
      const open = addrs.filter((a) => !a.startsWith('127.0.0.1:'));
      assert.deepEqual(open, [], `backend ${pid} listens beyond 127.0.0.1: ${addrs.join(', ')}`);
    }

    // The supervisor killed outright: its backends end by themselves.
    second.child.kill('SIGKILL');
    await second.exited;
    for (const pid of pids2)
      await until(`backend ${pid} to end after SIGKILL of the supervisor`, () => !alive(pid), 60_000);
  },
);
