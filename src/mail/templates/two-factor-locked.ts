import { securityNotice, TenantNoticeData } from './security-notice';

export const twoFactorLocked = securityNotice<TenantNoticeData>('two-factor-locked', ({ tenantName }) => ({
  subject: `Two-factor verification locked in ${tenantName}`,
  what: `After repeated wrong codes, two-factor verification of your account in ${tenantName} is locked for a while (after many locks in a row, codes from the authenticator app stay refused until you answer with a recovery code or a passkey, or an administrator resets your two-factor). The last attempt came from the address and device below.`,
  ifNotYou: 'If this was not you, someone may know your password: sign in, change it, and review your two-factor settings.',
}));
