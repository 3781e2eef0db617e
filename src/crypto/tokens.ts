import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 random bits, base64url: the bearer token shown once to the client. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Tokens are stored only as SHA-256: they carry 256 bits of entropy, so a fast hash is enough. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The token of a single-use e-mail link (password reset, e-mail verification, invitation): 256 random bits like a
 * session token, and stored the same way, only as its SHA-256.
 */
export const newLinkToken = newSessionToken;
export const hashLinkToken = hashSessionToken;

/** Two secrets compared in constant time, as SHA-256 digests so that their lengths do not leak either. */
export function secretsEqual(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * A secret derived from `message` under `key` (HMAC-SHA-256, base64url: 43 characters of the PKCE verifier's
 * alphabet, RFC 7636 §4.1). Single sign-on derives each start's PKCE verifier from its `state` this way, so no
 * verifier is ever stored.
 */
export function derivedSecret(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}
