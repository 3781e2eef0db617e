import { NoticeData, securityNotice } from './security-notice';

export const passwordChanged = securityNotice<NoticeData>('password-changed', () => ({
  subject: 'Your password was changed',
  what: 'The password of your account was changed. Every other session of yours was signed out.',
  ifNotYou: 'If this was not you, reset your password now ("Forgot password?" on the sign-in page) and tell your tenant\'s administrators.',
}));
