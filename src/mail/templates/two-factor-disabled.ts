import { securityNotice, TenantNoticeData } from './security-notice';

export const twoFactorDisabled = securityNotice<TenantNoticeData>('two-factor-disabled', ({ tenantName }) => ({
  subject: `Two-factor authentication turned off in ${tenantName}`,
  what: `Two-factor authentication was turned off for your account in ${tenantName}: its authenticator app, passkeys and recovery codes there were removed.`,
}));
