import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

/** The newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** `output` exists and was written after the last change to any of `sources` (folders under the repository). */
export function isBuiltAfter(output: string, sources: string[]): boolean {
  const file = path.join(ROOT, output);
  return existsSync(file) && statSync(file).mtimeMs >= Math.max(...sources.map((source) => newestMtime(path.join(ROOT, source))));
}

/**
 * Runs `build` when `isFresh` says the output is stale (`npm test` builds in pretest; this covers a direct
 * `npx vitest run test/…`, which would otherwise test yesterday's build). Several files may start at once: one
 * builds under a lock directory while the others wait for it.
 */
export function buildWhenStale(options: { lock: string; isFresh: () => boolean; build: () => void; timeoutMs: number }): void {
  if (options.isFresh()) return;
  const lock = path.join(ROOT, 'dist', options.lock);
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}: remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
      if (options.isFresh()) return;
    }
  }
  try {
    if (!options.isFresh()) options.build();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs a command of the repository's, showing its output. */
export function runInRoot(command: string, args: string[]): void {
  execFileSync(command, args, { cwd: ROOT, stdio: 'inherit' });
}
