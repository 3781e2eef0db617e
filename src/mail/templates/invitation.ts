import type { TenantRoleName } from '../../db/entities/tenant.entity';
import { CONSOLE_PATHS } from '../../http/console-paths';
import { mailTemplate } from './mail-template';
import { formatInstant } from './security-notice';

export interface InvitationData {
  tenantName: string;
  invitedBy: string;
  role: TenantRoleName;
  /** The link's token: the one secret a message may hold. */
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** Sent to an address whether or not it has an account: the link serves both (sign in, or sign up with it). */
export const invitation = mailTemplate<InvitationData>('invitation', ({ tenantName, invitedBy, role, token, expiresAt }, { link }) => ({
  subject: `${invitedBy} invited you to ${tenantName}`,
  paragraphs: [`${invitedBy} invited this address to join ${tenantName}.`],
  details: [
    ['Tenant', tenantName],
    ['Role', role],
    ['Invited by', invitedBy],
    ['Valid until', formatInstant(expiresAt)],
  ],
  action: { label: 'Accept the invitation', url: link(CONSOLE_PATHS.invitation, { token }) },
  closing: [
    'The link works once. Without an account yet, it lets you create one with this address.',
    'If you did not expect this, ignore this message: nothing happens unless you accept.',
  ],
}));
