import path from 'node:path';
import { buildWhenStale, isBuiltAfter, ROOT, runInRoot } from '../helpers/build-when-stale';

/** dist/ was compiled after the last change to src/ and migrations/ (tsc rewrites every output it emits). */
export function isServerBuildFresh(): boolean {
  return isBuiltAfter('dist/src/main.js', ['src', 'migrations']);
}

/**
 * Compiles the server when dist/ is missing or older than the sources, before a test spawns `node dist/...`.
 * `npm test` builds in pretest; this covers `npx vitest run test/hardening`, which would otherwise run the
 * spawned half of the suite against yesterday's code and prove nothing about today's. Several files may start
 * at once: one compiles under a lock directory while the others wait for it.
 */
export function ensureServerBuilt(): void {
  buildWhenStale({
    lock: '.server-build-lock',
    isFresh: isServerBuildFresh,
    build: () => runInRoot(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']),
    timeoutMs: 180_000,
  });
  if (!isServerBuildFresh()) throw new Error('dist/ is still older than src/ after compiling: run `npm run build` and read its errors');
}
