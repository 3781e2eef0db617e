import type { IncomingMessage } from 'node:http';
import { parse, serialize } from 'cookie';

/** Browsers (SPAs) may hold the session in this cookie instead of sending a bearer token. */
export const SESSION_COOKIE = 'gateway_session';

/** What a resolver may do to the response's session cookie. */
export interface SessionCookieJar {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** HttpOnly (no script can read it), Secure, SameSite=Strict (never sent on cross-site requests). */
export function sessionCookieJar(): SessionCookieJar & { headers: string[] } {
  const headers: string[] = [];
  const options = { httpOnly: true, secure: true, sameSite: 'strict' as const, path: '/' };
  return {
    headers,
    set: (token, expiresAt) => headers.push(serialize(SESSION_COOKIE, token, { ...options, expires: expiresAt })),
    clear: () => headers.push(serialize(SESSION_COOKIE, '', { ...options, expires: new Date(0) })),
  };
}

/** The session token of a request: the bearer token, else the session cookie. */
export function sessionToken(req: IncomingMessage): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (bearer) return bearer[1];
  return (req.headers.cookie && parse(req.headers.cookie)[SESSION_COOKIE]) || null;
}
