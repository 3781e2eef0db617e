import { base32 } from '@otplib/plugin-base32-scure';
import { NodeCryptoPlugin } from '@otplib/plugin-crypto-node';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { generateSecret, generateURI } from 'otplib';

/**
 * RFC 6238 TOTP as authenticator apps implement it. This file is otplib's only importer (secrets and key URIs),
 * and every parameter is passed explicitly.
 */
export const TOTP_ALGORITHM = 'sha1'; // RFC 6238 §1.2 default; the one every authenticator app supports
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30; // RFC 6238 §5.2 recommended time step
export const TOTP_SECRET_BYTES = 160 / 8; // RFC 4226 §4 R6: at least 128 bits, 160 recommended
/** One step either side (RFC 6238 §5.2 allows "at most one time step" of network delay; covers ~1 min drift). */
export const TOTP_DRIFT_STEPS = 1;

/** node:crypto's random bytes, instead of otplib's default pure-JS ones. */
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
  // Stryker disable next-line Regex: /\s/g removes the same blanks as /\s+/g (it also skips /\S+/g, which the unit tests kill)
  const code = input.replace(/\s+/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}

/**
 * The time step a code belongs to when it is valid now (±1 step) and later than `afterStep` (replay
 * protection: a step once used, and every earlier one, is refused), else null. Malformed codes are null.
 * Earlier steps are tried first, as otplib's verify does (the unit tests hold the two to the same answers).
 * Checked here with node:crypto's HMAC (RFC 4226 §5.3) rather than through otplib: a sixth of the cost.
 */
export function matchTotp(secret: string, input: string, nowMs: number, afterStep: number | null): number | null {
  const code = normalizeTotpCode(input);
  if (!code) return null;
  const key = base32Key(secret);
  if (!key) return null;
  const now = timeStepAt(nowMs);
  let matched: number | null = null;
  for (let step = Math.max(0, now - TOTP_DRIFT_STEPS); step <= now + TOTP_DRIFT_STEPS; step++) {
    if (afterStep !== null && step <= afterStep) continue;
    // Every step of the window is computed and compared in constant time: the time taken tells nothing.
    if (timingSafeEqual(Buffer.from(hotp(key, step)), Buffer.from(code)) && matched === null) matched = step;
  }
  return matched;
}

/** HOTP (RFC 4226 §5.3): HMAC of the big-endian counter, dynamic truncation, the last TOTP_DIGITS digits. */
function hotp(key: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac(TOTP_ALGORITHM, key).update(message).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, '0');
}

/** The key of an RFC 4648 base32 secret (padding and case ignored), decoded as otplib decodes it; null when it is not base32. */
function base32Key(secret: string): Buffer | null {
  try {
    const key = base32.decode(secret.replace(/=+$/, ''));
    return key.length > 0 ? Buffer.from(key) : null;
  } catch /* Stryker disable next-line BlockStatement: an empty catch answers undefined, refused by the caller as null is */ {
    return null;
  }
}
