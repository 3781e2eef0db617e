/*
 * A service behind the gateway, from docs/integrating.md ("Services behind the gateway"): it trusts the
 * gateway's access tokens, verifying them offline with the gateway's published keys, requires the tenant's
 * second factor (acr = aal2) for the workspaces it guards with 2FA, and asks the gateway (introspection) before
 * a sensitive action. Each `#region` appears verbatim in that document; test/docs/integrating.test.ts runs this
 * service against a real gateway.
 */
// #region verify-tokens
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/** What the gateway's access tokens say (docs/behaviour.md, "Access tokens for downstream services"). */
export interface AccessClaims extends JWTPayload {
  sub: string; // the agent
  sid: string; // its session
  tid: string; // the tenant
  wid?: string; // the workspace, when the token was minted for one
  role: 'OWNER' | 'ADMIN' | 'AGENT';
  email: string;
  amr: string[]; // RFC 8176: pwd, otp, hwk, mfa
  acr: 'aal1' | 'aal2'; // aal2: the session holds the tenant's second factor
  second_factor_at?: number;
}

/**
 * Verifies the gateway's tokens offline: its keys from /.well-known/jwks.json (kept as long as its Cache-Control
 * says, fetched again for a key not seen yet), ES256 only, issued by the gateway (`iss` is its PUBLIC_URL) for
 * this service (`aud`). A token verified once is remembered until it expires, so a client that sends the same
 * token with every request costs one signature check, not one per request.
 */
export function accessTokenVerifier(issuer: string, audience: string, jwksFrom = issuer): (token: string) => Promise<AccessClaims> {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', jwksFrom), { cacheMaxAge: 5 * 60_000 });
  const verified = new Map<string, AccessClaims>();
  return async (token) => {
    const known = verified.get(token);
    if (known && known.exp! * 1000 > Date.now()) return known;
    const { payload } = await jwtVerify<AccessClaims>(token, jwks, { issuer, audience, algorithms: ['ES256'], typ: 'at+jwt' });
    if (verified.size >= 10_000) verified.delete(verified.keys().next().value!); // the oldest
    verified.set(token, payload);
    return payload;
  };
}
// #endregion verify-tokens

// #region introspection
/**
 * RFC 7662 introspection: is the token still good right now? A token verifies offline until it expires (at most
 * 5 minutes); the gateway answers `active: false` at once after a sign-out, a revoked session or a 2FA reset.
 */
export async function isStillActive(gateway: string, introspectionToken: string, token: string): Promise<boolean> {
  const response = await fetch(new URL('/oauth/introspect', gateway), {
    method: 'POST',
    headers: { authorization: `Bearer ${introspectionToken}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
  });
  if (!response.ok) throw new Error(`introspection answered ${response.status}`);
  return ((await response.json()) as { active?: unknown }).active === true;
}
// #endregion introspection

// #region service
export interface ServiceOptions {
  /** Where the gateway answers (its JWKS and introspection); its PUBLIC_URL unless told otherwise. */
  gateway: string;
  /** The gateway's PUBLIC_URL, the tokens' `iss`. */
  issuer?: string;
  /** This service's name in the gateway's TOKEN_AUDIENCES. */
  audience: string;
  /** The gateway's INTROSPECTION_TOKEN. */
  introspectionToken: string;
  /** Workspaces whose data this service releases only to sessions holding the tenant's second factor. */
  twoFactorWorkspaces: ReadonlySet<string>;
}

/**
 * A notes service per workspace: `GET /workspaces/:id/notes` needs a valid token for that workspace (and aal2
 * where the workspace is guarded with 2FA); `POST /workspaces/:id/payouts`, a sensitive action, also asks the
 * gateway whether the token still holds. Refusals follow RFC 6750 and RFC 9470 (step-up).
 */
export function createNotesService(options: ServiceOptions, verify = accessTokenVerifier(options.issuer ?? options.gateway, options.audience, options.gateway)): Server {
  const refuse = (res: ServerResponse, status: number, challenge: string) =>
    res.writeHead(status, { 'www-authenticate': `Bearer ${challenge}`, 'content-type': 'application/json' }).end(JSON.stringify({ error: /error="(\w+)"/.exec(challenge)?.[1] }));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    req.resume(); // no request body is read
    const route = /^\/workspaces\/([\w-]+)\/(notes|payouts)$/.exec(req.url ?? '');
    if (!route) return void res.writeHead(404).end();
    const [, workspaceId, action] = route;
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return refuse(res, 401, 'realm="notes"');
    let claims: AccessClaims;
    try {
      claims = await verify(token);
    } catch {
      return refuse(res, 401, 'error="invalid_token"'); // bad signature, expired, another audience or issuer
    }
    if (claims.wid !== workspaceId) return refuse(res, 403, 'error="insufficient_scope"');
    if (options.twoFactorWorkspaces.has(workspaceId) && claims.acr !== 'aal2') {
      // RFC 9470: the client passes the tenant's challenge (enterWorkspace, verifyTwoFactor), then mints again.
      return refuse(res, 401, 'error="insufficient_user_authentication", acr_values="aal2"');
    }
    if (action === 'notes' && req.method === 'GET') {
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ workspaceId, for: claims.email, notes: ['Quarterly figures'] }));
    }
    if (action === 'payouts' && req.method === 'POST') {
      if (!(await isStillActive(options.gateway, options.introspectionToken, token))) return refuse(res, 401, 'error="invalid_token"');
      return void res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ workspaceId, approvedBy: claims.sub }));
    }
    res.writeHead(405).end();
  };
  return createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(502).end()); // e.g. the gateway did not answer introspection
  });
}
// #endregion service
