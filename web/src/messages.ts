import type { TenantRole, TwoFactorPolicy, TwoFactorState } from '../../src/client/generated/graphql';
import { GatewayError, VerificationCancelled } from './api';

/**
 * What the console says for each contract error code. The gateway's own messages are client-safe too, but
 * the screens word some of them for their context (see `explain`).
 */
const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  FORBIDDEN: 'Your role in this tenant does not allow that.',
  NOT_FOUND: 'That tenant or workspace was not found, or you are not a member of it.',
  INVALID_CREDENTIALS: 'Email or password is wrong.',
  INVALID_PASSWORD: 'Password did not match. Nothing was changed.',
  INVALID_TWO_FACTOR_CODE: 'That code did not match.',
  NO_PENDING_ENROLMENT: 'No pending enrolment. Click "Enable two-factor" to start over.',
  ALREADY_ENROLLED: 'Two-factor authentication is already enabled in this tenant.',
  TWO_FACTOR_NOT_ENABLED: 'Two-factor authentication is not enabled in this tenant.',
  TENANT_TWO_FACTOR_DISABLED: 'Two-factor authentication is turned off for this tenant. Turn it on for the tenant first.',
  WORKSPACES_STILL_REQUIRE_TWO_FACTOR: 'Some workspaces still require two-factor authentication. Turn it off there first.',
  POLICY_STILL_REQUIRES_TWO_FACTOR: 'The tenant policy still requires two-factor authentication. Set the policy to Optional first.',
  CHALLENGE_INVALIDATED: 'This verification is no longer valid. Start over.',
  TWO_FACTOR_ENROLMENT_REQUIRED: 'Two-factor authentication is required by your organisation. Set it up to continue.',
  TWO_FACTOR_REQUIRED: 'Verify with your second factor to continue.',
  LAST_FACTOR: 'You cannot remove your last second factor while two-factor authentication is on.',
  RATE_LIMITED: 'Too many attempts. Try again later.',
  PASSKEY_REJECTED: 'That passkey was not accepted. It may belong to another tenant, or the request expired: try again or use another method.',
  INVALID_TOKEN: 'This link is wrong, used or expired. Ask for a new one.',
  SIGN_UP_CLOSED: 'Sign-up is not open here. Ask an administrator for an invitation.',
  LAST_OWNER: 'You are the last owner of this tenant: make another member owner before you leave.',
  SSO_REQUIRED: "This address signs in through its organisation's identity provider: use the single sign-on button.",
  BAD_USER_INPUT: 'That input was not accepted. Check it and try again.',
  NETWORK: 'The gateway did not answer. Check your connection and try again.',
};

export const REQUIRED_BY_ORGANISATION = MESSAGES.TWO_FACTOR_ENROLMENT_REQUIRED;

/** The console's own rule for a new password, as the gateway's (8 to 256 characters). */
export const PASSWORD_MIN_LENGTH = 8;

/** "in 15 minutes", "in 40 seconds". */
export function retryIn(seconds: number): string {
  if (seconds >= 90) return `in ${Math.ceil(seconds / 60)} minutes`;
  if (seconds > 1) return `in ${Math.ceil(seconds)} seconds`;
  return 'in a moment';
}

/** The sentence to show for an error; `overrides` rewords codes for one screen. */
export function explain(error: unknown, overrides: Partial<Record<string, string>> = {}): string {
  if (error instanceof VerificationCancelled) return error.message;
  if (!(error instanceof GatewayError)) return 'Something went wrong. Try again.';
  if (error.code === 'RATE_LIMITED') {
    const seconds = Number(error.extensions.retryAfterSeconds);
    if (Number.isFinite(seconds)) return `Too many attempts. Try again ${retryIn(seconds)}.`;
  }
  return overrides[error.code] ?? MESSAGES[error.code] ?? error.message;
}

// Keyed by the generated enum types: a value added to the schema fails the typecheck until it has a label.
export const ROLE_LABELS: Record<TenantRole, string> = { OWNER: 'Owner', ADMIN: 'Admin', AGENT: 'Agent' };

export const POLICY_LABELS: Record<TwoFactorPolicy, string> = {
  OPTIONAL: 'Optional',
  REQUIRED_FOR_ADMINS: 'Required for admins',
  REQUIRED_FOR_EVERYONE: 'Required for everyone',
};

export const STATE_BADGES: Record<TwoFactorState, { label: string; tone: string }> = {
  NOT_CONFIGURED: { label: 'Not configured', tone: 'slate' },
  PENDING_CONFIRMATION: { label: 'Pending confirmation', tone: 'amber' },
  ENABLED: { label: 'Enabled', tone: 'emerald' },
};

const AUDIT_ACTIONS: Record<string, string> = {
  TWO_FACTOR_ENROLMENT_STARTED: 'Enrolment started',
  TWO_FACTOR_ENABLED: 'Two-factor enabled',
  TWO_FACTOR_DISABLED: 'Two-factor disabled',
  TWO_FACTOR_RESET: 'Two-factor reset by an admin',
  RECOVERY_CODES_REGENERATED: 'Recovery codes regenerated',
  RECOVERY_CODE_USED: 'Recovery code used',
  CHALLENGE_PASSED: 'Verification passed',
  CHALLENGE_FAILED: 'Verification failed',
  CHALLENGE_INVALIDATED: 'Verification invalidated',
  TENANT_TWO_FACTOR_CHANGED: 'Tenant two-factor changed',
  WORKSPACE_TWO_FACTOR_CHANGED: 'Workspace two-factor changed',
  POLICY_CHANGED: 'Policy changed',
  RECOVERY_CODE_FORMAT_CHANGED: 'Recovery code format changed',
  SESSIONS_REVOKED: 'Sessions revoked',
  MEMBER_ADDED: 'Member added',
  WORKSPACE_MEMBER_ADDED: 'Workspace member added',
  REAUTH_FAILED: 'Password re-check failed',
  ISSUER_CHANGED: 'Issuer changed',
  RECOVERY_CODES_VIEWED: 'Recovery codes viewed',
  RECOVERY_CODE_VISIBILITY_CHANGED: 'Recovery code visibility changed',
  PASSKEY_ADDED: 'Passkey added',
  PASSKEY_REMOVED: 'Passkey removed',
  PASSKEY_RENAMED: 'Passkey renamed',
  PASSKEY_COUNTER_STALE: 'Passkey counter did not grow (possible clone)',
  TOTP_REMOVED: 'Authenticator app removed',
  TOTP_ADDED: 'Authenticator app added',
  TWO_FACTOR_LOCKED: 'Two-factor locked after failures',
  DEVICE_REMEMBERED: 'Device remembered',
  MEMBER_INVITED: 'Member invited',
  INVITATION_REVOKED: 'Invitation revoked',
  INVITATION_ACCEPTED: 'Invitation accepted',
  MEMBER_LEFT: 'Member left',
  CHALLENGE_SKIPPED_REMEMBERED_DEVICE: 'Verification skipped (remembered device)',
  REMEMBERED_DEVICES_FORGOTTEN: 'Remembered devices forgotten',
  REMEMBER_DEVICE_DAYS_CHANGED: 'Remembered-device days changed',
  SECOND_FACTOR_LIFETIME_CHANGED: 'Second-factor lifetime changed',
  DEVICE_SIGN_IN_APPROVED: 'Device sign-in approved',
  DEVICE_SIGN_IN_DENIED: 'Device sign-in denied',
};

/** The actions the audit filter offers. */
export const AUDIT_ACTION_NAMES = Object.keys(AUDIT_ACTIONS);

export function auditActionLabel(action: string): string {
  if (AUDIT_ACTIONS[action]) return AUDIT_ACTIONS[action];
  const words = action.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
