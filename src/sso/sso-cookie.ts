import type { IncomingMessage } from 'node:http';
import { parse, serialize } from 'cookie';
import { SSO_CALLBACK_PATH } from './sso-rules';

/**
 * The browser that began an SSO sign-in holds its `state` in this cookie; the callback requires it, so a state
 * finished in another browser (login CSRF) is refused. HttpOnly, SameSite=Lax (sent on the provider's top-level
 * redirect back, not on cross-site subrequests), scoped to the callback's path, Secure in production.
 */
export const SSO_STATE_COOKIE = 'gateway_sso_state';

/** What beginSsoSignIn may do to its answer's cookies. */
export interface SsoStateCookieJar {
  set(state: string, expiresAt: Date): void;
}

/** Set-Cookie lines go into `headers`, beside the session cookie's. */
export function ssoStateCookieJar(headers: string[], secure: boolean): SsoStateCookieJar {
  return { set: (state, expiresAt) => headers.push(serialize(SSO_STATE_COOKIE, state, { ...cookieOptions(secure), expires: expiresAt })) };
}

/** The Set-Cookie line that removes it (the callback uses a state once). */
export function clearSsoStateCookie(secure: boolean): string {
  return serialize(SSO_STATE_COOKIE, '', { ...cookieOptions(secure), expires: new Date(0) });
}

export function ssoStateOf(req: IncomingMessage): string | null {
  return (req.headers.cookie && parse(req.headers.cookie)[SSO_STATE_COOKIE]) || null;
}

function cookieOptions(secure: boolean) {
  return { httpOnly: true, secure, sameSite: 'lax' as const, path: SSO_CALLBACK_PATH };
}
