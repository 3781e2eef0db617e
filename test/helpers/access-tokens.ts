import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { TestGateway } from './gateway';

/** INTROSPECTION_TOKEN of the gateways these tests start. */
export const INTROSPECTION_TOKEN = 'introspection-secret-of-the-tests';

/** Settings for a gateway that mints tokens for two audiences and answers introspection. */
export const TOKEN_ENV = { TOKEN_AUDIENCES: 'https://api.test,https://billing.test', INTROSPECTION_TOKEN };
export const DEFAULT_AUDIENCE = 'https://api.test';

/**
 * An independent verifier, as a downstream service would be: jose with the keys fetched over HTTP from the
 * gateway's /.well-known/jwks.json (a fresh fetch each time), ES256 only, at the gateway's test clock.
 */
export async function verifyWithJwks(t: Pick<TestGateway, 'url' | 'clock' | 'gateway'>, token: string, audience = DEFAULT_AUDIENCE, issuer = t.gateway.services.publicUrl.base) {
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', t.url));
  return jwtVerify(token, jwks, { issuer, audience, algorithms: ['ES256'], typ: 'at+jwt', currentDate: t.clock.now() });
}

/** The key ids /.well-known/jwks.json lists now. */
export async function jwksKids(url: string): Promise<string[]> {
  const { keys } = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  return keys.map((key) => key.kid!);
}

export function kidOf(token: string): string {
  return decodeProtectedHeader(token).kid!;
}

/** POST /oauth/introspect (RFC 7662) with the token form-encoded; the status and the JSON answered. */
export async function introspect(url: string, token: string, secret: string | null = INTROSPECTION_TOKEN): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/oauth/introspect`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
    body: new URLSearchParams({ token }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The token's payload re-signed with HS256, the published public key (PEM) as the HMAC secret: alg confusion. */
export async function hs256WithPublicKey(url: string, token: string): Promise<string> {
  const { keys } = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  const kid = kidOf(token);
  const pem = createPublicKey({ key: keys.find((key) => key.kid === kid) as JsonWebKey, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  return new SignJWT(payloadOf(token)).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid }).sign(new TextEncoder().encode(String(pem)));
}

/** The token's payload with `alg: none` and no signature. */
export function unsigned(token: string): string {
  return `${base64url({ alg: 'none', typ: 'at+jwt', kid: kidOf(token) })}.${base64url(payloadOf(token))}.`;
}

/** The token with one claim changed and the original signature kept. */
export function tampered(token: string, change: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url({ ...payloadOf(token), ...change })}.${signature}`;
}

export function payloadOf(token: string): JWTPayload {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as JWTPayload;
}
