import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (100 on Linux almost everywhere). */
export const CLK_TCK = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(out.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

/** User + system CPU time of a process (all its threads), in microseconds, from /proc/<pid>/stat. */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14 of the whole line
  const stime = Number(fields[12]); // field 15
  return ((utime + stime) * 1e6) / CLK_TCK;
}

/** CPU time of the whole machine (all CPUs), µs: busy (user+nice+system+irq+softirq+steal) and total. */
export function machineCpuMicros(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  const total = busy + idle + iowait;
  return { busy: (busy * 1e6) / CLK_TCK, total: (total * 1e6) / CLK_TCK };
}

/** Resident set size in MiB, from /proc/<pid>/status. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `url` until it answers 200; returns the milliseconds waited, or throws after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean, startedAt = performance.now()): Promise<number> {
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - startedAt;
    } catch {
      // not listening yet
    }
    if (!isAlive()) throw new Error(`process exited before ${url} answered`);
    if (performance.now() - startedAt > timeoutMs) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export interface Child {
  process: ChildProcess;
  pid: number;
  port: number;
  /** Milliseconds from spawn to the first 200 of its readiness URL. */
  readyMs: number;
  logFile: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  port: number;
  /** Path polled until it answers 200, e.g. /healthz. */
  readyPath: string;
  logFile: string;
  /** Run the command in its own process group (for npm → sh → node), so stop() reaches all of it. */
  group?: boolean;
  command?: string;
  timeoutMs?: number;
}

/**
 * Starts a server process (node by default) with its output in a log file and waits until it answers on
 * 127.0.0.1. stop() signals it (its own process group when `group`), waits for the exit, and kills it after 15 s.
 */
export async function startProcess(options: StartOptions): Promise<Child> {
  const log = openSync(options.logFile, 'a');
  const startedAt = performance.now();
  const child = spawn(options.command ?? process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', log, log],
    detached: options.group ?? false,
  });
  closeSync(log);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (exited) return;
    const target = options.group ? -child.pid! : child.pid!;
    try {
      process.kill(target, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }, 15_000);
    await exit;
    clearTimeout(timer);
  };
  try {
    const readyMs = await waitForHttp(`http://127.0.0.1:${options.port}${options.readyPath}`, options.timeoutMs ?? 60_000, () => !exited, startedAt);
    return { process: child, pid: child.pid!, port: options.port, readyMs, logFile: options.logFile, stop };
  } catch (error) {
    await stop('SIGKILL');
    const tail = readFileSync(options.logFile, 'utf8').split('\n').slice(-20).join('\n');
    throw new Error(`${(error as Error).message}\n--- ${options.logFile} (tail) ---\n${tail}`);
  }
}
