import type { AccountService, IssuedSession, SignInOrigin } from '../accounts/account.service';
import type { SessionIdentity } from '../accounts/session-identity';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { formatUserCode, hashDeviceSignInCode, newDeviceCode, newUserCode, normalizeUserCode } from '../crypto/device-codes';
import { Database, isUniqueViolation, sqlExecute, sqlRows } from '../db/database';
import { AgentEntity, TenantEntity } from '../db/entities';
import type { DeviceSignInState } from '../db/entities/device-sign-in.entity';
import { newId } from '../db/ids';
import { rawDate } from '../db/raw';
import { assertThat, DomainError } from '../errors/domain-error';
import { CONSOLE_PATHS } from '../http/console-paths';
import type { PublicUrl } from '../http/public-url';
import type { Loaders } from '../loaders';
import type { ClientRateLimiter } from '../rate-limits/client-rate-limiter';
import type { GateService } from '../two-factor/gate.service';
import { handOverStanding } from '../two-factor/standing';

/** RFC 8628 §3.2: how long a device sign-in waits for a browser (10 minutes), and how often the device may poll (5 s). */
export const DEVICE_SIGN_IN_LIFETIME_MS = 10 * 60_000;
export const DEVICE_SIGN_IN_INTERVAL_SECONDS = 5;

const CLIENT_IP_MAX_LENGTH = 64;
const USER_AGENT_MAX_LENGTH = 256;

/** What beginDeviceSignIn answers the device. The device code is shown once, here. */
export interface BegunDeviceSignIn {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string;
  expiresAt: Date;
  interval: number;
}

/** What a browser session sees before deciding. `tenant` is set only for a member of the tenant the device asked for. */
export interface DeviceSignInView {
  userCode: string;
  clientName: string;
  clientIp: string | null;
  userAgent: string | null;
  tenant: TenantEntity | null;
  createdAt: Date;
  expiresAt: Date;
}

interface PendingRow {
  id: string;
  clientName: string;
  tenantId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/**
 * Device sign-in (RFC 8628 style): a device without a browser (the CLI) begins, shows a user code, and polls with
 * its device code; a signed-in browser session of the agent approves or denies by the user code. States:
 * PENDING → APPROVED | DENIED (a browser decides, once) → USED (the first poll after approval gets the session;
 * single use). A device that asked for a tenant gets a session holding that tenant's second factor (standing
 * DEVICE_APPROVAL) only when the approving session passed it by challenge within the privileged max age, checked
 * at approval (TWO_FACTOR_REQUIRED otherwise: the page asks for the factor) and handed over at the poll, while
 * that pass still stands (handOverStanding: not revoked, not lapsed).
 */
export class DeviceSignInService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly accounts: AccountService,
    private readonly gate: GateService,
    private readonly rateLimiter: ClientRateLimiter,
    private readonly publicUrl: PublicUrl,
  ) {}

  /**
   * No session needed. The tenant id is kept as given and judged only when a member approves, so an anonymous
   * caller learns nothing about which tenants exist. Expired requests of anyone go at the same time.
   */
  async begin(clientName: string, tenantId: string | null, origin: SignInOrigin): Promise<BegunDeviceSignIn> {
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + DEVICE_SIGN_IN_LIFETIME_MS);
    const deviceCode = newDeviceCode();
    await this.db.autocommit((manager) => sqlExecute(manager, 'DELETE FROM device_sign_ins WHERE expires_at <= ?', [now]));
    // A user code equal to a live one's is refused by the unique index: draw again (1 in 2^34 per live request).
    for (let attempt = 0; ; attempt++) {
      const userCode = newUserCode();
      try {
        await this.db.autocommit((manager) =>
          sqlExecute(
            manager,
            `INSERT INTO device_sign_ins (id, device_code_hash, user_code_hash, client_name, tenant_id, client_ip, user_agent, state, created_at, expires_at,
                                          last_polled_at, agent_id, approving_session_id, decided_at, session_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?, NULL, NULL, NULL, NULL, NULL)`,
            [
              newId(),
              hashDeviceSignInCode(deviceCode),
              hashDeviceSignInCode(normalizeUserCode(userCode)!),
              clientName.trim(),
              tenantId,
              origin.clientIp.slice(0, CLIENT_IP_MAX_LENGTH) || null,
              origin.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) || null,
              now,
              expiresAt,
            ],
          ),
        );
        return {
          deviceCode,
          userCode,
          verificationUri: this.publicUrl.link(CONSOLE_PATHS.device),
          verificationUriComplete: this.publicUrl.link(CONSOLE_PATHS.device, { code: userCode }),
          expiresAt,
          interval: DEVICE_SIGN_IN_INTERVAL_SECONDS,
        };
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 2) throw error;
      }
    }
  }

  /**
   * The device's poll: the session once approved (the first such poll only), AUTHORIZATION_PENDING, ACCESS_DENIED,
   * SLOW_DOWN when sooner than the interval after the last counted poll, INVALID_TOKEN when wrong, used or expired.
   */
  async poll(deviceCode: string, origin: SignInOrigin): Promise<IssuedSession> {
    const now = this.clock.now();
    const [row] = await sqlRows<Record<string, unknown>>(
      this.db.manager,
      'SELECT id, state, client_name, tenant_id, agent_id, approving_session_id, expires_at FROM device_sign_ins WHERE device_code_hash = ?',
      [hashDeviceSignInCode(deviceCode)],
    );
    const state = row?.state as DeviceSignInState | undefined;
    assertThat(row && state !== 'USED' && rawDate(row.expires_at)! > now, 'INVALID_TOKEN');
    const id = row.id as string;
    // One statement decides: of two polls racing within the interval, one is counted and the other slowed down.
    const pollableBefore = new Date(now.getTime() - DEVICE_SIGN_IN_INTERVAL_SECONDS * 1000);
    const counted = await this.db.autocommit((manager) =>
      sqlExecute(manager, 'UPDATE device_sign_ins SET last_polled_at = ? WHERE id = ? AND (last_polled_at IS NULL OR last_polled_at <= ?)', [now, id, pollableBefore]),
    );
    assertThat(counted === 1, 'SLOW_DOWN', { interval: DEVICE_SIGN_IN_INTERVAL_SECONDS });
    if (state === 'PENDING') throw new DomainError('AUTHORIZATION_PENDING', { interval: DEVICE_SIGN_IN_INTERVAL_SECONDS });
    if (state === 'DENIED') throw new DomainError('ACCESS_DENIED');

    const agentId = row.agent_id as string;
    const tenantId = row.tenant_id as string | null;
    return this.db.transaction(async (tx) => {
      const used = await sqlExecute(tx, "UPDATE device_sign_ins SET state = 'USED' WHERE id = ? AND state = 'APPROVED' AND expires_at > ?", [id, now]);
      assertThat(used === 1, 'INVALID_TOKEN');
      const agent = await tx.findOneBy(AgentEntity, { id: agentId });
      assertThat(agent, 'INVALID_TOKEN');
      const issued = await this.accounts.startSession(tx, agent, now, { ...origin, clientName: row.client_name as string });
      await sqlExecute(tx, 'UPDATE device_sign_ins SET session_id = ? WHERE id = ?', [issued.sessionId, id]);
      if (tenantId) await handOverStanding(tx, row.approving_session_id as string, { sessionId: issued.sessionId, agentId }, tenantId, now);
      return issued;
    });
  }

  /**
   * A pending request by its user code, for the approval page; null when there is none (wrong, decided, used or
   * expired). NOT_FOUND when the device asked for a tenant the caller is not a member of. Spends the user-code
   * budgets of the client address and of the session, so codes cannot be guessed.
   */
  async view(caller: SessionIdentity, loaders: Loaders, userCode: string): Promise<DeviceSignInView | null> {
    await this.spendGuess(caller);
    const row = await this.pending(userCode);
    if (!row) return null;
    const tenant = row.tenantId ? (await this.gate.member(loaders, row.tenantId)).tenant : null;
    return { userCode: formatUserCode(normalizeUserCode(userCode)!), ...row, tenant };
  }

  /**
   * The caller's agent approves: the device will be signed in as that agent. Where the device asked for a tenant,
   * the caller must be its member (NOT_FOUND) and, where the tenant's second factor stands behind the caller, have
   * passed it by challenge in this session within the privileged max age (TWO_FACTOR_REQUIRED with maxAgeSeconds).
   * Audited in that tenant as DEVICE_SIGN_IN_APPROVED.
   */
  async approve(caller: SessionIdentity, loaders: Loaders, userCode: string): Promise<void> {
    await this.decide(caller, loaders, userCode, 'APPROVED');
  }

  /** The caller denies: the device's next poll is ACCESS_DENIED. Audited as DEVICE_SIGN_IN_DENIED in the tenant asked for, where the caller is a member. */
  async deny(caller: SessionIdentity, loaders: Loaders, userCode: string): Promise<void> {
    await this.decide(caller, loaders, userCode, 'DENIED');
  }

  private async decide(caller: SessionIdentity, loaders: Loaders, userCode: string, decision: 'APPROVED' | 'DENIED'): Promise<void> {
    await this.spendGuess(caller);
    const row = await this.pending(userCode);
    assertThat(row, 'INVALID_TOKEN');
    let auditTenantId: string | null = null;
    if (row.tenantId && decision === 'APPROVED') {
      this.gate.assertPrivileged(await this.gate.member(loaders, row.tenantId));
      auditTenantId = row.tenantId;
    } else if (row.tenantId) {
      // Anyone shown the code may stop it; only a member's decision is written to the tenant's audit log.
      const facts = await loaders.tenantAccess.load(row.tenantId);
      if (facts?.role) auditTenantId = row.tenantId;
    }
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      const decided = await sqlExecute(
        tx,
        "UPDATE device_sign_ins SET state = ?, agent_id = ?, approving_session_id = ?, decided_at = ? WHERE id = ? AND state = 'PENDING' AND expires_at > ?",
        [decision, caller.agentId, caller.sessionId, now, row.id, now],
      );
      assertThat(decided === 1, 'INVALID_TOKEN');
      if (auditTenantId) {
        await recordAudit(tx, now, caller, {
          tenantId: auditTenantId,
          action: decision === 'APPROVED' ? 'DEVICE_SIGN_IN_APPROVED' : 'DEVICE_SIGN_IN_DENIED',
          actorAgentId: caller.agentId,
          subjectAgentId: caller.agentId,
        });
      }
    });
  }

  private async spendGuess(caller: SessionIdentity): Promise<void> {
    await this.rateLimiter.spend('user-code', caller.clientIp ?? '');
    await this.rateLimiter.spendForSession('user-code', caller.sessionId);
  }

  private async pending(userCode: string): Promise<PendingRow | null> {
    const normalized = normalizeUserCode(userCode);
    if (!normalized) return null;
    const [row] = await sqlRows<Record<string, unknown>>(
      this.db.manager,
      "SELECT id, client_name, tenant_id, client_ip, user_agent, created_at, expires_at FROM device_sign_ins WHERE user_code_hash = ? AND state = 'PENDING' AND expires_at > ?",
      [hashDeviceSignInCode(normalized), this.clock.now()],
    );
    if (!row) return null;
    return {
      id: row.id as string,
      clientName: row.client_name as string,
      tenantId: (row.tenant_id as string | null) ?? null,
      clientIp: (row.client_ip as string | null) ?? null,
      userAgent: (row.user_agent as string | null) ?? null,
      createdAt: rawDate(row.created_at)!,
      expiresAt: rawDate(row.expires_at)!,
    };
  }
}
