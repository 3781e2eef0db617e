import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleAssets, resolveConsoleDir, safeRelativePath } from '../../src/http/console-assets';

/**
 * The web console's file server, on a throwaway project (package.json, dist/web, a secret beside it), behind
 * the same URL parsing the gateway does. Requests are sent raw, so no client tidies the path first.
 */
describe('console assets', () => {
  let project: string;
  let server: Server;
  let base: string;

  const get = (rawPath: string, options: { method?: string; headers?: Record<string, string> } = {}) =>
    new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
      const url = new URL(base);
      request({ host: url.hostname, port: url.port, path: rawPath, method: options.method ?? 'GET', headers: options.headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
        .on('error', reject)
        .end();
    });

  beforeAll(async () => {
    project = mkdtempSync(path.join(tmpdir(), 'console-assets-'));
    writeFileSync(path.join(project, 'package.json'), '{"name":"throwaway"}');
    writeFileSync(path.join(project, 'secret.txt'), 'TOP SECRET');
    mkdirSync(path.join(project, 'dist/web/assets'), { recursive: true });
    mkdirSync(path.join(project, 'dist/web/.vite'), { recursive: true });
    mkdirSync(path.join(project, 'web'), { recursive: true });
    writeFileSync(path.join(project, 'dist/web/index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(path.join(project, 'dist/web/assets/index-abc123.js'), 'console.log(1)');
    writeFileSync(path.join(project, 'dist/web/assets/index-abc123.css'), 'body{}');
    writeFileSync(path.join(project, 'dist/web/favicon.svg'), '<svg/>');
    writeFileSync(path.join(project, 'dist/web/.vite/manifest.json'), '{}');
    symlinkSync(path.join(project, 'secret.txt'), path.join(project, 'dist/web/assets/linked.txt'));

    // As src/server.ts does: a folder beside the server file (here the source folder web/), the parsed pathname.
    const assets = createConsoleAssets(path.join(project, 'web'));
    server = createServer(async (req, res) => {
      const { pathname } = new URL(req.url ?? '/', 'http://gateway');
      if (!(await assets(req, res, pathname))) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(project, { recursive: true, force: true });
  });

  it('finds dist/web of the project from the source folder and from dist/web itself', () => {
    expect(resolveConsoleDir(path.join(project, 'web'))).toBe(path.join(project, 'dist/web'));
    expect(resolveConsoleDir(path.join(project, 'dist/web'))).toBe(path.join(project, 'dist/web'));
    expect(resolveConsoleDir(path.join(project, 'dist/src'))).toBe(path.join(project, 'dist/web'));
  });

  it('answers / with index.html, briefly cached, with the page security headers', async () => {
    const answer = await get('/');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<div id="app">');
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('public, max-age=60');
    expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves built files with their content types; hashed assets are cached for good', async () => {
    const script = await get('/assets/index-abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/assets/index-abc123.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await get('/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers the console’s own routes (no extension) with index.html, and a missing file with 404', async () => {
    for (const route of ['/sign-in', '/my/profile/two-factor', '/admin/1234', '/assets']) {
      const answer = await get(route);
      expect(answer.status, route).toBe(200);
      expect(answer.body, route).toContain('<div id="app">');
    }
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/robots.txt')).status).toBe(404);
  });

  it('never serves a file outside dist/web, hidden files, or through a link leading out', async () => {
    // Threat: a crafted path reads the project's files (sources, the data folder's encryption key).
    const attempts = [
      '/../secret.txt',
      '/../../secret.txt',
      '/..%2fsecret.txt',
      '/..%2f..%2fsecret.txt',
      '/%2e%2e/%2e%2e/secret.txt',
      '/%2E%2E%2F%2E%2E%2Fsecret.txt',
      '/assets/..%2f..%2f..%2fsecret.txt',
      '/..%5c..%5csecret.txt',
      '/assets/%2e%2e%5c%2e%2e%5c%2e%2e%5csecret.txt',
      '/%00/../secret.txt',
      '/secret.txt%00.js',
      '/.vite/manifest.json',
      '/%2evite/manifest.json',
      '/assets/linked.txt',
      '/%E0%A4%A',
    ];
    for (const attempt of attempts) {
      const answer = await get(attempt);
      expect(answer.body, attempt).not.toContain('TOP SECRET');
      expect(answer.body, attempt).not.toBe('{}');
      expect([200, 404], attempt).toContain(answer.status);
      if (answer.status === 200) expect(answer.body, attempt).toContain('<div id="app">');
    }
    expect(safeRelativePath('/..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(safeRelativePath('/a/%2e%2e/b')).toBeNull();
    expect(safeRelativePath('/assets/index-abc123.js')).toBe('assets/index-abc123.js');
  });

  it('answers HEAD without a body, a matching ETag with 304, and leaves other methods to the API', async () => {
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const etag = String(head.headers.etag);
    expect((await get('/', { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await get('/', { method: 'POST' })).status).toBe(404);
  });

  it('says how to build the console when dist/web is missing', async () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'console-assets-bare-'));
    writeFileSync(path.join(bare, 'package.json'), '{}');
    const assets = createConsoleAssets(path.join(bare, 'dist/web'));
    const local = createServer(async (req, res) => {
      if (!(await assets(req, res, new URL(req.url ?? '/', 'http://gateway').pathname))) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(local.address() as AddressInfo).port}/`);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('npm run build');
    } finally {
      await new Promise<void>((resolve) => local.close(() => resolve()));
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
