import type { Clock } from '../clock';
import type { Loaders } from '../context';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { DomainError, assertThat } from '../errors/domain-error';
import { isTenantAdmin } from '../tenancy/roles';
import { twoFactorState } from './authenticator-state';
import { AccessDecision, decideAccess } from './gate';
import type { TenantAccessFacts } from './tenant-access';

export type Clearance = 'member' | 'admin';

/** Facts of a tenant the caller belongs to. */
export type MemberFacts = TenantAccessFacts & { role: TenantRoleName };

/**
 * The one gate of every tenant-scoped operation. `admit` is what resolvers reach through the @TenantGate
 * decorator; `decide` is what enterTenant/enterWorkspace report instead of throwing.
 */
export class GateService {
  constructor(private readonly clock: Clock) {}

  /** The caller's facts in a tenant; NOT_FOUND when it is not a member (no probing of other tenants). */
  async member(loaders: Loaders, tenantId: string): Promise<MemberFacts> {
    const facts = await loaders.tenantAccess.load(tenantId);
    assertThat(facts?.role, 'NOT_FOUND');
    return facts as MemberFacts;
  }

  decide(facts: MemberFacts, workspaceRequiresTwoFactor: boolean): AccessDecision {
    return decideAccess({
      tenantTwoFactorEnabled: facts.tenant.twoFactorEnabled,
      policy: facts.tenant.twoFactorPolicy,
      role: facts.role,
      isEnrolled: twoFactorState(facts.authenticator, this.clock.now()) === 'ENABLED',
      hasStanding: facts.hasStanding,
      workspaceRequiresTwoFactor,
    });
  }

  /** Membership, then the second factor, then the role: NOT_FOUND, TWO_FACTOR_*, FORBIDDEN. */
  async admit(loaders: Loaders, tenantId: string, clearance: Clearance): Promise<MemberFacts> {
    const facts = await this.member(loaders, tenantId);
    const decision = this.decide(facts, false);
    if (decision === 'TWO_FACTOR_SETUP_REQUIRED') throw new DomainError('TWO_FACTOR_ENROLMENT_REQUIRED');
    if (decision === 'TWO_FACTOR_CHALLENGE_REQUIRED') throw new DomainError('TWO_FACTOR_REQUIRED');
    assertThat(clearance === 'member' || isTenantAdmin(facts.role), 'FORBIDDEN');
    return facts;
  }
}
