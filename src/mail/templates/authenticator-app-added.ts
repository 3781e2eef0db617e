import { securityNotice, TenantNoticeData } from './security-notice';

export const authenticatorAppAdded = securityNotice<TenantNoticeData>('authenticator-app-added', ({ tenantName }) => ({
  subject: `Authenticator app added in ${tenantName}`,
  what: `An authenticator app was added as a second factor of your account in ${tenantName}.`,
}));
