import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { AccessClaims, accessTokenVerifier, createNotesService } from '../../docs/examples/downstream-service';

/**
 * The downstream service of docs/integrating.md (docs/examples/downstream-service.ts), for the bench, in one of
 * three modes (DOWNSTREAM_MODE):
 * - `verify`: as documented: the JWKS cached, a token verified once remembered until it expires;
 * - `verify-each`: the signature checked again on every request, the JWKS cached;
 * - `plain`: the same service reading the claims without checking anything (the baseline).
 * GATEWAY_URL, ISSUER, AUDIENCE and WORKSPACE_ID (the workspace it guards with 2FA) configure it.
 */
const env = (name: string) => process.env[name] ?? (() => { throw new Error(`${name} is not set`); })();
const gateway = env('GATEWAY_URL');
const issuer = env('ISSUER');
const audience = env('AUDIENCE');

function eachTime(): (token: string) => Promise<AccessClaims> {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', gateway));
  return async (token) => (await jwtVerify<AccessClaims>(token, jwks, { issuer, audience, algorithms: ['ES256'], typ: 'at+jwt' })).payload;
}

const verifiers = {
  verify: () => accessTokenVerifier(issuer, audience, gateway),
  'verify-each': eachTime,
  plain: () => async (token: string) => decodeJwt<AccessClaims>(token),
};
const mode = (process.env.DOWNSTREAM_MODE ?? 'verify') as keyof typeof verifiers;
const notes = createNotesService({ gateway, issuer, audience, introspectionToken: 'not-used', twoFactorWorkspaces: new Set([env('WORKSPACE_ID')]) }, verifiers[mode]());
// The bench waits for /healthz; every other request goes to the service as it is.
const handle = notes.listeners('request')[0] as Parameters<typeof createServer>[1] & object;
const server = createServer((req, res) => (req.url === '/healthz' ? res.end('ok') : handle(req, res)));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`downstream-service (${mode}) ready on ${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
