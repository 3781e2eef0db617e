import { securityNotice, TenantNoticeData } from './security-notice';

export const passkeyRemoved = securityNotice<TenantNoticeData>('passkey-removed', ({ tenantName }) => ({
  subject: `Passkey removed in ${tenantName}`,
  what: `A passkey was removed from your account's second factors in ${tenantName}.`,
}));
