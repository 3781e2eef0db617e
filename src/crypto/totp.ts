import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { generateSecret, generateURI, verifySync } from 'otplib';

/**
 * RFC 6238 TOTP as authenticator apps implement it. This file is otplib's only importer, and every parameter
 * is passed explicitly.
 */
export const TOTP_ALGORITHM = 'sha1'; // RFC 6238 §1.2 default; the one every authenticator app supports
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30; // RFC 6238 §5.2 recommended time step
export const TOTP_SECRET_BYTES = 160 / 8; // RFC 4226 §4 R6: at least 128 bits, 160 recommended
/** One step either side (RFC 6238 §5.2 allows "at most one time step" of network delay; covers ~1 min drift). */
export const TOTP_DRIFT_STEPS = 1;

/** node:crypto's native HMAC and random bytes, instead of otplib's default pure-JS ones (several times faster). */
const nodeCrypto = new NodeCryptoPlugin();

export function newTotpSecret(): string {
  return generateSecret({ length: TOTP_SECRET_BYTES, crypto: nodeCrypto });
}

/**
 * Key URI Format: `otpauth://totp/<issuer>:<account>?secret=…&issuer=…`. otplib leaves out parameters that
 * equal the defaults; they are spelled out so no app has to guess.
 */
export function totpUri(secret: string, issuer: string, accountName: string): string {
  const uri = generateURI({ issuer, label: accountName, secret });
  return `${uri}&algorithm=${TOTP_ALGORITHM.toUpperCase()}&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
}

export function timeStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code as typed, without the spaces apps show in it ("123 456"), if it has the shape of a code; else null. */
export function normalizeTotpCode(input: string): string | null {
  const code = input.replace(/\s+/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * The time step a code belongs to when it is valid now (±1 step) and later than `afterStep` (replay
 * protection: a step once used, and every earlier one, is refused), else null. Malformed codes are null.
 */
export function matchTotp(secret: string, input: string, nowMs: number, afterStep: number | null): number | null {
  const code = normalizeTotpCode(input);
  if (!code) return null;
  try {
    const result = verifySync({
      crypto: nodeCrypto,
      secret,
      token: code,
      algorithm: TOTP_ALGORITHM,
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD_SECONDS,
      epoch: Math.floor(nowMs / 1000),
      epochTolerance: TOTP_DRIFT_STEPS * TOTP_PERIOD_SECONDS,
      ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
    });
    return result.valid ? timeStepAt(nowMs) + result.delta : null;
  } catch {
    return null;
  }
}
