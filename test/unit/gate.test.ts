import { describe, expect, it } from 'vitest';
import { decideAccess, enterWithin, GateFacts, GateStanding, privilegedWithin, standingCutoff, standingHolds } from '../../src/two-factor/gate';

const now = new Date('2026-01-01T12:00:00.000Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const passed: GateStanding = { source: 'CHALLENGE', passedAt: secondsAgo(60) };
const hasStanding = { standing: passed };

const facts = (overrides: Partial<GateFacts>): GateFacts => ({
  tenantTwoFactorEnabled: true,
  policy: 'OPTIONAL',
  role: 'AGENT',
  isEnrolled: false,
  standing: null,
  workspaceRequiresTwoFactor: false,
  weakensTwoFactor: false,
  freshness: null,
  ...overrides,
});

describe('the gate', () => {
  it.each<[string, Partial<GateFacts>, string]>([
    ['tenant 2FA off: nothing is asked, even of the enrolled', { tenantTwoFactorEnabled: false, isEnrolled: true, workspaceRequiresTwoFactor: true }, 'GRANTED'],
    ['not enrolled, optional policy, open workspace', {}, 'GRANTED'],
    ['not enrolled, workspace requires 2FA', { workspaceRequiresTwoFactor: true }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['not enrolled, policy covers admins, caller is ADMIN', { policy: 'REQUIRED_FOR_ADMINS', role: 'ADMIN' }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['not enrolled, policy covers admins, caller is OWNER', { policy: 'REQUIRED_FOR_ADMINS', role: 'OWNER' }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['not enrolled, policy covers admins, caller is AGENT', { policy: 'REQUIRED_FOR_ADMINS', role: 'AGENT' }, 'GRANTED'],
    ['not enrolled, policy covers everyone', { policy: 'REQUIRED_FOR_EVERYONE' }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['enrolled, no standing, open workspace', { isEnrolled: true }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['enrolled, with standing', { isEnrolled: true, ...hasStanding, workspaceRequiresTwoFactor: true }, 'GRANTED'],
    ['standing without enrolment (disabled since) under a policy', { ...hasStanding, policy: 'REQUIRED_FOR_EVERYONE' }, 'TWO_FACTOR_SETUP_REQUIRED'],
    // Step-up: weakening 2FA needs the second factor even where the policy asks nothing of the caller.
    ['step-up, not enrolled, optional policy, OWNER', { weakensTwoFactor: true, role: 'OWNER' }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['step-up, enrolled, no standing', { weakensTwoFactor: true, role: 'ADMIN', isEnrolled: true }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['step-up, enrolled, with standing', { weakensTwoFactor: true, role: 'ADMIN', isEnrolled: true, ...hasStanding }, 'GRANTED'],
    ['step-up, standing without enrolment (disabled since)', { weakensTwoFactor: true, role: 'OWNER', ...hasStanding }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['step-up with tenant 2FA off: no second factor to ask for', { weakensTwoFactor: true, tenantTwoFactorEnabled: false }, 'GRANTED'],
  ])('%s', (_case, overrides, expected) => {
    expect(decideAccess(facts(overrides))).toBe(expected);
  });

  // Enrolled, with a standing from `source` whose pass is `ageSeconds` old.
  const standing = (source: GateStanding['source'], ageSeconds: number) => ({ isEnrolled: true, standing: { source, passedAt: secondsAgo(ageSeconds) } });
  it.each<[string, Partial<GateFacts>, string]>([
    // maxAgeSeconds on entering: a pass by challenge or the identity provider at most that old.
    ['max age, a challenge passed just under it', { ...standing('CHALLENGE', 299.999), freshness: enterWithin(300, now) }, 'GRANTED'],
    ['max age, a challenge passed exactly that long ago', { ...standing('CHALLENGE', 300), freshness: enterWithin(300, now) }, 'GRANTED'],
    ['max age, a challenge passed just over it', { ...standing('CHALLENGE', 300.001), freshness: enterWithin(300, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['max age, the identity provider just now', { ...standing('IDENTITY_PROVIDER', 0), freshness: enterWithin(300, now) }, 'GRANTED'],
    ['max age, a remembered device just now', { ...standing('REMEMBERED_DEVICE', 0), freshness: enterWithin(300, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['max age, a device approval just now', { ...standing('DEVICE_APPROVAL', 0), freshness: enterWithin(300, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['max age without standing', { isEnrolled: true, freshness: enterWithin(300, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['max age where 2FA is not needed', { freshness: enterWithin(300, now) }, 'GRANTED'],
    ['no max age: an old remembered device stands', standing('REMEMBERED_DEVICE', 86_400 * 29), 'GRANTED'],
    // Privileged: a challenge in this session, at most PRIVILEGED_MAX_AGE_SECONDS old.
    ['privileged, a challenge 14 minutes ago', { ...standing('CHALLENGE', 14 * 60), freshness: privilegedWithin(900, now) }, 'GRANTED'],
    ['privileged, a challenge 16 minutes ago', { ...standing('CHALLENGE', 16 * 60), freshness: privilegedWithin(900, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['privileged, the identity provider just now', { ...standing('IDENTITY_PROVIDER', 0), freshness: privilegedWithin(900, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['privileged, a remembered device just now', { ...standing('REMEMBERED_DEVICE', 0), freshness: privilegedWithin(900, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['privileged step-up, a challenge 16 minutes ago', { weakensTwoFactor: true, ...standing('CHALLENGE', 16 * 60), freshness: privilegedWithin(900, now) }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['privileged with tenant 2FA off', { tenantTwoFactorEnabled: false, isEnrolled: true, freshness: privilegedWithin(900, now) }, 'GRANTED'],
  ])('%s', (_case, overrides, expected) => {
    expect(decideAccess(facts(overrides))).toBe(expected);
  });
});

describe("a tenant's lifetime for a pass", () => {
  it('holds a standing granted exactly the lifetime ago, and not a millisecond older', () => {
    expect(standingCutoff(600, now)).toEqual(secondsAgo(600));
    expect(standingHolds(secondsAgo(600), 600, now)).toBe(true);
    expect(standingHolds(new Date(secondsAgo(600).getTime() - 1), 600, now)).toBe(false);
    expect(standingHolds(secondsAgo(1), 600, now)).toBe(true);
  });

  it('holds any standing without a lifetime (the session lasts it)', () => {
    expect(standingCutoff(null, now)).toEqual(new Date(0));
    expect(standingHolds(new Date(1), null, now)).toBe(true);
  });
});
