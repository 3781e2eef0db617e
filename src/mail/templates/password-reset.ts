import { NoticeData, securityNotice } from './security-notice';

export const passwordReset = securityNotice<NoticeData>('password-reset', () => ({
  subject: 'Your password was reset',
  what: 'The password of your account was reset with a link sent to this address. Every session was signed out; your second factors are as they were.',
  ifNotYou: 'If this was not you, someone can read this mailbox: secure it, reset your password again, and tell your tenant\'s administrators.',
}));
