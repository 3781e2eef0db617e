import { sqlExecute, Tx } from '../db/database';
import { newId } from '../db/ids';
import { NOTICE_TEMPLATES, writeSecurityNotices } from '../mail/security-notices';
import type { TwoFactorMethodName } from '../two-factor/authenticator-state';

/** Every action the audit log records. Events carry who, whom, where and what; never a secret or code. */
export const AUDIT_ACTIONS = [
  'TWO_FACTOR_ENROLMENT_STARTED',
  'TWO_FACTOR_ENABLED',
  'TWO_FACTOR_DISABLED',
  'TWO_FACTOR_RESET',
  'RECOVERY_CODES_REGENERATED',
  'RECOVERY_CODE_USED',
  'CHALLENGE_PASSED',
  'CHALLENGE_FAILED',
  'CHALLENGE_INVALIDATED',
  'TENANT_TWO_FACTOR_CHANGED',
  'WORKSPACE_TWO_FACTOR_CHANGED',
  'POLICY_CHANGED',
  'RECOVERY_CODE_FORMAT_CHANGED',
  'SESSIONS_REVOKED',
  'MEMBER_ADDED',
  'WORKSPACE_MEMBER_ADDED',
  'REAUTH_FAILED',
  'ISSUER_CHANGED',
  'RECOVERY_CODES_VIEWED',
  'RECOVERY_CODE_VISIBILITY_CHANGED',
  'PASSKEY_ADDED',
  'PASSKEY_REMOVED',
  'PASSKEY_RENAMED',
  'PASSKEY_COUNTER_STALE',
  'TOTP_REMOVED',
  'TOTP_ADDED',
  'TWO_FACTOR_LOCKED',
  'DEVICE_REMEMBERED',
  'MEMBER_INVITED',
  'INVITATION_REVOKED',
  'INVITATION_ACCEPTED',
  'MEMBER_LEFT',
  'CHALLENGE_SKIPPED_REMEMBERED_DEVICE',
  'REMEMBERED_DEVICES_FORGOTTEN',
  'REMEMBER_DEVICE_DAYS_CHANGED',
  'SECOND_FACTOR_LIFETIME_CHANGED',
  'DEVICE_SIGN_IN_APPROVED',
  'DEVICE_SIGN_IN_DENIED',
  'IDENTITY_PROVIDER_SET',
  'IDENTITY_PROVIDER_REMOVED',
  'SSO_SIGN_IN',
  'SSO_SIGN_IN_REFUSED',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditRecord {
  tenantId: string;
  action: AuditAction;
  actorAgentId?: string | null;
  subjectAgentId?: string | null;
  workspaceId?: string | null;
  /** The second factor involved, where one is. */
  method?: TwoFactorMethodName | null;
  /** What the event adds in words, never a secret: e.g. the provider and the amr of an SSO sign-in. */
  detail?: string | null;
}

/**
 * Where the request being served came from: the client's address (after TRUSTED_PROXY_HOPS) and its User-Agent.
 * A request's SessionIdentity carries them, so each service hands its caller to recordAudit; work outside a
 * request (the demo seed) has neither, and its events record null. Security notices name both.
 */
export interface RequestOrigin {
  clientIp: string | null;
  userAgent?: string | null;
}

/** The width of `audit_events.detail`. */
const AUDIT_DETAIL_MAX_LENGTH = 500;

/** The audit column's width: an IPv6 address in text (an IPv4 tail included) fits; a zone id may not. */
const CLIENT_IP_MAX_LENGTH = 45;

/**
 * Writes audit events inside the caller's transaction, so the events and the change land together, in one
 * statement (they are recorded in the order given), each with the client address of the request behind them.
 * An event that warrants a security notice (mail/security-notices.ts) writes its e-mail there too.
 */
export async function recordAudit(tx: Tx, at: Date, origin: RequestOrigin, ...records: [AuditRecord, ...AuditRecord[]]): Promise<void> {
  const insert = auditInsert(at, origin, records);
  await sqlExecute(tx, insert.sql, insert.params);
  await writeSecurityNotices(tx, at, origin, records);
}

/** Whether recording these events also writes security notices (more statements than auditInsert's). */
export function auditWritesNotices(records: readonly AuditRecord[]): boolean {
  return records.some((record) => NOTICE_TEMPLATES[record.action] && record.subjectAgentId);
}

/**
 * The one INSERT of recordAudit, for a caller that sends it inside a statement batch of its own (MariaDB's
 * compound statements, answer.service.ts); only for events without notices (auditWritesNotices).
 */
export function auditInsert(at: Date, origin: RequestOrigin, records: readonly AuditRecord[]): { sql: string; params: unknown[] } {
  const clientIp = origin.clientIp?.slice(0, CLIENT_IP_MAX_LENGTH) ?? null;
  return {
    sql: `INSERT INTO audit_events (id, tenant_id, action, actor_agent_id, subject_agent_id, workspace_id, method, client_ip, at, detail) VALUES ${records
      .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .join(', ')}`,
    params: records.flatMap((record) => [
      newId(),
      record.tenantId,
      record.action,
      record.actorAgentId ?? null,
      record.subjectAgentId ?? null,
      record.workspaceId ?? null,
      record.method ?? null,
      clientIp,
      at,
      record.detail?.slice(0, AUDIT_DETAIL_MAX_LENGTH) ?? null,
    ]),
  };
}
