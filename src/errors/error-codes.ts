/**
 * The contract's ErrorCode values, each with the message clients may show. Services throw these through
 * DomainError; clients branch on `extensions.code`, never on the message.
 */
export const ErrorCodes = {
  UNAUTHENTICATED: 'You need to sign in first.',
  FORBIDDEN: 'Your role in this tenant does not allow that.',
  NOT_FOUND: 'Not found.',
  INVALID_CREDENTIALS: 'Email or password is wrong.',
  INVALID_PASSWORD: 'Password did not match. Nothing was changed.',
  INVALID_TWO_FACTOR_CODE: 'That code did not match.',
  NO_PENDING_ENROLMENT: 'No pending enrolment. Start the setup again to get a fresh QR code.',
  ALREADY_ENROLLED: 'Two-factor authentication is already enabled in this tenant.',
  TWO_FACTOR_NOT_ENABLED: 'Two-factor authentication is not enabled in this tenant.',
  TENANT_TWO_FACTOR_DISABLED: 'Turn on two-factor authentication for the tenant first.',
  WORKSPACES_STILL_REQUIRE_TWO_FACTOR: 'Some workspaces still require two-factor authentication. Turn it off there first.',
  POLICY_STILL_REQUIRES_TWO_FACTOR: 'The tenant policy still requires two-factor authentication. Set it to optional first.',
  CHALLENGE_INVALIDATED: 'This verification is no longer valid. Start over.',
  TWO_FACTOR_ENROLMENT_REQUIRED: 'Two-factor authentication is required by your organisation. Set it up to continue.',
  TWO_FACTOR_REQUIRED: 'This session has not passed the tenant\'s two-factor challenge: call enterTenant (or enterWorkspace) and answer the challenge it returns with verifyTwoFactor or useRecoveryCode.',
  LAST_FACTOR: 'You cannot remove your last second factor while two-factor authentication is on.',
  RATE_LIMITED: 'Too many attempts. Try again later.',
  PASSKEY_REJECTED: 'That passkey could not be verified here. Use one registered for this tenant, or another method.',
  RECOVERY_CODES_NOT_VIEWABLE: 'This tenant shows recovery codes once only. Regenerate them to get a new set.',
  INVALID_TOKEN: 'This link or code is wrong, used or expired. Ask for a new one.',
  SIGN_UP_CLOSED: 'Sign-up is not open on this gateway. Ask an administrator for an invitation.',
  LAST_OWNER: 'A tenant keeps at least one OWNER: make another member OWNER first.',
  SSO_REQUIRED: "This address signs in through its organisation's identity provider.",
  AUTHORIZATION_PENDING: 'Not approved yet: poll again after the interval.',
  SLOW_DOWN: 'Polling too fast: wait the interval between polls.',
  ACCESS_DENIED: 'The sign-in was denied in the browser.',
  /** Apollo's code for malformed input; used for input no decorator could check (e.g. a forged cursor). */
  BAD_USER_INPUT: 'Invalid input.',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/**
 * Messages for particular cases of a code, where the code's general message would send a person the wrong way.
 * The code stays the contract's; only the words differ.
 */
export const SpecificMessages = {
  TOTP_CODE_SHAPE: 'Codes are 6 digits (spaces are ignored).',
  RECOVERY_CODE_SHAPE: 'Recovery codes are 8 or 10 letters and digits, as they were shown (e.g. 7KQ2-M9XD; case and the dash do not matter).',
  PASSKEY_ANSWER_SHAPE: 'A passkey answer is the JSON of the PublicKeyCredential that navigator.credentials.get returned.',
  ALREADY_CONFIRMED: 'Two-factor authentication is already enabled in this tenant: there is no setup to confirm.',
  TOTP_CLOSED:
    'Too many wrong codes in a row: codes from the authenticator app are refused until you answer with a recovery code or a passkey, or an admin resets your two-factor authentication.',
  UNKNOWN_AUDIENCE: "audience must be one of the gateway's token audiences (TOKEN_AUDIENCES).",
  ALREADY_MEMBER: 'That address belongs to a member of this tenant already.',
  INVITATION_FOR_ANOTHER_ADDRESS: 'This invitation was sent to another address. Sign in (or sign up) with the address it was sent to.',
  EMAIL_NOT_VERIFIED: 'Verify your e-mail address first: follow the link in the verification e-mail, or open the invitation link.',
  INVITATION_NEEDED: 'Sign-up on this gateway needs an invitation: open the link in your invitation e-mail.',
} as const;
