import type { TenantRoleName, TwoFactorPolicyName } from '../db/entities/tenant.entity';
import { policyCovers } from '../tenancy/roles';

export const ACCESS_DECISIONS = ['GRANTED', 'TWO_FACTOR_SETUP_REQUIRED', 'TWO_FACTOR_CHALLENGE_REQUIRED'] as const;
export type AccessDecision = (typeof ACCESS_DECISIONS)[number];

/** What the gate knows about one session in one tenant. */
export interface GateFacts {
  tenantTwoFactorEnabled: boolean;
  policy: TwoFactorPolicyName;
  role: TenantRoleName;
  /** The agent has an ENABLED authenticator in this tenant (a pending one does not count). */
  isEnrolled: boolean;
  /** This session passed the tenant's second factor (or confirmed enrolment) and was not revoked since. */
  hasStanding: boolean;
  /** Entering a workspace that requires 2FA; false for tenant-level operations. */
  workspaceRequiresTwoFactor: boolean;
  /**
   * Step-up: the operation weakens 2FA for the tenant or for another agent (turning tenant or workspace 2FA
   * off, relaxing the policy, resetting an agent's 2FA). It needs the second factor whatever the policy says.
   */
  weakensTwoFactor: boolean;
}

/**
 * The gate: does this session need the tenant's second factor, and has it got it?
 *
 * | tenant 2FA | needs it (enrolled ∨ policy covers role ∨ workspace requires ∨ weakens 2FA) | enrolled | standing | decision          |
 * |------------|------------------------------------------------------------------------------|----------|----------|-------------------|
 * | off        | –                                                                            | –        | –        | GRANTED           |
 * | on         | no                                                                           | –        | –        | GRANTED           |
 * | on         | yes                                                                          | no       | –        | SETUP_REQUIRED    |
 * | on         | yes                                                                          | yes      | yes      | GRANTED           |
 * | on         | yes                                                                          | yes      | no       | CHALLENGE_REQUIRED|
 *
 * With tenant 2FA off there is no second factor to step up with (and nothing left to weaken but a reset of a
 * dormant authenticator), so step-up asks nothing there either.
 */
export function decideAccess(facts: GateFacts): AccessDecision {
  if (!facts.tenantTwoFactorEnabled) return 'GRANTED';
  const needsSecondFactor =
    facts.isEnrolled || policyCovers(facts.policy, facts.role) || facts.workspaceRequiresTwoFactor || facts.weakensTwoFactor;
  if (!needsSecondFactor) return 'GRANTED';
  if (!facts.isEnrolled) return 'TWO_FACTOR_SETUP_REQUIRED';
  return facts.hasStanding ? 'GRANTED' : 'TWO_FACTOR_CHALLENGE_REQUIRED';
}
