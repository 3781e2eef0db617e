import { describe, expect, it } from 'vitest';
import { formatUserCode, hashDeviceSignInCode, newDeviceCode, newUserCode, normalizeUserCode, USER_CODE_ALPHABET } from '../../src/crypto/device-codes';

describe('device sign-in codes', () => {
  it('uses the 20 consonants of RFC 8628 §6.1: no vowels, no digits, nothing to mistake', () => {
    expect(USER_CODE_ALPHABET).toHaveLength(20);
    expect(USER_CODE_ALPHABET).not.toMatch(/[AEIOUY0-9]/);
  });

  it('makes user codes like WDJB-MJHT, drawn from every letter of the alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = newUserCode();
      expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      for (const char of code.replace('-', '')) seen.add(char);
    }
    expect(seen.size).toBe(20);
  });

  it('accepts a typed code in any case, with or without the dash and spaces; refuses anything else', () => {
    expect(normalizeUserCode('wdjb-mjht')).toBe('WDJBMJHT');
    expect(normalizeUserCode(' WDJB MJHT ')).toBe('WDJBMJHT');
    expect(normalizeUserCode('WDJBMJHT')).toBe('WDJBMJHT');
    expect(formatUserCode('WDJBMJHT')).toBe('WDJB-MJHT');
    for (const wrong of ['WDJB-MJH', 'WDJB-MJHTX', 'WDJB-MJH0', 'AEIO-UUUU', '', "X' OR '1'='1"]) expect(normalizeUserCode(wrong)).toBeNull();
  });

  it('makes 256-bit device codes, and keeps codes only as SHA-256', () => {
    const code = newDeviceCode();
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newDeviceCode()).not.toBe(code);
    expect(hashDeviceSignInCode('WDJBMJHT')).toMatch(/^[0-9a-f]{64}$/);
  });
});
