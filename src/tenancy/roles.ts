import type { TenantRoleName, TwoFactorPolicyName } from '../db/entities/tenant.entity';

/** Roles that manage a tenant: toggles, policy, members, resets, the agent list and the audit log. */
export function isTenantAdmin(role: TenantRoleName): boolean {
  return role === 'OWNER' || role === 'ADMIN';
}

/** Whether the tenant's policy obliges an agent of this role to enrol. */
export function policyCovers(policy: TwoFactorPolicyName, role: TenantRoleName): boolean {
  return policy === 'REQUIRED_FOR_EVERYONE' || (policy === 'REQUIRED_FOR_ADMINS' && isTenantAdmin(role));
}

/**
 * Rank: may a tenant admin reset, revoke or otherwise act on this member?
 *
 * | actor \ target | AGENT | ADMIN (other) | OWNER (other) | itself |
 * |----------------|-------|---------------|---------------|--------|
 * | OWNER          | yes   | yes           | yes           | yes    |
 * | ADMIN          | yes   | no            | no            | yes    |
 * | AGENT          | no    | no            | no            | no     |
 */
export function mayActOn(actor: TenantRoleName, target: TenantRoleName, isSelf: boolean): boolean {
  if (actor === 'OWNER') return true;
  if (actor === 'ADMIN') return isSelf || target === 'AGENT';
  return false;
}

/**
 * Rank for a role offered to someone (invited as, added as): an ADMIN brings in AGENTs; only an OWNER makes
 * another OWNER or ADMIN, so no admin can raise a confederate to its own rank or above.
 */
export function mayOffer(actor: TenantRoleName, offered: TenantRoleName): boolean {
  return offered === 'AGENT' ? isTenantAdmin(actor) : actor === 'OWNER';
}

const POLICY_STRENGTH: Record<TwoFactorPolicyName, number> = { OPTIONAL: 0, REQUIRED_FOR_ADMINS: 1, REQUIRED_FOR_EVERYONE: 2 };

/** A policy change that obliges fewer roles to enrol (it relaxes the tenant's 2FA). */
export function relaxesPolicy(from: TwoFactorPolicyName, to: TwoFactorPolicyName): boolean {
  return POLICY_STRENGTH[to] < POLICY_STRENGTH[from];
}
