import type { Clock } from '../clock';
import type { Loaders } from '../loaders';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { DomainError, assertThat } from '../errors/domain-error';
import { isTenantAdmin } from '../tenancy/roles';
import { twoFactorState } from './authenticator-state';
import { AccessDecision, decideAccess } from './gate';
import type { TenantAccessFacts } from './tenant-access';

/**
 * What an operation asks of the caller. 'admin-step-up' is 'admin' for an action that weakens 2FA for the
 * tenant or another agent: it also needs this tenant's second factor, passed by this session (step-up; see the glossary in docs/architecture.md).
 */
export type Clearance = 'member' | 'admin' | 'admin-step-up';

/** Facts of a tenant the caller belongs to. */
export type MemberFacts = TenantAccessFacts & { role: TenantRoleName };

/**
 * The one gate of every tenant-scoped operation. `admit` is what resolvers reach through the @TenantGate
 * decorator; `decide` is what enterTenant/enterWorkspace report instead of throwing; `assertStepUp` is for
 * services that learn only under their row lock whether a change weakens 2FA (the toggles and the policy).
 */
export class GateService {
  constructor(private readonly clock: Clock) {}

  /** The caller's facts in a tenant; NOT_FOUND when it is not a member (no probing of other tenants). */
  async member(loaders: Loaders, tenantId: string): Promise<MemberFacts> {
    const facts = await loaders.tenantAccess.load(tenantId);
    assertThat(facts?.role, 'NOT_FOUND');
    return facts as MemberFacts;
  }

  decide(facts: MemberFacts, workspaceRequiresTwoFactor: boolean, weakensTwoFactor = false): AccessDecision {
    return decideAccess({
      tenantTwoFactorEnabled: facts.tenant.twoFactorEnabled,
      policy: facts.tenant.twoFactorPolicy,
      role: facts.role,
      isEnrolled: twoFactorState(facts.authenticator, this.clock.now()) === 'ENABLED',
      hasStanding: facts.hasStanding,
      workspaceRequiresTwoFactor,
      weakensTwoFactor,
    });
  }

  /**
   * Membership, then the second factor, then the role, then step-up: NOT_FOUND, TWO_FACTOR_*, FORBIDDEN,
   * TWO_FACTOR_*. Step-up comes after the role so that it is asked only of those the role allows.
   */
  async admit(loaders: Loaders, tenantId: string, clearance: Clearance): Promise<MemberFacts> {
    const facts = await this.member(loaders, tenantId);
    this.assertDecision(this.decide(facts, false));
    assertThat(clearance === 'member' || isTenantAdmin(facts.role), 'FORBIDDEN');
    if (clearance === 'admin-step-up') this.assertStepUp(facts);
    return facts;
  }

  /**
   * Entering as a yes or no: the session could enter this tenant (or a workspace requiring 2FA) right now, else
   * TWO_FACTOR_ENROLMENT_REQUIRED / TWO_FACTOR_REQUIRED, never a challenge. What minting an access token asks.
   */
  assertMayEnter(facts: MemberFacts, workspaceRequiresTwoFactor: boolean): void {
    this.assertDecision(this.decide(facts, workspaceRequiresTwoFactor));
  }

  /** Step-up: the caller's session has passed this tenant's second factor (when tenant 2FA is on). */
  assertStepUp(facts: MemberFacts): void {
    this.assertDecision(this.decide(facts, false, true));
  }

  private assertDecision(decision: AccessDecision): void {
    if (decision === 'TWO_FACTOR_SETUP_REQUIRED') throw new DomainError('TWO_FACTOR_ENROLMENT_REQUIRED');
    if (decision === 'TWO_FACTOR_CHALLENGE_REQUIRED') throw new DomainError('TWO_FACTOR_REQUIRED');
  }
}
