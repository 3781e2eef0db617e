import { securityNotice, TenantNoticeData } from './security-notice';

export const deviceRemembered = securityNotice<TenantNoticeData>('device-remembered', ({ tenantName }) => ({
  subject: `A device was remembered in ${tenantName}`,
  what: `A device was remembered for your account in ${tenantName}: it will not be asked for your second factor there for a while.`,
  ifNotYou: 'If this was not you, sign in now, forget the device in your security settings, and change your password.',
}));
