import { describe, expect, it } from 'vitest';
import { decideAccess, GateFacts } from '../../src/two-factor/gate';

const facts = (overrides: Partial<GateFacts>): GateFacts => ({
  tenantTwoFactorEnabled: true,
  policy: 'OPTIONAL',
  role: 'AGENT',
  isEnrolled: false,
  hasStanding: false,
  workspaceRequiresTwoFactor: false,
  weakensTwoFactor: false,
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
    ['enrolled, with standing', { isEnrolled: true, hasStanding: true, workspaceRequiresTwoFactor: true }, 'GRANTED'],
    ['standing without enrolment (disabled since) under a policy', { hasStanding: true, policy: 'REQUIRED_FOR_EVERYONE' }, 'TWO_FACTOR_SETUP_REQUIRED'],
    // Step-up: weakening 2FA needs the second factor even where the policy asks nothing of the caller.
    ['step-up, not enrolled, optional policy, OWNER', { weakensTwoFactor: true, role: 'OWNER' }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['step-up, enrolled, no standing', { weakensTwoFactor: true, role: 'ADMIN', isEnrolled: true }, 'TWO_FACTOR_CHALLENGE_REQUIRED'],
    ['step-up, enrolled, with standing', { weakensTwoFactor: true, role: 'ADMIN', isEnrolled: true, hasStanding: true }, 'GRANTED'],
    ['step-up, standing without enrolment (disabled since)', { weakensTwoFactor: true, role: 'OWNER', hasStanding: true }, 'TWO_FACTOR_SETUP_REQUIRED'],
    ['step-up with tenant 2FA off: no second factor to ask for', { weakensTwoFactor: true, tenantTwoFactorEnabled: false }, 'GRANTED'],
  ])('%s', (_case, overrides, expected) => {
    expect(decideAccess(facts(overrides))).toBe(expected);
  });
});
