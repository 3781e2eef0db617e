import type { TenantRoleName } from '../../db/entities/tenant.entity';
import { CONSOLE_PATHS } from '../../http/console-paths';
import { mailTemplate } from './mail-template';
import { ASK_YOUR_ADMINISTRATORS } from './security-notice';

export interface MemberAddedData {
  name: string;
  tenantName: string;
  role: TenantRoleName;
  addedBy: string;
}

export const memberAdded = mailTemplate<MemberAddedData>('member-added', ({ name, tenantName, role, addedBy }, { link }) => ({
  subject: `You were added to ${tenantName}`,
  paragraphs: [`Hello ${name},`, `${addedBy} added your account to ${tenantName}.`],
  details: [
    ['Tenant', tenantName],
    ['Role', role],
    ['Added by', addedBy],
  ],
  action: { label: 'Open your workspaces', url: link(CONSOLE_PATHS.home) },
  closing: [ASK_YOUR_ADMINISTRATORS],
}));
