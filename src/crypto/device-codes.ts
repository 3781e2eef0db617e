import { createHash, randomBytes, randomInt } from 'node:crypto';

/**
 * The user code's alphabet: the 20 consonants RFC 8628 §6.1 suggests (no vowels, so no words; no digits, so no
 * 0/O or 1/I/L to confuse). 8 of them, shown as XXXX-XXXX: 20^8 ≈ 2^34.6 codes.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** The device code: 256 random bits, base64url (RFC 8628 §5.2 asks for enough entropy to make guessing futile). */
export function newDeviceCode(): string {
  return randomBytes(32).toString('base64url');
}

/** A fresh user code for display: XXXX-XXXX. */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return formatUserCode(code);
}

/** The 8 letters as XXXX-XXXX. */
export function formatUserCode(normalized: string): string {
  return `${normalized.slice(0, 4)}-${normalized.slice(4)}`;
}

/**
 * Canonical form of what a person typed or a link carried: case-insensitive, with or without the dash and
 * spaces; null when it cannot be a user code.
 */
export function normalizeUserCode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]+/g, '');
  if (compact.length !== USER_CODE_LENGTH) return null;
  for (const char of compact) if (!USER_CODE_ALPHABET.includes(char)) return null;
  return compact;
}

/**
 * Device and user codes are stored only as SHA-256. A user code has few bits, but it lives 10 minutes, approving
 * it needs the approver's own signed-in session, and knowing it gives nothing else.
 */
export function hashDeviceSignInCode(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}
