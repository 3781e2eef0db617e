import { SESSION_USER_AGENT_MAX_LENGTH } from '../accounts/account.service';
import type { AuditAction, AuditRecord, RequestOrigin } from '../audit/audit-log';
import { Database, sqlRows, Tx } from '../db/database';
import { rawBool, rawInt } from '../db/raw';
import { PASSKEY_COUNT, RECOVERY_CODES_REMAINING } from '../two-factor/two-factor-status';
import { AgentRecipient, MailOutbox } from './outbox';
import { authenticatorAppAdded } from './templates/authenticator-app-added';
import { authenticatorAppRemoved } from './templates/authenticator-app-removed';
import { deviceRemembered } from './templates/device-remembered';
import type { MailTemplate } from './templates/mail-template';
import { passkeyAdded } from './templates/passkey-added';
import { passkeyRemoved } from './templates/passkey-removed';
import { recoveryCodeUsed } from './templates/recovery-code-used';
import { recoveryCodesRegenerated } from './templates/recovery-codes-regenerated';
import type { NoticeData, TenantNoticeData } from './templates/security-notice';
import { sessionsRevoked } from './templates/sessions-revoked';
import { twoFactorDisabled } from './templates/two-factor-disabled';
import { twoFactorEnabled } from './templates/two-factor-enabled';
import { twoFactorLocked } from './templates/two-factor-locked';
import { twoFactorReset } from './templates/two-factor-reset';

/**
 * The audit actions that tell their subject agent by e-mail, each with its notice (RULES: "Security notices by
 * e-mail"). Being written by recordAudit, a notice is sent once per event and only if the event commits.
 */
export const NOTICE_TEMPLATES: Partial<Record<AuditAction, MailTemplate<TenantNoticeData>>> = {
  TWO_FACTOR_ENABLED: twoFactorEnabled,
  TWO_FACTOR_DISABLED: twoFactorDisabled,
  TOTP_ADDED: authenticatorAppAdded,
  TOTP_REMOVED: authenticatorAppRemoved,
  PASSKEY_ADDED: passkeyAdded,
  PASSKEY_REMOVED: passkeyRemoved,
  RECOVERY_CODES_REGENERATED: recoveryCodesRegenerated,
  RECOVERY_CODE_USED: recoveryCodeUsed,
  TWO_FACTOR_RESET: twoFactorReset,
  SESSIONS_REVOKED: sessionsRevoked,
  TWO_FACTOR_LOCKED: twoFactorLocked,
  DEVICE_REMEMBERED: deviceRemembered,
};


/**
 * Security notices: written in the transaction of the event they report, to the agent's address as stored (read
 * in the inserting statement).
 */
export class SecurityNotices {
  constructor(private readonly outbox: MailOutbox) {}

  /**
   * recordAudit's part: a notice for each record whose action has one (one per agent and tenant in a batch),
   * naming the tenant and, after a recovery code, how many are left. The first passkey of a pair turns its 2FA on
   * (TWO_FACTOR_ENABLED, then PASSKEY_ADDED): one event, one message.
   */
  async forAuditRecords(tx: Tx, at: Date, origin: RequestOrigin, records: readonly AuditRecord[]): Promise<void> {
    const told = new Set<string>();
    for (const record of records) {
      const template = NOTICE_TEMPLATES[record.action];
      const agentId = record.subjectAgentId;
      if (!template || !agentId || told.has(`${record.tenantId}:${agentId}`)) continue;
      told.add(`${record.tenantId}:${agentId}`);
      const [tenant] = await sqlRows<{ name: string; recovery_codes_left: unknown; passkey_count: unknown; totp_enabled: unknown }>(
        tx,
        `SELECT t.name, ${RECOVERY_CODES_REMAINING} AS recovery_codes_left, ${PASSKEY_COUNT} AS passkey_count, a.totp_enabled
           FROM tenants t LEFT JOIN authenticators a ON a.tenant_id = t.id AND a.agent_id = ? WHERE t.id = ?`,
        [agentId, record.tenantId],
      );
      // A passkey that is the pair's only factor is the one that just turned its 2FA on: "turned on" said it.
      if (record.action === 'PASSKEY_ADDED' && rawInt(tenant.passkey_count) === 1 && !rawBool(tenant.totp_enabled)) continue;
      const data: TenantNoticeData = {
        ...noticeFacts(at, origin),
        tenantName: tenant.name,
        ...(record.action === 'RECOVERY_CODE_USED' ? { recoveryCodesLeft: rawInt(tenant.recovery_codes_left) } : {}),
      };
      await this.outbox.enqueueToAgent(tx, { agentId }, template.name, { ...data }, at);
    }
  }

  /**
   * A notice about the account itself (no tenant): the sign-in lock, a password changed or reset. By agent id,
   * or by address: an address without an account gets nothing, through the same statement.
   */
  async notifyAccount(tx: Tx, recipient: AgentRecipient, template: MailTemplate<NoticeData>, origin: RequestOrigin, at: Date): Promise<void> {
    await this.outbox.enqueueToAgent(tx, recipient, template.name, { ...noticeFacts(at, origin) }, at);
  }
}

/** The device is named by its User-Agent, cut as a session's is. */
function noticeFacts(at: Date, origin: RequestOrigin): NoticeData {
  return { at: at.toISOString(), clientIp: origin.clientIp ?? null, userAgent: origin.userAgent?.slice(0, SESSION_USER_AGENT_MAX_LENGTH) || null };
}

/**
 * recordAudit is called with a transaction, not with services: the composition root binds each database's
 * notices once (createMail), and recordAudit finds them through its transaction's data source.
 */
const boundNotices = new WeakMap<object, SecurityNotices>();

export function bindSecurityNotices(db: Database, notices: SecurityNotices): void {
  boundNotices.set(db.dataSource, notices);
}

/** The notices for audit records written in `tx` (nothing to do when no record has one). */
export async function writeSecurityNotices(tx: Tx, at: Date, origin: RequestOrigin, records: readonly AuditRecord[]): Promise<void> {
  if (!records.some((record) => NOTICE_TEMPLATES[record.action] && record.subjectAgentId)) return;
  const notices = boundNotices.get(tx.connection);
  // Never drop a notice silently: every database the gateway writes through has its notices bound.
  if (!notices) throw new Error('security notices are not bound to this database (createServices binds them)');
  await notices.forAuditRecords(tx, at, origin, records);
}
