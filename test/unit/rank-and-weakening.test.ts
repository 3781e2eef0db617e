import { describe, expect, it } from 'vitest';
import type { TenantRoleName, TwoFactorPolicyName } from '../../src/db/entities/tenant.entity';
import { HierarchyChange, TenantTwoFactorSettings, weakensTwoFactor } from '../../src/tenancy/hierarchy-rule';
import { isTenantAdmin, mayActOn, mayOffer, policyCovers, relaxesPolicy } from '../../src/tenancy/roles';

describe('roles: who manages a tenant, and whom its policy obliges to enrol', () => {
  it.each<[TenantRoleName, boolean]>([
    ['OWNER', true],
    ['ADMIN', true],
    ['AGENT', false],
  ])('%s manages the tenant: %s', (role, expected) => {
    expect(isTenantAdmin(role)).toBe(expected);
  });

  it.each<[TwoFactorPolicyName, TenantRoleName, boolean]>([
    ['OPTIONAL', 'OWNER', false],
    ['OPTIONAL', 'ADMIN', false],
    ['OPTIONAL', 'AGENT', false],
    ['REQUIRED_FOR_ADMINS', 'OWNER', true],
    ['REQUIRED_FOR_ADMINS', 'ADMIN', true],
    ['REQUIRED_FOR_ADMINS', 'AGENT', false],
    ['REQUIRED_FOR_EVERYONE', 'OWNER', true],
    ['REQUIRED_FOR_EVERYONE', 'ADMIN', true],
    ['REQUIRED_FOR_EVERYONE', 'AGENT', true],
  ])('%s obliges an %s to enrol: %s', (policy, role, expected) => {
    expect(policyCovers(policy, role)).toBe(expected);
  });
});

describe('rank: who may reset or revoke whom', () => {
  it.each<[TenantRoleName, TenantRoleName, boolean, boolean]>([
    ['OWNER', 'AGENT', false, true],
    ['OWNER', 'ADMIN', false, true],
    ['OWNER', 'OWNER', false, true],
    ['OWNER', 'OWNER', true, true],
    ['ADMIN', 'AGENT', false, true],
    ['ADMIN', 'ADMIN', true, true],
    ['ADMIN', 'ADMIN', false, false],
    ['ADMIN', 'OWNER', false, false],
    ['AGENT', 'AGENT', false, false],
    ['AGENT', 'AGENT', true, false],
  ])('%s on %s (itself: %s): %s', (actor, target, isSelf, expected) => {
    expect(mayActOn(actor, target, isSelf)).toBe(expected);
  });
});

describe('rank: who may offer which role (invitations, addTenantMember)', () => {
  it.each<[TenantRoleName, TenantRoleName, boolean]>([
    ['OWNER', 'OWNER', true],
    ['OWNER', 'ADMIN', true],
    ['OWNER', 'AGENT', true],
    ['ADMIN', 'OWNER', false],
    ['ADMIN', 'ADMIN', false],
    ['ADMIN', 'AGENT', true],
    ['AGENT', 'OWNER', false],
    ['AGENT', 'ADMIN', false],
    ['AGENT', 'AGENT', false],
  ])('%s offering %s: %s', (actor, offered, expected) => {
    expect(mayOffer(actor, offered)).toBe(expected);
  });
});

describe('which changes weaken 2FA and need step-up', () => {
  const on: TenantTwoFactorSettings = {
    twoFactorEnabled: true,
    policy: 'REQUIRED_FOR_ADMINS',
    workspacesRequiringTwoFactor: ['w1'],
    rememberDeviceDays: 7,
    secondFactorLifetimeSeconds: 3600,
  };
  it.each<[string, TenantTwoFactorSettings, HierarchyChange, boolean]>([
    ['tenant off while on', on, { kind: 'tenant', enabled: false }, true],
    ['tenant off while already off', { ...on, twoFactorEnabled: false }, { kind: 'tenant', enabled: false }, false],
    ['tenant on', { ...on, twoFactorEnabled: false }, { kind: 'tenant', enabled: true }, false],
    ['a requiring workspace stops requiring', on, { kind: 'workspace', workspaceId: 'w1', required: false }, true],
    ['a workspace that did not require stays so', on, { kind: 'workspace', workspaceId: 'w2', required: false }, false],
    ['a workspace starts requiring', on, { kind: 'workspace', workspaceId: 'w2', required: true }, false],
    ['policy relaxed to OPTIONAL', on, { kind: 'policy', policy: 'OPTIONAL' }, true],
    ['policy unchanged', on, { kind: 'policy', policy: 'REQUIRED_FOR_ADMINS' }, false],
    ['policy tightened', on, { kind: 'policy', policy: 'REQUIRED_FOR_EVERYONE' }, false],
    ['remembered-device days raised', on, { kind: 'remember-device-days', days: 8 }, true],
    ['remembered-device days unchanged', on, { kind: 'remember-device-days', days: 7 }, false],
    ['remembered-device days lowered', on, { kind: 'remember-device-days', days: 6 }, false],
    ['remembered-device days turned off', on, { kind: 'remember-device-days', days: 0 }, false],
    ['remembered devices turned on', { ...on, rememberDeviceDays: 0 }, { kind: 'remember-device-days', days: 1 }, true],
    ['lifetime lengthened', on, { kind: 'second-factor-lifetime', seconds: 3601 }, true],
    ['lifetime unchanged', on, { kind: 'second-factor-lifetime', seconds: 3600 }, false],
    ['lifetime shortened', on, { kind: 'second-factor-lifetime', seconds: 3599 }, false],
    ['lifetime removed (a pass holds for the session)', on, { kind: 'second-factor-lifetime', seconds: null }, true],
    ['a lifetime set where none was', { ...on, secondFactorLifetimeSeconds: null }, { kind: 'second-factor-lifetime', seconds: 60 }, false],
    ['no lifetime, still none', { ...on, secondFactorLifetimeSeconds: null }, { kind: 'second-factor-lifetime', seconds: null }, false],
  ])('%s: %s', (_case, settings, change, expected) => {
    expect(weakensTwoFactor(settings, change)).toBe(expected);
  });

  it.each<[TwoFactorPolicyName, TwoFactorPolicyName, boolean]>([
    ['REQUIRED_FOR_EVERYONE', 'REQUIRED_FOR_ADMINS', true],
    ['REQUIRED_FOR_EVERYONE', 'OPTIONAL', true],
    ['REQUIRED_FOR_ADMINS', 'OPTIONAL', true],
    ['OPTIONAL', 'REQUIRED_FOR_ADMINS', false],
    ['REQUIRED_FOR_ADMINS', 'REQUIRED_FOR_EVERYONE', false],
    ['OPTIONAL', 'OPTIONAL', false],
  ])('relaxing the policy from %s to %s: %s', (from, to, expected) => {
    expect(relaxesPolicy(from, to)).toBe(expected);
  });
});
