import type { ErrorCode } from '../errors/error-codes';
import type { ErrorDetails } from '../errors/domain-error';
import type { TwoFactorPolicyName } from '../db/entities/tenant.entity';
import { relaxesPolicy } from './roles';

/** What the rule needs to know about a tenant before a toggle. */
export interface TenantTwoFactorSettings {
  twoFactorEnabled: boolean;
  policy: TwoFactorPolicyName;
  /** Ids of the tenant's workspaces that require 2FA now. */
  workspacesRequiringTwoFactor: string[];
  /** Days a device may skip the challenge (0: off). */
  rememberDeviceDays: number;
  /** Seconds a pass holds; null: the session's lifetime. */
  secondFactorLifetimeSeconds: number | null;
}

export type HierarchyChange =
  | { kind: 'tenant'; enabled: boolean }
  | { kind: 'workspace'; workspaceId: string; required: boolean }
  | { kind: 'policy'; policy: TwoFactorPolicyName }
  | { kind: 'remember-device-days'; days: number }
  | { kind: 'second-factor-lifetime'; seconds: number | null };

export interface HierarchyViolation {
  code: ErrorCode;
  details?: ErrorDetails;
}

/**
 * The hierarchy rule: tenant 2FA is the master switch.
 *
 * | change                         | refused when                          | code                                  |
 * |--------------------------------|---------------------------------------|---------------------------------------|
 * | tenant off                     | a workspace still requires 2FA        | WORKSPACES_STILL_REQUIRE_TWO_FACTOR   |
 * | tenant off                     | policy is not OPTIONAL                | POLICY_STILL_REQUIRES_TWO_FACTOR      |
 * | workspace requires 2FA         | tenant 2FA is off                     | TENANT_TWO_FACTOR_DISABLED            |
 * | policy other than OPTIONAL     | tenant 2FA is off                     | TENANT_TWO_FACTOR_DISABLED            |
 * | tenant on, workspace off, OPTIONAL | never                             |                                       |
 * | remembered-device days, lifetime   | never (they only say how long a pass lasts) |                                 |
 */
export function hierarchyViolation(tenant: TenantTwoFactorSettings, change: HierarchyChange): HierarchyViolation | null {
  switch (change.kind) {
    case 'tenant':
      if (change.enabled) return null;
      if (tenant.workspacesRequiringTwoFactor.length) {
        return { code: 'WORKSPACES_STILL_REQUIRE_TWO_FACTOR', details: { workspaceIds: tenant.workspacesRequiringTwoFactor } };
      }
      if (tenant.policy !== 'OPTIONAL') return { code: 'POLICY_STILL_REQUIRES_TWO_FACTOR' };
      return null;
    case 'workspace':
      return change.required && !tenant.twoFactorEnabled ? { code: 'TENANT_TWO_FACTOR_DISABLED' } : null;
    case 'policy':
      return change.policy !== 'OPTIONAL' && !tenant.twoFactorEnabled ? { code: 'TENANT_TWO_FACTOR_DISABLED' } : null;
    case 'remember-device-days':
    case 'second-factor-lifetime':
      return null;
  }
}

/**
 * Which changes weaken the tenant's 2FA, and so need step-up (the gate's `assertStepUp`). Judged against the
 * settings read under the tenant's row lock, so a racing change cannot make a weakening look harmless.
 *
 * | change                          | weakens when                                   |
 * |---------------------------------|------------------------------------------------|
 * | tenant off                      | tenant 2FA is on now                           |
 * | workspace stops requiring 2FA   | that workspace requires it now                 |
 * | policy                          | the new policy obliges fewer roles to enrol    |
 * | remembered-device days          | more days than now (devices skip longer)       |
 * | second-factor lifetime          | longer than now, or none (null) where one is set |
 * | turning on, requiring, tightening, shortening | never                            |
 */
export function weakensTwoFactor(tenant: TenantTwoFactorSettings, change: HierarchyChange): boolean {
  switch (change.kind) {
    case 'tenant':
      return tenant.twoFactorEnabled && !change.enabled;
    case 'workspace':
      return !change.required && tenant.workspacesRequiringTwoFactor.includes(change.workspaceId);
    case 'policy':
      return relaxesPolicy(tenant.policy, change.policy);
    case 'remember-device-days':
      return change.days > tenant.rememberDeviceDays;
    case 'second-factor-lifetime':
      return tenant.secondFactorLifetimeSeconds !== null && (change.seconds === null || change.seconds > tenant.secondFactorLifetimeSeconds);
  }
}
