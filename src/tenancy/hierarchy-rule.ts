import type { ErrorCode } from '../errors/error-codes';
import type { ErrorDetails } from '../errors/domain-error';
import type { TwoFactorPolicyName } from '../db/entities/tenant.entity';

/** What the rule needs to know about a tenant before a toggle. */
export interface TenantTwoFactorSettings {
  twoFactorEnabled: boolean;
  policy: TwoFactorPolicyName;
  /** Ids of the tenant's workspaces that require 2FA now. */
  workspacesRequiringTwoFactor: string[];
}

export type HierarchyChange =
  | { kind: 'tenant'; enabled: boolean }
  | { kind: 'workspace'; required: boolean }
  | { kind: 'policy'; policy: TwoFactorPolicyName };

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
  }
}
