import { createHmac, randomInt } from 'node:crypto';

/** Uppercase letters and digits without the look-alikes 0/O and 1/I/L. */
export const RECOVERY_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const RECOVERY_CODES_PER_SET = 8;

/** Group sizes of each format: XXXX-XXXX (~39 bits) and XXXXX-XXXXX (~49 bits). */
export const RECOVERY_CODE_GROUP_LENGTH = { XXXX_XXXX: 4, XXXXX_XXXXX: 5 } as const;
export type RecoveryCodeFormatName = keyof typeof RECOVERY_CODE_GROUP_LENGTH;
export const RECOVERY_CODE_FORMATS = Object.keys(RECOVERY_CODE_GROUP_LENGTH) as RecoveryCodeFormatName[];

/** A fresh set of distinct codes, formatted for display. */
export function newRecoveryCodes(format: RecoveryCodeFormatName): string[] {
  const group = RECOVERY_CODE_GROUP_LENGTH[format];
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODES_PER_SET) codes.add(`${randomGroup(group)}-${randomGroup(group)}`);
  return [...codes];
}

function randomGroup(length: number): string {
  let group = '';
  for (let i = 0; i < length; i++) group += RECOVERY_CODE_ALPHABET[randomInt(RECOVERY_CODE_ALPHABET.length)];
  return group;
}

/** Canonical form of user input: case-insensitive, with or without the dash and surrounding spaces; else null. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.trim().toUpperCase().replace('-', '');
  if (compact.length !== 8 && compact.length !== 10) return null;
  for (const char of compact) if (!RECOVERY_CODE_ALPHABET.includes(char)) return null;
  return compact;
}

/**
 * Keyed hash of a normalized code, bound to its owner so equal codes of two agents hash apart. A dump without
 * the key cannot be brute-forced offline.
 */
export function hashRecoveryCode(key: Buffer, owner: string, normalized: string): string {
  return createHmac('sha256', key).update(owner).update('\0').update(normalized).digest('hex');
}
