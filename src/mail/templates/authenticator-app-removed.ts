import { securityNotice, TenantNoticeData } from './security-notice';

export const authenticatorAppRemoved = securityNotice<TenantNoticeData>('authenticator-app-removed', ({ tenantName }) => ({
  subject: `Authenticator app removed in ${tenantName}`,
  what: `The authenticator app was removed from your account's second factors in ${tenantName}.`,
}));
