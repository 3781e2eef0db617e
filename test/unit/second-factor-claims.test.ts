import { describe, expect, it } from 'vitest';
import { secondFactorClaims } from '../../src/tokens/second-factor-claims';

const passedAt = new Date('2026-01-01T00:00:12.999Z');

describe('the claims about the second factor (RFC 8176 amr, acr, second_factor_at)', () => {
  it('says only the password without a standing', () => {
    expect(secondFactorClaims(null)).toEqual({ amr: ['pwd'], acr: 'aal1' });
  });

  it.each([
    ['TOTP', 'otp'],
    ['RECOVERY_CODE', 'otp'],
    ['PASSKEY', 'hwk'],
  ] as const)('says %s as %s, with mfa, aal2 and the pass in whole seconds', (factor, amr) => {
    expect(secondFactorClaims({ factor, passedAt })).toEqual({ amr: ['pwd', amr, 'mfa'], acr: 'aal2', second_factor_at: Date.parse('2026-01-01T00:00:12Z') / 1000 });
  });
});
