import type { MailTemplate } from './mail-template';
import { authenticatorAppAdded } from './authenticator-app-added';
import { authenticatorAppRemoved } from './authenticator-app-removed';
import { deviceRemembered } from './device-remembered';
import { passkeyAdded } from './passkey-added';
import { passkeyRemoved } from './passkey-removed';
import { recoveryCodeUsed } from './recovery-code-used';
import { recoveryCodesRegenerated } from './recovery-codes-regenerated';
import { sessionsRevoked } from './sessions-revoked';
import { signInLocked } from './sign-in-locked';
import { twoFactorDisabled } from './two-factor-disabled';
import { twoFactorEnabled } from './two-factor-enabled';
import { twoFactorLocked } from './two-factor-locked';
import { twoFactorReset } from './two-factor-reset';
import { emailVerification } from './email-verification';
import { invitation } from './invitation';
import { memberAdded } from './member-added';
import { passwordChanged } from './password-changed';
import { passwordReset } from './password-reset';
import { passwordResetLink } from './password-reset-link';

/**
 * Every template the sender can render, by name. Adding one: a file beside this one (`mailTemplate(name, …)`)
 * and its line here. A name stays stable once used: rows written with it may wait in the outbox.
 */
// Each template's data has its own type; the registry only looks them up by name.
const TEMPLATES: ReadonlyArray<MailTemplate<any>> = [
  twoFactorEnabled,
  twoFactorDisabled,
  authenticatorAppAdded,
  authenticatorAppRemoved,
  passkeyAdded,
  passkeyRemoved,
  recoveryCodesRegenerated,
  recoveryCodeUsed,
  twoFactorReset,
  sessionsRevoked,
  twoFactorLocked,
  signInLocked,
  deviceRemembered,
  emailVerification,
  passwordResetLink,
  passwordChanged,
  passwordReset,
  invitation,
  memberAdded,
];

const byName = new Map(TEMPLATES.map((template) => [template.name, template]));

/** The template of a stored row; undefined for a name this build does not know (a newer gateway wrote it). */
export function mailTemplateNamed(name: string): MailTemplate<Record<string, unknown>> | undefined {
  return byName.get(name);
}

export const MAIL_TEMPLATE_NAMES: readonly string[] = TEMPLATES.map((template) => template.name);
