import type { StandingSourceName } from '../db/entities/tenant-standing.entity';
import type { TenantRoleName, TwoFactorPolicyName } from '../db/entities/tenant.entity';
import { policyCovers } from '../tenancy/roles';

export const ACCESS_DECISIONS = ['GRANTED', 'TWO_FACTOR_SETUP_REQUIRED', 'TWO_FACTOR_CHALLENGE_REQUIRED'] as const;
export type AccessDecision = (typeof ACCESS_DECISIONS)[number];

/** How the session holds the tenant's second factor, as far as the gate cares. */
export interface GateStanding {
  source: StandingSourceName;
  /** When the second factor behind it was answered. */
  passedAt: Date;
}

/**
 * A recent pass asked for: `maxAgeSeconds` on enterTenant/enterWorkspace, or a privileged action. Only a
 * standing from one of `sources` whose pass is at most `maxAgeSeconds` old at `now` counts.
 */
export interface Freshness {
  maxAgeSeconds: number;
  sources: readonly StandingSourceName[];
  now: Date;
}

/** What the gate knows about one session in one tenant. */
export interface GateFacts {
  tenantTwoFactorEnabled: boolean;
  policy: TwoFactorPolicyName;
  role: TenantRoleName;
  /** The agent has an ENABLED authenticator in this tenant (a pending one does not count). */
  isEnrolled: boolean;
  /** The session's standing in the tenant that still holds (not revoked, not lapsed), or null. */
  standing: GateStanding | null;
  /** Entering a workspace that requires 2FA; false for tenant-level operations. */
  workspaceRequiresTwoFactor: boolean;
  /**
   * Step-up: the operation weakens 2FA for the tenant or for another agent (turning tenant or workspace 2FA
   * off, relaxing the policy, resetting an agent's 2FA). It needs the second factor whatever the policy says.
   */
  weakensTwoFactor: boolean;
  /** A recent pass asked for; null: any standing counts. */
  freshness: Freshness | null;
}

/**
 * A tenant's second-factor lifetime: a standing holds while it was granted at most `lifetimeSeconds` before
 * `now` (the boundary itself counts); null, for the session's lifetime. Answers the earliest grant that still
 * holds, for SQL to compare `granted_at` with (standing.ts) and for `standingHolds`.
 */
export function standingCutoff(lifetimeSeconds: number | null, now: Date): Date {
  return new Date(lifetimeSeconds === null ? 0 : now.getTime() - lifetimeSeconds * 1000);
}

export function standingHolds(grantedAt: Date, lifetimeSeconds: number | null, now: Date): boolean {
  return grantedAt.getTime() >= standingCutoff(lifetimeSeconds, now).getTime();
}

/**
 * `maxAgeSeconds` on entering: a pass by challenge or by the tenant's identity provider at most that old. A
 * remembered device or a device approval vouches for a pass made elsewhere: never fresh enough.
 */
export const enterWithin = (maxAgeSeconds: number, now: Date): Freshness => ({ maxAgeSeconds, now, sources: ['CHALLENGE', 'IDENTITY_PROVIDER'] });

/** A privileged action: a challenge passed in this session at most `maxAgeSeconds` ago (PRIVILEGED_MAX_AGE_SECONDS). */
export const privilegedWithin = (maxAgeSeconds: number, now: Date): Freshness => ({ maxAgeSeconds, now, sources: ['CHALLENGE'] });

/**
 * The gate: does this session need the tenant's second factor, and has it got it?
 *
 * | tenant 2FA | needs it (enrolled ∨ policy covers role ∨ workspace requires ∨ weakens 2FA) | enrolled | standing (fresh enough) | decision          |
 * |------------|------------------------------------------------------------------------------|----------|-------------------------|-------------------|
 * | off        | –                                                                            | –        | –                       | GRANTED           |
 * | on         | no                                                                           | –        | –                       | GRANTED           |
 * | on         | yes                                                                          | no       | –                       | SETUP_REQUIRED    |
 * | on         | yes                                                                          | yes      | yes                     | GRANTED           |
 * | on         | yes                                                                          | yes      | no                      | CHALLENGE_REQUIRED|
 *
 * "Fresh enough": without `freshness`, any standing; with it, a standing from one of its sources whose pass is
 * at most `maxAgeSeconds` old (the boundary itself counts).
 *
 * With tenant 2FA off there is no second factor to step up with (and nothing left to weaken but a reset of a
 * dormant authenticator), so step-up and privileged actions ask nothing there either.
 */
export function decideAccess(facts: GateFacts): AccessDecision {
  if (!facts.tenantTwoFactorEnabled) return 'GRANTED';
  const needsSecondFactor =
    facts.isEnrolled || policyCovers(facts.policy, facts.role) || facts.workspaceRequiresTwoFactor || facts.weakensTwoFactor;
  if (!needsSecondFactor) return 'GRANTED';
  if (!facts.isEnrolled) return 'TWO_FACTOR_SETUP_REQUIRED';
  return isFreshEnough(facts.standing, facts.freshness) ? 'GRANTED' : 'TWO_FACTOR_CHALLENGE_REQUIRED';
}

function isFreshEnough(standing: GateStanding | null, freshness: Freshness | null): boolean {
  if (!standing) return false;
  if (!freshness) return true;
  const ageMs = freshness.now.getTime() - standing.passedAt.getTime();
  return freshness.sources.includes(standing.source) && ageMs <= freshness.maxAgeSeconds * 1000;
}
