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
import type { IssuedDevice, RememberedDeviceService } from '../remembered-devices/remembered-device.service';

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
  /** A device remembered by this answer (rememberDevice), its secret shown once. */
  rememberedDevice?: IssuedDevice | null;
}

/** What an enter asks beyond the place: a recent pass, and the remembered-device secrets the request presents. */
export interface EnterOptions {
  /** A pass at most this old, by challenge or the identity provider: a fresh challenge otherwise, even with standing. */
  maxAgeSeconds?: number | null;
  /** The device secrets the request presents for a tenant (the cookie, the X-Remembered-Device header). */
  presentedDevices?: (tenantId: string) => string[];
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
    private readonly devices: RememberedDeviceService,
    private readonly onEvent: TwoFactorEventSink,
  ) {}

  async enterTenant(session: SessionIdentity, loaders: Loaders, tenantId: string, options: EnterOptions = {}): Promise<AccessView> {
    const facts = await this.gate.member(loaders, tenantId);
    return this.enter(session, loaders, facts, null, options);
  }

  async enterWorkspace(session: SessionIdentity, loaders: Loaders, workspaceId: string, options: EnterOptions = {}): Promise<AccessView> {
    const workspace = await this.tenancy.visibleWorkspace(loaders, session, workspaceId);
    const facts = await this.gate.member(loaders, workspace.tenantId);
    return this.enter(session, loaders, facts, workspace, options);
  }

  private async enter(session: SessionIdentity, loaders: Loaders, facts: MemberFacts, workspace: WorkspaceEntity | null, options: EnterOptions): Promise<AccessView> {
    const maxAgeSeconds = options.maxAgeSeconds ?? null;
    const freshness = maxAgeSeconds === null ? null : enterWithin(maxAgeSeconds, this.clock.now());
    const status = this.gate.decide(facts, workspace?.twoFactorRequired ?? false, { freshness });
    const access = { status, tenant: facts.tenant, workspace, challenge: null, standing: facts.standing };
    // An answered enter is the session's visit to this tenant (lastSignIn); a refused one is not. Nothing to
    // write when this session is the one recorded already (the conditional update would change nothing).
    const recordEntry = async () => {
      if (facts.lastSessionId !== session.sessionId) await this.db.autocommit((manager) => recordTenantEntry(manager, session, facts.tenant.id));
    };
    if (status !== 'TWO_FACTOR_CHALLENGE_REQUIRED') return (await recordEntry(), access);

    // A remembered device stands in for the challenge, unless a recent pass was asked for: it vouches for an old one.
    const presented = maxAgeSeconds === null ? (options.presentedDevices?.(facts.tenant.id) ?? []) : [];
    const vouched = await this.devices.vouch(session, facts.tenant, presented, workspace?.id ?? null);
    if (vouched) return (await recordEntry(), { ...access, status: 'GRANTED', standing: vouched });

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
