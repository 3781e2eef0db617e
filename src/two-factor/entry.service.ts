import type { SessionIdentity } from '../accounts/session-identity';
import { recordTenantEntry } from '../accounts/tenant-entry';
import type { Clock } from '../clock';
import type { Loaders } from '../loaders';
import type { Database } from '../db/database';
import type { TenantEntity, WorkspaceEntity } from '../db/entities';
import type { TenancyService } from '../tenancy/tenancy.service';
import type { TwoFactorMethodName } from './authenticator-state';
import type { ChallengeStore } from './challenge-store';
import type { EnrolmentService } from './enrolment.service';
import { AccessDecision, enterWithin, GateStanding } from './gate';
import type { GateService, MemberFacts } from './gate.service';
import { CHALLENGE_MAX_FAILED_ATTEMPTS } from './limits';
import { assertTwoFactorNotLocked, isLockedError } from './lockout';
import type { TwoFactorEventSink } from './two-factor-events';

export interface ChallengeView {
  id: string;
  tenantId: string;
  methods: TwoFactorMethodName[];
  attemptsRemaining: number;
  expiresAt: Date;
}

/** What enterTenant, enterWorkspace and a passed answer report. */
export interface AccessView {
  status: AccessDecision;
  tenant: TenantEntity;
  workspace: WorkspaceEntity | null;
  challenge: ChallengeView | null;
  /** How the session holds the tenant's second factor now (Access.standing, Access.secondFactorAt), or null. */
  standing: GateStanding | null;
}

/**
 * Entering a tenant or one of its workspaces: the gate's decision reported (not thrown), and where the session
 * must answer the tenant's second factor, a challenge to answer (answer.service.ts).
 */
export class EntryService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly tenancy: TenancyService,
    private readonly enrolment: EnrolmentService,
    private readonly challenges: ChallengeStore,
    private readonly onEvent: TwoFactorEventSink,
  ) {}

  /** `maxAgeSeconds`: a pass at most that old, by challenge or the identity provider (a fresh challenge otherwise). */
  async enterTenant(session: SessionIdentity, loaders: Loaders, tenantId: string, maxAgeSeconds?: number | null): Promise<AccessView> {
    const facts = await this.gate.member(loaders, tenantId);
    return this.enter(session, loaders, facts, null, maxAgeSeconds ?? null);
  }

  async enterWorkspace(session: SessionIdentity, loaders: Loaders, workspaceId: string, maxAgeSeconds?: number | null): Promise<AccessView> {
    const workspace = await this.tenancy.visibleWorkspace(loaders, session, workspaceId);
    const facts = await this.gate.member(loaders, workspace.tenantId);
    return this.enter(session, loaders, facts, workspace, maxAgeSeconds ?? null);
  }

  private async enter(
    session: SessionIdentity,
    loaders: Loaders,
    facts: MemberFacts,
    workspace: WorkspaceEntity | null,
    maxAgeSeconds: number | null,
  ): Promise<AccessView> {
    const freshness = maxAgeSeconds === null ? null : enterWithin(maxAgeSeconds, this.clock.now());
    const status = this.gate.decide(facts, workspace?.twoFactorRequired ?? false, { freshness });
    const access = { status, tenant: facts.tenant, workspace, challenge: null, standing: facts.standing };
    // An answered enter is the session's visit to this tenant (lastSignIn); a refused one is not. Nothing to
    // write when this session is the one recorded already (the conditional update would change nothing).
    const recordEntry = async () => {
      if (facts.lastSessionId !== session.sessionId) await this.db.autocommit((manager) => recordTenantEntry(manager, session, facts.tenant.id));
    };
    if (status !== 'TWO_FACTOR_CHALLENGE_REQUIRED') return (await recordEntry(), access);

    const now = this.clock.now();
    try {
      assertTwoFactorNotLocked(facts.authenticator!.lockedUntil, now);
    } catch (error) {
      if (isLockedError(error)) this.onEvent('answer-rate-limited');
      throw error;
    }
    const challenge = await this.challenges.open(session, facts.tenant.id, workspace?.id ?? null, now);
    await recordEntry();
    this.onEvent('challenge-issued');
    const status2fa = await this.enrolment.status(facts.tenant.id, session.agentId, loaders);
    return {
      ...access,
      challenge: {
        id: challenge.id,
        tenantId: challenge.tenantId,
        methods: status2fa.methods,
        attemptsRemaining: CHALLENGE_MAX_FAILED_ATTEMPTS - challenge.failedAttempts,
        expiresAt: challenge.expiresAt,
      },
    };
  }
}
