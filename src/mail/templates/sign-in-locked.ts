import { NoticeData, securityNotice } from './security-notice';

export const signInLocked = securityNotice<NoticeData>('sign-in-locked', () => ({
  subject: 'Sign-in to your account locked',
  what: 'After repeated failed sign-ins, signing in to your account is locked for a while. The last attempt came from the address and device below.',
  ifNotYou: 'If this was not you, someone is guessing your password: once the lock ends, sign in and consider changing it.',
}));
