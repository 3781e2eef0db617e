import { securityNotice, TenantNoticeData } from './security-notice';

export const twoFactorEnabled = securityNotice<TenantNoticeData>('two-factor-enabled', ({ tenantName }) => ({
  subject: `Two-factor authentication turned on in ${tenantName}`,
  what: `Two-factor authentication was turned on for your account in ${tenantName}.`,
}));
