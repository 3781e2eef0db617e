import { securityNotice, TenantNoticeData } from './security-notice';

export const twoFactorLocked = securityNotice<TenantNoticeData>('two-factor-locked', ({ tenantName }) => ({
  subject: `Two-factor verification locked in ${tenantName}`,
  what: `After repeated wrong codes, two-factor verification of your account in ${tenantName} is locked for a while. The last attempt came from the address and device below.`,
  ifNotYou: 'If this was not you, someone may know your password: sign in, change it, and review your two-factor settings.',
}));
