import { CONSOLE_PATHS } from '../../http/console-paths';
import { mailTemplate } from './mail-template';
import { formatInstant } from './security-notice';

export interface PasswordResetLinkData {
  name: string;
  /** The link's token: the one secret a message may hold. */
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

export const passwordResetLink = mailTemplate<PasswordResetLinkData>('password-reset-link', ({ name, token, expiresAt }, { link }) => ({
  subject: 'Reset your password',
  paragraphs: [`Hello ${name},`, 'Someone (we hope you) asked to reset the password of the account with this address. Follow the link to choose a new one.'],
  action: { label: 'Choose a new password', url: link(CONSOLE_PATHS.resetPassword, { token }) },
  closing: [
    `The link works once, until ${formatInstant(expiresAt)}. Your second factors stay as they are.`,
    'If you did not ask for it, ignore this message: your password stays as it is.',
  ],
}));
