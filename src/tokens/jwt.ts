import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

/**
 * The only importer of `jose`. ES256 (ECDSA P-256 with SHA-256, RFC 7518 §3.4): every JOSE library and the Web
 * Crypto API verify it. Tokens are typed `at+jwt` (RFC 9068 §2.1), so they cannot pass for an ID token or any
 * other JWT a service also accepts.
 */
export const SIGNING_ALGORITHM = 'ES256';
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export type { CryptoKey, JWK, JWTPayload };

/** A fresh key pair, both halves as JWKs (the private one to be sealed, the public one to be published). */
export async function newSigningKeyPair(): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const [publicJwk, privateJwk] = await Promise.all([exportJWK(publicKey), exportJWK(privateKey)]);
  return { publicJwk, privateJwk };
}

export async function importSigningJwk(jwk: JWK): Promise<CryptoKey> {
  return (await importJWK(jwk, SIGNING_ALGORITHM)) as CryptoKey;
}

/** A compact JWS of the claims as given (`iat` and `exp` included by the caller, from its clock). */
export function signJwt(claims: JWTPayload, privateKey: CryptoKey, kid: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: ACCESS_TOKEN_TYPE, kid }).sign(privateKey);
}

/**
 * The claims of a token this gateway signed and that is valid at `now`, or null. Only ES256, only keys that
 * `keyFor` knows by `kid` (the published keys of the gateway's own table): `alg: none`, an HMAC made with the
 * public key as its secret, an embedded `jwk`, an unknown `kid` and a wrong issuer or type are all refused.
 */
export async function verifyJwt(token: string, keyFor: (kid: string | undefined) => CryptoKey | undefined, expected: { issuer: string; now: Date }): Promise<JWTPayload | null> {
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const key = keyFor(header.kid);
        if (!key) throw new Error('not a key of this gateway');
        return key;
      },
      {
        algorithms: [SIGNING_ALGORITHM],
        typ: ACCESS_TOKEN_TYPE,
        issuer: expected.issuer,
        currentDate: expected.now,
        requiredClaims: ['sub', 'aud', 'exp', 'iat', 'jti', 'sid', 'tid'],
      },
    );
    return payload;
  } catch {
    return null;
  }
}
