import { GatewayError } from './gateway-client';

/** A tenant reference as the user would type it again in a shell. */
export function shellArg(value: string): string {
  return /^[\w.@:/-]+$/.test(value) ? value : `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** What the failed command was doing, as far as the words of its error report depend on it. */
export interface ReportContext {
  /** The tenant as the user typed it. */
  tenantRef?: string;
  /** A code was given to confirm an authenticator app's setup (its attempts belong to the setup, not to a challenge). */
  confirmingSetup?: boolean;
}

/**
 * The CLI's own words for a refusal whose API message speaks of GraphQL operations the user never typed;
 * undefined keeps the gateway's message.
 */
export function messageFor(error: GatewayError, context: ReportContext): string | undefined {
  if (error.code === 'TWO_FACTOR_REQUIRED' && typeof error.extensions.maxAgeSeconds === 'number') {
    return `This needs the second factor of ${context.tenantRef ?? 'this tenant'} answered in this session in the last ${error.extensions.maxAgeSeconds} s (a remembered device does not count).`;
  }
  if (error.code === 'TWO_FACTOR_REQUIRED') return `This session has not passed the second factor of ${context.tenantRef ?? 'this tenant'}.`;
  return undefined;
}

/** What to do next after the gateway refused something, per contract error code. */
export function hintFor(error: GatewayError, context: ReportContext = {}): string | undefined {
  // An action that names no tenant (the password) names in its refusal the tenants where a pass would do.
  const named = Array.isArray(error.extensions.tenantIds) ? String(error.extensions.tenantIds[0]) : undefined;
  const tenant = shellArg(context.tenantRef ?? named ?? 'TENANT');
  const attemptsRemaining = error.extensions.attemptsRemaining;
  const retryAfter = error.extensions.retryAfterSeconds;
  switch (error.code) {
    case 'UNAUTHENTICATED':
      return 'Your session has ended: run `tenant-2fa login`.';
    case 'INVALID_CREDENTIALS':
      return 'Check the email and password, then run `tenant-2fa login` again.';
    case 'TWO_FACTOR_ENROLMENT_REQUIRED':
      // The tenant's policy, or step-up: a change that weakens 2FA needs a session that passed it, so an admin who has not enrolled must first.
      return `Two-factor is required for this (by the tenant's policy, or because the change weakens it): set it up with \`tenant-2fa totp start --tenant ${tenant}\`, then run the command again.`;
    case 'TWO_FACTOR_REQUIRED':
      if (typeof error.extensions.maxAgeSeconds === 'number') return `Run \`tenant-2fa enter ${tenant} --max-age ${error.extensions.maxAgeSeconds}\` (or with --code CODE) first, then this command again.`;
      return `Run \`tenant-2fa enter ${tenant}\` (or with --code CODE) first, then this command again.`;
    case 'INVALID_TWO_FACTOR_CODE':
      if (context.confirmingSetup) {
        return attemptsRemaining === 0
          ? `That was the last try for this setup: run \`tenant-2fa totp start --tenant ${tenant}\` for a fresh secret.`
          : `${typeof attemptsRemaining === 'number' ? `${attemptsRemaining} more wrong code(s) discard this setup. ` : ''}Wait for the next code from your app and run \`tenant-2fa totp confirm --tenant ${tenant} --code CODE\` again.`;
      }
      return typeof attemptsRemaining === 'number'
        ? `${attemptsRemaining} attempt(s) left on this challenge: try again with a fresh code.`
        : 'Wait for the next code from your app and try again.';
    case 'CHALLENGE_INVALIDATED':
      return `Run \`tenant-2fa enter ${tenant}\` again for a new challenge.`;
    case 'NO_PENDING_ENROLMENT':
      return `Run \`tenant-2fa totp start --tenant ${tenant}\` for a fresh secret.`;
    case 'ALREADY_ENROLLED':
      return `See \`tenant-2fa auth status --tenant ${tenant}\`.`;
    case 'TWO_FACTOR_NOT_ENABLED':
      return `Set it up with \`tenant-2fa totp start --tenant ${tenant}\`.`;
    case 'TENANT_TWO_FACTOR_DISABLED':
      return `An owner or admin turns it on with \`tenant-2fa admin set --tenant ${tenant} tenant-2fa on\`.`;
    case 'WORKSPACES_STILL_REQUIRE_TWO_FACTOR':
      return `Turn it off per workspace first: \`tenant-2fa admin set --tenant ${tenant} workspace-2fa WORKSPACE off\`.`;
    case 'POLICY_STILL_REQUIRES_TWO_FACTOR':
      return `Relax the policy first: \`tenant-2fa admin set --tenant ${tenant} policy optional\`.`;
    case 'RECOVERY_CODES_NOT_VIEWABLE':
      return `This tenant shows recovery codes only once; regenerate them instead: \`tenant-2fa recovery-codes regenerate --tenant ${tenant}\`.`;
    case 'LAST_FACTOR':
      return `This is your last second factor; add another or disable two-factor instead (\`tenant-2fa disable --tenant ${tenant}\`).`;
    case 'FORBIDDEN':
      return 'Ask an owner or admin of this tenant.';
    case 'NOT_FOUND':
      return 'Run `tenant-2fa tenants` to see the tenants and workspaces you belong to.';
    case 'INVALID_PASSWORD':
      return 'Nothing was changed: run the command again with your password.';
    case 'SIGN_UP_CLOSED':
      return 'Sign-up here needs an invitation: run `tenant-2fa signup --invitation LINK` with the link of your invitation e-mail.';
    case 'INVALID_TOKEN':
      return 'The link is wrong, used or expired: ask for a new one (an invitation from the tenant, a reset with `tenant-2fa password reset-request`).';
    case 'LAST_OWNER':
      return `You are the last OWNER of this tenant: make another member OWNER first (\`tenant-2fa invite --tenant ${tenant} --email ADDRESS --role owner\`).`;
    case 'RATE_LIMITED':
      if (error.extensions.reason === 'TOTP_CLOSED') return 'Answer the next challenge with a recovery code (or a passkey, in the browser), or ask an admin to reset your two-factor.';
      return typeof retryAfter === 'number' ? `Try again in ${retryAfter} s.` : 'Try again later.';
    case 'SERVICE_UNAVAILABLE':
      return 'The gateway cannot reach its database: try again shortly.';
    case 'INTERNAL_SERVER_ERROR':
      return 'Something failed in the gateway: give its operator the request id (shown with --verbose).';
    default:
      return undefined;
  }
}
