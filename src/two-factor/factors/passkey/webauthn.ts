import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL } from '@simplewebauthn/server/helpers';

/**
 * The only importer of @simplewebauthn/server: CBOR, COSE, attestation and signature checks all stay in the
 * library. Everything here is about one ceremony's bytes; who may do what, and the database, are the service's.
 */

/** The relying party as configured (WEBAUTHN_RP_ID, WEBAUTHN_ORIGINS). */
export interface RelyingParty {
  rpId: string;
  origins: string[];
}

/** A registered credential as stored (base64url strings, so both databases keep it as text). */
export interface StoredCredential {
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

export interface NewCredential extends StoredCredential {
  backedUp: boolean;
  deviceType: string;
}

/** How long a ceremony may take, in the browser's prompt as on the server (RULES: 5 minutes). */
export const WEBAUTHN_CHALLENGE_LIFETIME_MS = 5 * 60_000;

/** The largest credential id stored (the column holds 512 base64url characters, 384 bytes). */
const MAX_CREDENTIAL_ID_LENGTH = 512;

export async function registrationOptions(
  rp: RelyingParty,
  pair: { rpName: string; userHandle: string; userName: string; userDisplayName: string; existing: StoredCredential[] },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: pair.rpName,
    rpID: rp.rpId,
    userID: isoBase64URL.toBuffer(pair.userHandle),
    userName: pair.userName,
    userDisplayName: pair.userDisplayName,
    timeout: WEBAUTHN_CHALLENGE_LIFETIME_MS,
    attestationType: 'none',
    excludeCredentials: pair.existing.map((c) => ({ id: c.credentialId, transports: c.transports as AuthenticatorTransport[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
}

export async function assertionOptions(rp: RelyingParty, allowed: StoredCredential[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.rpId,
    timeout: WEBAUTHN_CHALLENGE_LIFETIME_MS,
    userVerification: 'preferred',
    allowCredentials: allowed.map((c) => ({ id: c.credentialId, transports: c.transports as AuthenticatorTransport[] })),
  });
}

/** The challenge a response claims to answer (read from its clientDataJSON), to find the stored one; null if unreadable. */
export function claimedChallenge(credential: Record<string, unknown>): string | null {
  try {
    const response = credential.response as { clientDataJSON?: unknown } | undefined;
    if (typeof response?.clientDataJSON !== 'string') return null;
    const clientData = JSON.parse(isoBase64URL.toUTF8String(response.clientDataJSON)) as { challenge?: unknown };
    return typeof clientData.challenge === 'string' && clientData.challenge.length <= 128 ? clientData.challenge : null;
  } catch {
    return null;
  }
}

/** The credential id an assertion names; null when it names none. */
export function assertedCredentialId(credential: Record<string, unknown>): string | null {
  const id = credential.id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_CREDENTIAL_ID_LENGTH ? id : null;
}

/** Verifies an attestation (origin, RP id hash, challenge, attestation `none` or better); null when it does not. */
export async function verifyRegistration(rp: RelyingParty, credential: Record<string, unknown>, expectedChallenge: string): Promise<NewCredential | null> {
  try {
    const result = await verifyRegistrationResponse({
      response: credential as unknown as RegistrationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      requireUserVerification: false,
    });
    if (!result.verified) return null;
    const { credential: made, credentialBackedUp, credentialDeviceType } = result.registrationInfo;
    if (made.id.length > MAX_CREDENTIAL_ID_LENGTH) return null;
    return {
      credentialId: made.id,
      publicKey: isoBase64URL.fromBuffer(made.publicKey),
      counter: made.counter,
      transports: made.transports ?? [],
      backedUp: credentialBackedUp,
      deviceType: credentialDeviceType,
    };
  } catch {
    return null; // malformed CBOR, wrong origin, RP id or challenge: the library throws; all are a rejection
  }
}

export type AssertionOutcome = { verified: true; newCounter: number; backedUp: boolean } | { verified: false; reason: 'counter' | 'invalid' };

/**
 * Verifies an assertion against the stored credential: origin, RP id hash, challenge and signature by the
 * library, then the signature counter, which must grow when either side is non-zero. The counter is compared
 * here, after the signature holds (the library compares it before), so that only a genuinely signed assertion
 * with a stale counter (a cloned authenticator) is reported as such.
 */
export async function verifyAssertion(rp: RelyingParty, credential: Record<string, unknown>, expectedChallenge: string, stored: StoredCredential): Promise<AssertionOutcome> {
  let result: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    result = await verifyAuthenticationResponse({
      response: credential as unknown as AuthenticationResponseJSON,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpId,
      credential: {
        id: stored.credentialId,
        publicKey: isoBase64URL.toBuffer(stored.publicKey),
        counter: 0, // compared below, once the signature is known to hold
        transports: stored.transports as AuthenticatorTransport[],
      },
      requireUserVerification: false,
    });
  } catch {
    return { verified: false, reason: 'invalid' }; // malformed, wrong origin, RP id, challenge or type
  }
  if (!result.verified) return { verified: false, reason: 'invalid' };
  const { newCounter, credentialBackedUp } = result.authenticationInfo;
  if ((newCounter > 0 || stored.counter > 0) && newCounter <= stored.counter) return { verified: false, reason: 'counter' };
  return { verified: true, newCounter, backedUp: credentialBackedUp };
}

/** A fresh opaque user handle: 32 random bytes, base64url; never the email. */
export { generateUserID as newUserHandleBytes } from '@simplewebauthn/server/helpers';
export const encodeHandle = (bytes: Uint8Array<ArrayBuffer>) => isoBase64URL.fromBuffer(bytes);
