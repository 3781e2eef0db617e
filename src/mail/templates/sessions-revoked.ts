import { ASK_YOUR_ADMINISTRATORS, securityNotice, TenantNoticeData } from './security-notice';

export const sessionsRevoked = securityNotice<TenantNoticeData>('sessions-revoked', ({ tenantName }) => ({
  subject: `Your sessions were signed out of ${tenantName}`,
  what: `An administrator of ${tenantName} revoked your sessions' access there: the tenant asks for your second factor again.`,
  ifNotYou: ASK_YOUR_ADMINISTRATORS,
}));
