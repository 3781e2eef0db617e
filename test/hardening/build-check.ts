import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BUILT = path.join(ROOT, 'dist/src/main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** dist/ was compiled after the last change to src/ and migrations/ (tsc rewrites every output it emits). */
export function isServerBuildFresh(): boolean {
  return existsSync(BUILT) && statSync(BUILT).mtimeMs >= Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'migrations')));
}

/**
 * Compiles the server when dist/ is missing or older than the sources, before a test spawns `node dist/...`.
 * `npm test` builds in pretest; this covers `npx vitest run test/hardening`, which would otherwise run the
 * spawned half of the suite against yesterday's code and prove nothing about today's. Several files may start
 * at once: one compiles under a lock directory while the others wait for it.
 */
export function ensureServerBuilt(): void {
  if (isServerBuildFresh()) return;
  const lock = path.join(ROOT, 'dist/.server-build-lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}: remove it if no build is running`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
      if (isServerBuildFresh()) return;
    }
  }
  try {
    if (!isServerBuildFresh()) execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  if (!isServerBuildFresh()) throw new Error('dist/ is still older than src/ after compiling: run `npm run build` and read its errors');
}
