import { describe, expect, it } from 'vitest';
import { HierarchyChange, hierarchyViolation, TenantTwoFactorSettings } from '../../src/tenancy/hierarchy-rule';

const tenant = (overrides: Partial<TenantTwoFactorSettings> = {}): TenantTwoFactorSettings => ({
  twoFactorEnabled: true,
  policy: 'OPTIONAL',
  workspacesRequiringTwoFactor: [],
  rememberDeviceDays: 0,
  secondFactorLifetimeSeconds: null,
  ...overrides,
});

describe('the hierarchy rule', () => {
  it.each<[string, TenantTwoFactorSettings, HierarchyChange, string | null]>([
    ['tenant on, from off', tenant({ twoFactorEnabled: false }), { kind: 'tenant', enabled: true }, null],
    ['tenant on again, with workspaces and the policy requiring it', tenant({ workspacesRequiringTwoFactor: ['w1'], policy: 'REQUIRED_FOR_EVERYONE' }), { kind: 'tenant', enabled: true }, null],
    ['tenant off, nothing requires it', tenant(), { kind: 'tenant', enabled: false }, null],
    ['tenant off while a workspace requires it', tenant({ workspacesRequiringTwoFactor: ['w1'] }), { kind: 'tenant', enabled: false }, 'WORKSPACES_STILL_REQUIRE_TWO_FACTOR'],
    ['tenant off while the policy requires it', tenant({ policy: 'REQUIRED_FOR_ADMINS' }), { kind: 'tenant', enabled: false }, 'POLICY_STILL_REQUIRES_TWO_FACTOR'],
    ['workspace requires while tenant on', tenant(), { kind: 'workspace', workspaceId: 'w1', required: true }, null],
    ['workspace requires while tenant off', tenant({ twoFactorEnabled: false }), { kind: 'workspace', workspaceId: 'w1', required: true }, 'TENANT_TWO_FACTOR_DISABLED'],
    ['workspace stops requiring while tenant off', tenant({ twoFactorEnabled: false }), { kind: 'workspace', workspaceId: 'w1', required: false }, null],
    ['policy for admins while tenant off', tenant({ twoFactorEnabled: false }), { kind: 'policy', policy: 'REQUIRED_FOR_ADMINS' }, 'TENANT_TWO_FACTOR_DISABLED'],
    ['policy for everyone while tenant on', tenant(), { kind: 'policy', policy: 'REQUIRED_FOR_EVERYONE' }, null],
    ['policy optional while tenant off', tenant({ twoFactorEnabled: false }), { kind: 'policy', policy: 'OPTIONAL' }, null],
    ['remembered-device days while tenant off', tenant({ twoFactorEnabled: false }), { kind: 'remember-device-days', days: 30 }, null],
    ['a second-factor lifetime while tenant off', tenant({ twoFactorEnabled: false }), { kind: 'second-factor-lifetime', seconds: 3600 }, null],
  ])('%s', (_case, settings, change, expected) => {
    expect(hierarchyViolation(settings, change)?.code ?? null).toBe(expected);
  });

  it('has nothing to say about how long a pass or a remembered device lasts', () => {
    expect(hierarchyViolation(tenant(), { kind: 'remember-device-days', days: 30 })).toBeNull();
    expect(hierarchyViolation(tenant(), { kind: 'second-factor-lifetime', seconds: null })).toBeNull();
  });

  it('names the workspaces that still require 2FA', () => {
    const violation = hierarchyViolation(tenant({ workspacesRequiringTwoFactor: ['w1', 'w2'] }), { kind: 'tenant', enabled: false });
    expect(violation?.details).toEqual({ workspaceIds: ['w1', 'w2'] });
  });
});
