import { securityNotice, TenantNoticeData } from './security-notice';

export const recoveryCodeUsed = securityNotice<TenantNoticeData>('recovery-code-used', ({ tenantName, recoveryCodesLeft = 0 }) => ({
  subject: `Recovery code used in ${tenantName}`,
  what:
    `A recovery code was used to sign in to ${tenantName} with your account. ` +
    (recoveryCodesLeft === 1 ? '1 unused code is left.' : `${recoveryCodesLeft} unused codes are left.`),
}));
