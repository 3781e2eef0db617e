import type { IncomingMessage, ServerResponse } from 'node:http';
import { clientIp } from '../http/client-ip';
import { sendJson } from '../http/send-json';
import { sessionCookieJar } from '../http/session-cookie';
import type { Logger } from '../logger';
import { clearSsoStateCookie, ssoStateOf } from './sso-cookie';
import type { SsoSignInService } from './sso-sign-in.service';
import { SSO_CALLBACK_PATH, SSO_CONSOLE_PATH } from './sso-rules';

export interface SsoRouteOptions {
  isProduction: boolean;
  trustedProxyHops: number;
  logger: Logger;
}

/**
 * `GET /sso/callback`, where the provider sends the browser back. Signed in: the session cookie, then the console's
 * /sso page, which goes on to `returnTo`. Refused: the same page with `error`, saying what happened, and no session.
 * The query holds the authorization code: the answer is never cached and sends no Referer, and nothing of the
 * query is logged (the request log has the path only). Answers whether it handled the path.
 */
export function createSsoRoutes(sso: SsoSignInService, options: SsoRouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string, requestId: string): Promise<boolean> => {
    if (pathname !== SSO_CALLBACK_PATH) return false;
    if (req.method !== 'GET') return (sendJson(res, 405, { errors: [{ message: 'Method not allowed' }] }, { allow: 'GET' }), true);
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    const userAgent = req.headers['user-agent'];
    const outcome = await sso.finish(query, ssoStateOf(req), { clientIp: clientIp(req, options.trustedProxyHops), userAgent });
    const cookies = sessionCookieJar();
    cookies.headers.push(clearSsoStateCookie(options.isProduction));
    let location: string;
    if (outcome.kind === 'signed-in') {
      cookies.set(outcome.session.token, outcome.session.expiresAt);
      location = `${SSO_CONSOLE_PATH}?${new URLSearchParams({ returnTo: outcome.returnTo })}`;
    } else {
      options.logger.warn({ reqId: requestId, reason: outcome.reason, detail: outcome.detail }, 'single sign-on refused');
      location = `${SSO_CONSOLE_PATH}?${new URLSearchParams({ error: outcome.reason.replace(/:.*/, '') })}`;
    }
    res.writeHead(303, { location, 'set-cookie': cookies.headers, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    res.end();
    return true;
  };
}
