import { securityNotice, TenantNoticeData } from './security-notice';

export const recoveryCodesRegenerated = securityNotice<TenantNoticeData>('recovery-codes-regenerated', ({ tenantName }) => ({
  subject: `New recovery codes in ${tenantName}`,
  what: `New recovery codes were made for your account in ${tenantName}; the old ones no longer work.`,
}));
