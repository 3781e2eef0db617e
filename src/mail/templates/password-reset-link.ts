import { CONSOLE_PATHS } from '../../http/console-paths';
import { mailTemplate } from './mail-template';
import { formatInstant } from './security-notice';

/**
 * No name: a request for an address without an account writes the very same data (and nothing is sent), so the
 * data cannot depend on the account.
 */
export interface PasswordResetLinkData {
  /** The link's token: the one secret a message may hold. */
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

export const passwordResetLink = mailTemplate<PasswordResetLinkData>('password-reset-link', ({ token, expiresAt }, { link }) => ({
  subject: 'Reset your password',
  paragraphs: ['Someone (we hope you) asked to reset the password of the account with this address. Follow the link to choose a new one.'],
  action: { label: 'Choose a new password', url: link(CONSOLE_PATHS.resetPassword, { token }) },
  closing: [
    `The link works once, until ${formatInstant(expiresAt)}. Your second factors stay as they are.`,
    'If you did not ask for it, ignore this message: your password stays as it is.',
  ],
}));
