import type { TenantRoleName, TwoFactorPolicyName } from '../db/entities/tenant.entity';

/** Roles that manage a tenant: toggles, policy, members, resets, the agent list and the audit log. */
export function isTenantAdmin(role: TenantRoleName): boolean {
  return role === 'OWNER' || role === 'ADMIN';
}

/** Whether the tenant's policy obliges an agent of this role to enrol. */
export function policyCovers(policy: TwoFactorPolicyName, role: TenantRoleName): boolean {
  return policy === 'REQUIRED_FOR_EVERYONE' || (policy === 'REQUIRED_FOR_ADMINS' && isTenantAdmin(role));
}
