import type { Clock } from '../clock';
import type { Loaders } from '../loaders';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { DomainError, assertThat } from '../errors/domain-error';
import { isTenantAdmin } from '../tenancy/roles';
import { twoFactorState } from './authenticator-state';
import { AccessDecision, decideAccess, Freshness, GateStanding, privilegedWithin } from './gate';
import type { TenantAccessFacts } from './tenant-access';

/**
 * What an operation asks of the caller. 'admin-step-up' is 'admin' for an action that weakens 2FA for the
 * tenant or another agent: it also needs this tenant's second factor, passed by this session (step-up; see the
 * glossary in docs/architecture.md), recently (a privileged action). 'privileged' is 'member' for a privileged
 * action of the caller's own (viewRecoveryCodes): where the tenant's second factor stands behind the caller, a
 * recent pass of it by challenge in this session.
 */
export type Clearance = 'member' | 'admin' | 'admin-step-up' | 'privileged';

/** Facts of a tenant the caller belongs to. */
export type MemberFacts = TenantAccessFacts & { role: TenantRoleName };

/** What the gate decides on: a member's facts, whose standing may be one read afresh (an access token's). */
export type GateSubject = Omit<MemberFacts, 'standing'> & { standing: GateStanding | null };

/** What an operation asks beyond entering: step-up (it weakens 2FA), and how recent a pass must be. */
export interface Demand {
  weakensTwoFactor?: boolean;
  freshness?: Freshness | null;
}

/**
 * The one gate of every tenant-scoped operation. `admit` is what resolvers reach through the @TenantGate
 * decorator; `decide` is what enterTenant/enterWorkspace report instead of throwing; `assertStepUp` is for
 * services that learn only under their row lock whether a change weakens 2FA (the toggles and the policy);
 * `assertPrivileged` and `assertPrivilegedInAnyTenant` are for privileged actions outside @TenantGate
 * (approving a device sign-in, changing the password).
 */
export class GateService {
  constructor(
    private readonly clock: Clock,
    /** PRIVILEGED_MAX_AGE_SECONDS: how old the pass behind a privileged action may be. */
    readonly privilegedMaxAgeSeconds: number,
  ) {}

  /** The caller's facts in a tenant; NOT_FOUND when it is not a member (no probing of other tenants). */
  async member(loaders: Loaders, tenantId: string): Promise<MemberFacts> {
    const facts = await loaders.tenantAccess.load(tenantId);
    assertThat(facts?.role, 'NOT_FOUND');
    return facts as MemberFacts;
  }

  decide(facts: GateSubject, workspaceRequiresTwoFactor: boolean, demand: Demand = {}): AccessDecision {
    return decideAccess({
      tenantTwoFactorEnabled: facts.tenant.twoFactorEnabled,
      policy: facts.tenant.twoFactorPolicy,
      role: facts.role,
      isEnrolled: this.isEnrolled(facts),
      standing: facts.standing,
      workspaceRequiresTwoFactor,
      weakensTwoFactor: demand.weakensTwoFactor ?? false,
      freshness: demand.freshness ?? null,
    });
  }

  /**
   * Membership, then the second factor, then the role, then step-up and privilege: NOT_FOUND, TWO_FACTOR_*,
   * FORBIDDEN, TWO_FACTOR_*. Step-up comes after the role so that it is asked only of those the role allows.
   */
  async admit(loaders: Loaders, tenantId: string, clearance: Clearance): Promise<MemberFacts> {
    const facts = await this.member(loaders, tenantId);
    this.assertDecision(this.decide(facts, false));
    assertThat(clearance === 'member' || clearance === 'privileged' || isTenantAdmin(facts.role), 'FORBIDDEN');
    if (clearance === 'admin-step-up') this.assertStepUp(facts);
    if (clearance === 'privileged') this.assertPrivileged(facts);
    return facts;
  }

  /**
   * Entering as a yes or no: the session could enter this tenant (or a workspace requiring 2FA) right now, else
   * TWO_FACTOR_ENROLMENT_REQUIRED / TWO_FACTOR_REQUIRED, never a challenge. What minting an access token asks.
   */
  assertMayEnter(facts: GateSubject, workspaceRequiresTwoFactor: boolean): void {
    this.assertDecision(this.decide(facts, workspaceRequiresTwoFactor));
  }

  /**
   * Step-up, a privileged action that weakens 2FA: the caller's session passed this tenant's second factor by a
   * challenge within the privileged max age (when tenant 2FA is on), whether or not the policy asks it of the
   * caller otherwise (TWO_FACTOR_ENROLMENT_REQUIRED for an actor without one).
   */
  assertStepUp(facts: MemberFacts): void {
    this.assertDecision(this.decide(facts, false, { weakensTwoFactor: true, freshness: this.privilegedFreshness() }), this.privilegedMaxAgeSeconds);
  }

  /**
   * A privileged action (RULES v3): where the tenant's second factor stands behind the caller (tenant 2FA on,
   * the caller enrolled, or the policy covering it), this session passed it by a challenge within the privileged
   * max age, not by a remembered device; else TWO_FACTOR_REQUIRED with `maxAgeSeconds`, which a client answers
   * with enterTenant(maxAgeSeconds) and a retry.
   */
  assertPrivileged(facts: MemberFacts): void {
    this.assertDecision(this.decide(facts, false, { freshness: this.privilegedFreshness() }), this.privilegedMaxAgeSeconds);
  }

  /**
   * A privileged action that names no tenant (changePassword): an agent enrolled in any of `tenantIds` whose
   * 2FA is on needs a privileged pass in one of those; an agent with no second factor in force anywhere needs
   * none. TWO_FACTOR_REQUIRED names the tenants any one of which would do (`tenantIds`) and `maxAgeSeconds`.
   */
  async assertPrivilegedInAnyTenant(loaders: Loaders, tenantIds: readonly string[]): Promise<void> {
    const loaded = await loaders.tenantAccess.loadMany(tenantIds);
    const protecting = loaded.filter((facts): facts is MemberFacts => isMemberFacts(facts) && facts.tenant.twoFactorEnabled && this.isEnrolled(facts));
    if (!protecting.length) return;
    const freshness = this.privilegedFreshness();
    if (protecting.some((facts) => this.decide(facts, false, { freshness }) === 'GRANTED')) return;
    throw new DomainError('TWO_FACTOR_REQUIRED', { maxAgeSeconds: this.privilegedMaxAgeSeconds, tenantIds: protecting.map((facts) => facts.tenant.id) });
  }

  private isEnrolled(facts: Pick<TenantAccessFacts, 'authenticator'>): boolean {
    return twoFactorState(facts.authenticator, this.clock.now()) === 'ENABLED';
  }

  private privilegedFreshness(): Freshness {
    return privilegedWithin(this.privilegedMaxAgeSeconds, this.clock.now());
  }

  private assertDecision(decision: AccessDecision, maxAgeSeconds?: number): void {
    if (decision === 'TWO_FACTOR_SETUP_REQUIRED') throw new DomainError('TWO_FACTOR_ENROLMENT_REQUIRED');
    if (decision === 'TWO_FACTOR_CHALLENGE_REQUIRED') throw new DomainError('TWO_FACTOR_REQUIRED', maxAgeSeconds ? { maxAgeSeconds } : {});
  }
}

function isMemberFacts(facts: TenantAccessFacts | Error | null): facts is MemberFacts {
  return facts !== null && !(facts instanceof Error) && facts.role !== null;
}
