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
    const claims = { amr: ['pwd', amr, 'mfa'], acr: 'aal2', second_factor_at: Date.parse('2026-01-01T00:00:12Z') / 1000 };
    expect(secondFactorClaims({ source: 'CHALLENGE', factor, passedAt })).toEqual(claims);
    // A device sign-in carries the approving session's pass, made in the browser minutes before.
    expect(secondFactorClaims({ source: 'DEVICE_APPROVAL', factor, passedAt })).toEqual(claims);
  });

  it('keeps a remembered device at aal2 with the pass it was remembered with, but names no factor answered now', () => {
    expect(secondFactorClaims({ source: 'REMEMBERED_DEVICE', factor: 'TOTP', passedAt })).toEqual({
      amr: ['pwd', 'mfa'],
      acr: 'aal2',
      second_factor_at: Date.parse('2026-01-01T00:00:12Z') / 1000,
    });
  });

  it("says the identity provider's multi-factor sign-in as mfa alone, at aal2", () => {
    expect(secondFactorClaims({ source: 'IDENTITY_PROVIDER', factor: null, passedAt })).toEqual({ amr: ['pwd', 'mfa'], acr: 'aal2', second_factor_at: Date.parse('2026-01-01T00:00:12Z') / 1000 });
  });
});
