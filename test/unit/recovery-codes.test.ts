import { describe, expect, it } from 'vitest';
import {
  hashRecoveryCode,
  newRecoveryCodes,
  normalizeRecoveryCode,
  RECOVERY_CODE_ALPHABET,
  RECOVERY_CODES_PER_SET,
} from '../../src/crypto/recovery-codes';

const KEY = Buffer.alloc(32, 7);

describe('recovery codes', () => {
  it('draw from an uppercase alphabet without the look-alikes 0/O and 1/I/L', () => {
    for (const lookAlike of ['0', 'O', '1', 'I', 'L']) expect(RECOVERY_CODE_ALPHABET).not.toContain(lookAlike);
    expect(RECOVERY_CODE_ALPHABET).toMatch(/^[A-Z2-9]+$/);
    expect(new Set(RECOVERY_CODE_ALPHABET).size).toBe(RECOVERY_CODE_ALPHABET.length);
  });

  it.each([
    ['XXXX_XXXX', 4],
    ['XXXXX_XXXXX', 5],
  ] as const)('come as a set of 8 distinct codes in the %s format', (format, group) => {
    const codes = newRecoveryCodes(format);
    expect(codes).toHaveLength(RECOVERY_CODES_PER_SET);
    expect(RECOVERY_CODES_PER_SET).toBe(8);
    expect(new Set(codes).size).toBe(codes.length);
    const shape = new RegExp(`^[${RECOVERY_CODE_ALPHABET}]{${group}}-[${RECOVERY_CODE_ALPHABET}]{${group}}$`);
    for (const code of codes) expect(code).toMatch(shape);
  });

  it('differ from one set to the next', () => {
    const first = newRecoveryCodes('XXXX_XXXX');
    const second = newRecoveryCodes('XXXX_XXXX');
    expect(first.filter((code) => second.includes(code))).toEqual([]);
  });

  it.each([
    ['the displayed form', '7KQ2-M9XD', '7KQ2M9XD'],
    ['lower case', '7kq2-m9xd', '7KQ2M9XD'],
    ['no dash', '7KQ2M9XD', '7KQ2M9XD'],
    ['surrounding spaces', '  7KQ2-M9XD \t', '7KQ2M9XD'],
    ['all of these at once', ' 7kq2m9xd ', '7KQ2M9XD'],
    ['the long format', '7KQ2M-9XDPA', '7KQ2M9XDPA'],
    ['the long format in lower case without dash', '7kq2m9xdpa', '7KQ2M9XDPA'],
  ])('normalize accepts %s', (_label, input, expected) => {
    expect(normalizeRecoveryCode(input)).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['blanks', '    '],
    ['a short code', '7KQ2-M9X'],
    ['a code between the formats', '7KQ2M-9XDP'],
    ['an over-long code', '7KQ2-M9XD-ABCD'],
    ['two dashes', '7KQ2--M9XD'],
    ['a zero', '7KQ0-M9XD'],
    ['a letter O', '7KQO-M9XD'],
    ['a one', '7KQ1-M9XD'],
    ['a letter I', '7KQI-M9XD'],
    ['a letter L', '7KQL-M9XD'],
    ['a space inside', '7KQ2 M9XD'],
    ['punctuation', '7KQ2_M9XD'],
    ['a TOTP code', '123456'],
    ['SQL', "' OR 1=1 --"],
    ['non-ASCII look-alikes', '７KQ2-M9XD'],
  ])('normalize rejects %s', (_label, input) => {
    expect(normalizeRecoveryCode(input)).toBeNull();
  });

  it('hash under a key, bound to the owner, and never contain the code', () => {
    const hash = hashRecoveryCode(KEY, 'tenant:agent', '7KQ2M9XD');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('7KQ2M9XD');
    expect(hashRecoveryCode(KEY, 'tenant:agent', '7KQ2M9XD')).toBe(hash);
    expect(hashRecoveryCode(KEY, 'tenant:other-agent', '7KQ2M9XD')).not.toBe(hash);
    expect(hashRecoveryCode(Buffer.alloc(32, 8), 'tenant:agent', '7KQ2M9XD')).not.toBe(hash);
  });

  // Threat: owner and code run together in the hash, so one owner's hash of one code is another owner's of another.
  it('hash the owner and the code apart, so one cannot run into the other', () => {
    expect(hashRecoveryCode(KEY, 'tenant:agent7K', 'Q2M9XDPA')).not.toBe(hashRecoveryCode(KEY, 'tenant:agent', '7KQ2M9XDPA'));
  });
});
