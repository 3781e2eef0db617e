import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasBearerSecret } from '../http/bearer-secret';
import { readBodyText } from '../http/request-body';
import { sendJson } from '../http/send-json';
import type { AccessTokenService } from './access-token.service';
import { JWKS_MAX_AGE_SECONDS } from './key-timeline';

const NOT_FOUND = { errors: [{ message: 'Not found' }] };

/**
 * The token endpoints beside /graphql: the public keys (RFC 7517 JWK Set) and introspection (RFC 7662). Answers
 * whether it handled the path.
 */
export function createTokenRoutes(tokens: AccessTokenService, introspectionToken: string | null) {
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (pathname === '/.well-known/jwks.json') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return (sendJson(res, 405, { errors: [{ message: 'Method not allowed' }] }, { allow: 'GET, HEAD' }), true);
      // Public, and cacheable for no longer than a new key waits before it signs (src/tokens/key-timeline.ts).
      sendJson(res, 200, await tokens.jwks(), { 'cache-control': `public, max-age=${JWKS_MAX_AGE_SECONDS}` });
      return true;
    }
    if (pathname === '/oauth/introspect') {
      await introspect(req, res);
      return true;
    }
    return false;
  };

  /** POST, form-encoded `token`, `Authorization: Bearer $INTROSPECTION_TOKEN`; off (404) without it. */
  async function introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!introspectionToken) return sendJson(res, 404, NOT_FOUND);
    if (!hasBearerSecret(req, introspectionToken)) return sendJson(res, 401, { error: 'invalid_client' }, { 'www-authenticate': 'Bearer' });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'invalid_request' }, { allow: 'POST' });
    const noStore = { 'cache-control': 'no-store' };
    if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'send the token form-encoded (RFC 7662 §2.1)' }, noStore);
    }
    const token = new URLSearchParams(await readBodyText(req)).get('token');
    if (!token) return sendJson(res, 400, { error: 'invalid_request', error_description: 'the token parameter is missing' }, noStore);
    sendJson(res, 200, await tokens.introspect(token), noStore);
  }
}
