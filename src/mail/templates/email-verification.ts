import { CONSOLE_PATHS } from '../../http/console-paths';
import { mailTemplate } from './mail-template';
import { formatInstant } from './security-notice';

export interface EmailVerificationData {
  name: string;
  /** The link's token: the one secret a message may hold. */
  token: string;
  /** ISO 8601. */
  expiresAt: string;
}

export const emailVerification = mailTemplate<EmailVerificationData>('email-verification', ({ name, token, expiresAt }, { link }) => ({
  subject: 'Verify your e-mail address',
  paragraphs: [`Hello ${name},`, 'Confirm that this address is yours: tenants can then find your invitations, and you can reset your password with it.'],
  action: { label: 'Verify this address', url: link(CONSOLE_PATHS.verifyEmail, { token }) },
  closing: [`The link works once, until ${formatInstant(expiresAt)}.`, 'If you did not create an account, ignore this message.'],
}));
