import { ASK_YOUR_ADMINISTRATORS, securityNotice, TenantNoticeData } from './security-notice';

export const twoFactorReset = securityNotice<TenantNoticeData>('two-factor-reset', ({ tenantName }) => ({
  subject: `Your two-factor authentication was reset in ${tenantName}`,
  what: `An administrator of ${tenantName} reset your two-factor authentication there: you will set it up again the next time the tenant asks.`,
  ifNotYou: ASK_YOUR_ADMINISTRATORS,
}));
