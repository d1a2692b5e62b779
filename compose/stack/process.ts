// Starts one backend so that it cannot outlive the supervisor: a small sh wrapper runs it and kills it
// when the supervisor's end of its stdin pipe closes, which happens however the supervisor ends (even
// SIGKILL). Each wrapper leads its own process group, so Ctrl-C reaches the supervisor only and stop()
// signals the whole group.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

// fd 3 keeps the supervisor's pipe; the backend itself gets neither it nor a stdin.
const WRAPPER = `
exec 3<&0 </dev/null
"$@" 3<&- &
child=$!
echo "$child" > "$LGTM_APM_STACK_PIDFILE"
( read -r _ <&3; kill -TERM "$child" 2>/dev/null ) &
exec 3<&-
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
while :; do
  wait "$child"; status=$?
  kill -0 "$child" 2>/dev/null || exit "$status"
done
`;

export interface ManagedProcess {
  name: string;
  /** The wrapper's pid, which is also its process group id. */
  pgid: number;
  /** The backend's own pid (for RSS sampling), once the wrapper wrote it. */
  pid(): number | undefined;
  /** Last lines of output, for error messages. */
  tail(lines?: number): string;
  /** Resolves with the wrapper's exit code when the backend ends. */
  exited: Promise<number | null>;
  alive(): boolean;
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  logFile: string;
  pidFile: string;
  onOutput?: (name: string, line: string) => void;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export function startProcess(opts: StartOptions): ManagedProcess {
  const log: WriteStream = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`\n---- ${new Date().toISOString()} ${opts.command} ${opts.args.join(' ')}\n`);
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', WRAPPER, 'lgtm-apm-stack', opts.command, ...opts.args],
    {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env, LGTM_APM_STACK_PIDFILE: opts.pidFile },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    },
  );
  const recent: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      recent.push(line);
      if (recent.length > 200) recent.shift();
      opts.onOutput?.(opts.name, line);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  // The pipe only signals the supervisor's death; nothing is ever written to it.
  child.stdin!.on('error', () => {});
  // A log file that cannot be written is reported in the tail, never thrown at the supervisor.
  log.on('error', (err) => recent.push(`log file: ${err.message}`));
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    // Settled only once the log file is closed: the stream opens asynchronously, and a backend that exits
    // at once would otherwise leave the open (and its last output) pending after `exited` resolved.
    const settle = (code: number | null) => {
      done = true;
      if (log.closed) return resolve(code);
      log.once('close', () => resolve(code));
      log.end();
    };
    // 'close', not 'exit': the backend's last output has been read (and logged) by then.
    child.once('close', (code) => settle(code));
    child.once('error', (err) => {
      recent.push(String(err));
      settle(null);
    });
  });
  const pgid = child.pid!;
  return {
    name: opts.name,
    pgid,
    pid() {
      try {
        const n = Number(readFileSync(opts.pidFile, 'utf8').trim());
        return Number.isInteger(n) && n > 0 ? n : undefined;
      } catch {
        return undefined;
      }
    },
    tail(lines = 30) {
      return recent.slice(-lines).join('\n');
    },
    exited,
    alive: () => !done || groupAlive(pgid),
    async stop(timeoutMs = 30_000) {
      if (!groupAlive(pgid)) return;
      try {
        process.kill(-pgid, 'SIGTERM');
      } catch {
        return;
      }
      const deadline = Date.now() + timeoutMs;
      while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
      if (groupAlive(pgid)) {
        try {
          process.kill(-pgid, 'SIGKILL');
        } catch {
          /* already gone */
        }
        while (groupAlive(pgid)) await sleep(50);
      }
      await exited;
    },
  };
}

/** Synchronous last resort for process.on('exit'): signal every group still there. */
export function killGroupsNow(processes: ManagedProcess[], signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const p of processes) {
    try {
      process.kill(-p.pgid, signal);
    } catch {
      /* gone */
    }
  }
}
