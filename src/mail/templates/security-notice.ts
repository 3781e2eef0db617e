import { mailTemplate, MailTemplate } from './mail-template';

/** What every security notice names: when, from which client address and device (the request that did it). */
export interface NoticeData {
  /** ISO 8601. */
  at: string;
  clientIp: string | null;
  /** The request's User-Agent, as the client sent it (cut to 256 characters). */
  userAgent: string | null;
}

/** A notice about the agent's second factor in one tenant. */
export interface TenantNoticeData extends NoticeData {
  tenantName: string;
  /** RECOVERY_CODE_USED: the unused codes left after it. */
  recoveryCodesLeft?: number;
}

interface NoticeText {
  subject: string;
  /** What happened, in one sentence. */
  what: string;
  /** What to do if it was not the agent (default: secure the account). */
  ifNotYou?: string;
}

const SECURE_YOUR_ACCOUNT = 'If this was not you, sign in now, change your password and review your two-factor settings.';
export const ASK_YOUR_ADMINISTRATORS = "If you did not expect this, ask your tenant's administrators about it.";

/**
 * A security notice (RULES: "Security notices by e-mail"): what happened, then the tenant, the time, the client
 * address and the device, and a link to the agent's security settings. No code, secret or password is ever
 * part of it.
 */
export function securityNotice<D extends NoticeData>(name: string, says: (data: D) => NoticeText): MailTemplate<D> {
  return mailTemplate<D>(name, (data, { link }) => {
    const { subject, what, ifNotYou = SECURE_YOUR_ACCOUNT } = says(data);
    const tenantName = (data as Partial<TenantNoticeData>).tenantName;
    return {
      subject,
      paragraphs: [what],
      details: [
        ...(tenantName ? [['Tenant', tenantName] as [string, string]] : []),
        ['When', formatInstant(data.at)],
        ['Client address', data.clientIp ?? 'not known'],
        ['Device', data.userAgent ?? 'not known'],
      ],
      action: { label: 'Review your security settings', url: link('/my/profile/two-factor') },
      closing: [ifNotYou],
    };
  });
}

/** `2026-07-01 14:03:12 UTC`: the recipient's time zone is not known, so the zone is said. */
export function formatInstant(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
