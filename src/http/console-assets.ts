import { existsSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

/**
 * Serves the web console (the single-page app built into dist/web) on every GET path the API does not own.
 * Answers false when it did not handle the request.
 */
export type ConsoleAssets = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The GraphQL playground's page in the same build: served at /graphql by http/playground.ts, never here. */
export const PLAYGROUND_PAGE = 'playground.html';

/** index.html names the hashed bundles of the current build: cached briefly so a deploy shows within a minute. */
const INDEX_CACHE = 'public, max-age=60';
/** Vite puts content-hashed files under assets/: a new build means new names, so they never change. */
const HASHED_CACHE = 'public, max-age=31536000, immutable';
const OTHER_CACHE = 'public, max-age=3600';

/**
 * The console answers with these on every page. The console only talks to its own origin, renders the QR code
 * from a data: URL, and is never framed (a framed 2FA page invites clickjacking of "Disable two-factor").
 */
const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * The built console of the project that holds `hint`: walks up from `hint` to the folder with package.json and
 * takes its dist/web. The server passes a folder beside its own file (dist/web when it runs from dist/src, the
 * source folder web/ when vitest runs src/server.ts), so both end at the same build. Without a package.json
 * above (a copied dist), `hint` itself is used.
 */
export function resolveConsoleDir(hint: string): string {
  for (let dir = path.resolve(hint); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'dist', 'web');
    if (path.dirname(dir) === dir) return path.resolve(hint);
  }
}

export function createConsoleAssets(dirHint: string): ConsoleAssets {
  const root = resolveConsoleDir(dirHint);
  let realRoot: string | undefined;

  /** The regular file under the console folder that `relative` names, or null (missing, a folder, or outside). */
  const fileAt = async (relative: string): Promise<{ file: string; size: number; mtimeMs: number } | null> => {
    const file = path.join(root, relative);
    if (file !== root && !file.startsWith(root + path.sep)) return null;
    try {
      const stats = await stat(file);
      if (!stats.isFile()) return null;
      // A symbolic link inside the build must not lead out of it either.
      realRoot ??= await realpath(root);
      const real = await realpath(file);
      if (!real.startsWith(realRoot + path.sep)) return null;
      return { file, size: stats.size, mtimeMs: stats.mtimeMs };
    } catch {
      return null;
    }
  };

  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;

    const relative = safeRelativePath(pathname);
    // The playground's page is served at /graphql, under its own policy, and only when it is on.
    if (relative === null || relative === PLAYGROUND_PAGE) return false;

    let found = relative === '' ? null : await fileAt(relative);
    let isIndex = false;
    if (!found) {
      // The SPA's own routes (/my/profile/two-factor, /admin/…) have no extension: they all get index.html.
      const lastSegment = relative.split('/').pop() ?? '';
      if (path.extname(lastSegment) !== '') return false;
      found = await fileAt('index.html');
      isIndex = true;
      if (!found) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The web console is not built: run `npm run build`.\n');
        return true;
      }
    }
    isIndex ||= relative === 'index.html';

    const extension = path.extname(found.file).toLowerCase();
    const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'cache-control': isIndex ? INDEX_CACHE : relative.startsWith('assets/') ? HASHED_CACHE : OTHER_CACHE,
      'x-content-type-options': 'nosniff',
      etag,
      ...(extension === '.html' ? PAGE_SECURITY_HEADERS : {}),
    };

    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const body = await readFile(found.file);
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}

/**
 * The request path as a path relative to the console folder, or null when it must not be served: undecodable,
 * a NUL byte or backslash, or any segment starting with a dot (`..` climbing out, `.vite/`, dotfiles). The
 * check runs on the decoded segments, so `%2e%2e%2f` is caught as well as `../`.
 */
export function safeRelativePath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment.startsWith('.'))) return null;
  return segments.join('/');
}
