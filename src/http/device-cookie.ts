import type { IncomingMessage } from 'node:http';
import { parse, serialize } from 'cookie';

/** Browsers keep each tenant's remembered-device secret in a cookie of its own, named for the tenant. */
export const DEVICE_COOKIE_PREFIX = 'gateway_device_';
/** Clients without cookies (the CLI) send the secret of the tenant they enter in this header. */
export const DEVICE_HEADER = 'x-remembered-device';

/** The secrets this gateway issues: 256 bits, base64url (crypto/tokens.ts). Anything else is not one of them. */
const DEVICE_SECRET = /^[A-Za-z0-9_-]{43}$/;

/** What a request presents of remembered devices, and what its response sets. */
export interface DeviceTokenJar {
  /** The device secrets the request presents for the tenant: its cookie and the header, each when well formed. */
  presented(tenantId: string): string[];
  /** A browser's request (it carries an Origin): the secret goes into the HttpOnly cookie only, never the body. */
  readonly isBrowser: boolean;
  set(tenantId: string, secret: string, expiresAt: Date): void;
  clear(tenantId: string): void;
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (never sent on a cross-site request), scoped to the API path
 * (`/graphql`), Secure in production, and expiring with the device. Set-Cookie lines go into `headers`, beside
 * the session cookie's.
 */
export function deviceTokenJar(req: IncomingMessage, headers: string[], secure: boolean): DeviceTokenJar {
  const cookies = req.headers.cookie ? parse(req.headers.cookie) : {};
  const header = req.headers[DEVICE_HEADER];
  const fromHeader = typeof header === 'string' ? header.trim() : '';
  const options = { httpOnly: true, secure, sameSite: 'strict' as const, path: '/graphql' };
  return {
    presented: (tenantId) => [...new Set([cookies[DEVICE_COOKIE_PREFIX + tenantId] ?? '', fromHeader])].filter((secret) => DEVICE_SECRET.test(secret)),
    // Browsers send Origin with every POST, and a page's script cannot take it off (a forbidden header name).
    isBrowser: typeof req.headers.origin === 'string',
    set: (tenantId, secret, expiresAt) => headers.push(serialize(DEVICE_COOKIE_PREFIX + tenantId, secret, { ...options, expires: expiresAt })),
    clear: (tenantId) => headers.push(serialize(DEVICE_COOKIE_PREFIX + tenantId, '', { ...options, expires: new Date(0) })),
  };
}
