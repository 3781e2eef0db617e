import { securityNotice, TenantNoticeData } from './security-notice';

export const passkeyAdded = securityNotice<TenantNoticeData>('passkey-added', ({ tenantName }) => ({
  subject: `Passkey added in ${tenantName}`,
  what: `A passkey was added as a second factor of your account in ${tenantName}.`,
}));
