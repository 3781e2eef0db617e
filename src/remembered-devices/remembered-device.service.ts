import type { SessionIdentity } from '../accounts/session-identity';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { hashSessionToken, newSessionToken } from '../crypto/tokens';
import { Database, sqlExecute, sqlRows, Tx } from '../db/database';
import { RememberedDeviceEntity, TenantEntity } from '../db/entities';
import type { StandingMethodName } from '../db/entities/tenant-standing.entity';
import { newId } from '../db/ids';
import { placeholders, rawDate } from '../db/raw';
import { assertThat } from '../errors/domain-error';
import type { TwoFactorMethodName } from '../two-factor/authenticator-state';
import type { GateStanding } from '../two-factor/gate';
import { grantStanding } from '../two-factor/standing';
import { deviceExpiresAt, isDeviceLive, rememberedUntil } from './device-expiry';
import { forgetRememberedDevices } from './forget-devices';

/** A device just remembered: the secret, shown once (the cookie, or Access.rememberedDeviceToken), and its expiry. */
export interface IssuedDevice {
  secret: string;
  expiresAt: Date;
}

/** A remembered device as its agent sees it. */
export interface RememberedDeviceView {
  id: string;
  createdAt: Date;
  /** When it stops vouching under the tenant's current days. */
  expiresAt: Date;
  lastUsedAt: Date | null;
  clientIp: string | null;
  userAgent: string | null;
  /** The request came from it (presented its secret). */
  current: boolean;
}

/** The secrets are 256 random bits: SHA-256 is enough to keep them, as for session tokens. */
const hashSecret = hashSessionToken;
const CLIENT_IP_MAX_LENGTH = 64;
const USER_AGENT_MAX_LENGTH = 256;

/**
 * Remembered devices: a challenge answered with `rememberDevice` makes the device skip that tenant's challenge for
 * its agent (standing REMEMBERED_DEVICE) until the tenant's days run out. Bound to (agent, tenant): the secret of
 * one pair does nothing for another. Never enough for a privileged action or an enter with `maxAgeSeconds`.
 */
export class RememberedDeviceService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /**
   * In the transaction that passed the challenge: a new secret for this device, where the tenant allows
   * remembering (null where it does not). The device's earlier secret for the pair (one it presented) and the
   * pair's expired devices go. Audited as DEVICE_REMEMBERED, which e-mails the agent a notice.
   */
  async remember(tx: Tx, session: SessionIdentity, tenant: TenantEntity, method: TwoFactorMethodName, presented: string[], now: Date): Promise<IssuedDevice | null> {
    if (tenant.rememberDeviceDays === 0) return null;
    const replaced = presented.map(hashSecret);
    await sqlExecute(
      tx,
      `DELETE FROM remembered_devices WHERE tenant_id = ? AND agent_id = ? AND (expires_at <= ?${replaced.length ? ` OR secret_hash IN (${placeholders(replaced)})` : ''})`,
      [tenant.id, session.agentId, now, ...replaced],
    );
    const secret = newSessionToken();
    const expiresAt = rememberedUntil(now, tenant.rememberDeviceDays);
    await tx.insert(RememberedDeviceEntity, {
      id: newId(),
      tenantId: tenant.id,
      agentId: session.agentId,
      secretHash: hashSecret(secret),
      method,
      createdAt: now,
      expiresAt,
      lastUsedAt: null,
      clientIp: session.clientIp?.slice(0, CLIENT_IP_MAX_LENGTH) ?? null,
      userAgent: session.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
    });
    await recordAudit(tx, now, session, { tenantId: tenant.id, action: 'DEVICE_REMEMBERED', actorAgentId: session.agentId, subjectAgentId: session.agentId, method });
    return { secret, expiresAt };
  }

  /**
   * An enter that would challenge: a live device of this agent and tenant among those the request presents
   * grants the session standing REMEMBERED_DEVICE instead (the pass it was remembered with behind it), marks the
   * device used and writes CHALLENGE_SKIPPED_REMEMBERED_DEVICE. Null when none vouches (none presented, another
   * agent's or tenant's, expired, forgotten meanwhile).
   */
  async vouch(session: SessionIdentity, tenant: TenantEntity, presented: string[], workspaceId: string | null): Promise<GateStanding | null> {
    if (!presented.length || tenant.rememberDeviceDays === 0) return null;
    const now = this.clock.now();
    const hashes = presented.map(hashSecret);
    const rows = await sqlRows(
      this.db.manager,
      `SELECT id, method, created_at, expires_at FROM remembered_devices WHERE secret_hash IN (${placeholders(hashes)}) AND tenant_id = ? AND agent_id = ?`,
      [...hashes, tenant.id, session.agentId],
    );
    const device = rows
      .map((row) => ({ id: row.id as string, method: row.method as StandingMethodName, createdAt: rawDate(row.created_at)!, expiresAt: rawDate(row.expires_at)! }))
      .find((candidate) => isDeviceLive(candidate, tenant.rememberDeviceDays, now));
    if (!device) return null;
    return this.db.transaction(async (tx) => {
      // Forgotten since it was read: it vouches for nothing.
      const used = await sqlExecute(tx, 'UPDATE remembered_devices SET last_used_at = ?, client_ip = ?, user_agent = ? WHERE id = ? AND expires_at > ?', [
        now,
        session.clientIp?.slice(0, CLIENT_IP_MAX_LENGTH) ?? null,
        session.userAgent?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
        device.id,
        now,
      ]);
      if (used !== 1) return null;
      await grantStanding(tx, session, tenant.id, { source: 'REMEMBERED_DEVICE', method: device.method, passedAt: device.createdAt }, now);
      await recordAudit(tx, now, session, {
        tenantId: tenant.id,
        action: 'CHALLENGE_SKIPPED_REMEMBERED_DEVICE',
        actorAgentId: session.agentId,
        subjectAgentId: session.agentId,
        workspaceId,
      });
      return { source: 'REMEMBERED_DEVICE' as const, passedAt: device.createdAt };
    });
  }

  /** The caller's live devices in the tenant, newest first. */
  async list(session: SessionIdentity, tenant: TenantEntity, presented: string[]): Promise<RememberedDeviceView[]> {
    const now = this.clock.now();
    const current = new Set(presented.map(hashSecret));
    const devices = await this.db.manager.find(RememberedDeviceEntity, { where: { tenantId: tenant.id, agentId: session.agentId }, order: { createdAt: 'DESC', id: 'DESC' } });
    return devices
      .filter((device) => isDeviceLive(device, tenant.rememberDeviceDays, now))
      .map((device) => ({
        id: device.id,
        createdAt: device.createdAt,
        expiresAt: deviceExpiresAt(device, tenant.rememberDeviceDays),
        lastUsedAt: device.lastUsedAt,
        clientIp: device.clientIp,
        userAgent: device.userAgent,
        current: current.has(device.secretHash),
      }));
  }

  /**
   * Forgets one of the caller's devices in the tenant (NOT_FOUND for any other); answers whether it was the
   * device the request came from (whose cookie can go too).
   */
  async forget(session: SessionIdentity, tenantId: string, deviceId: string, presented: string[]): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const device = await tx.findOneBy(RememberedDeviceEntity, { id: deviceId, tenantId, agentId: session.agentId });
      assertThat(device, 'NOT_FOUND');
      const forgotten = await tx.delete(RememberedDeviceEntity, { id: deviceId });
      assertThat(forgotten.affected === 1, 'NOT_FOUND'); // forgotten by a racing request
      await recordAudit(tx, now, session, { tenantId, action: 'REMEMBERED_DEVICES_FORGOTTEN', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      return presented.map(hashSecret).includes(device.secretHash);
    });
  }

  /** Forgets every device of the caller in the tenant; answers how many (expired ones not counted). */
  async forgetAll(session: SessionIdentity, tenantId: string): Promise<number> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const [live] = await sqlRows(tx, 'SELECT COUNT(*) AS devices FROM remembered_devices WHERE tenant_id = ? AND agent_id = ? AND expires_at > ?', [tenantId, session.agentId, now]);
      const forgotten = await forgetRememberedDevices(tx, { tenantId, agentId: session.agentId });
      if (forgotten) await recordAudit(tx, now, session, { tenantId, action: 'REMEMBERED_DEVICES_FORGOTTEN', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      return Number(live?.devices ?? 0);
    });
  }
}
