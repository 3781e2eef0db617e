import { randomUUID } from 'node:crypto';
import {
  AcceptInvitationDocument,
  BeginSsoSignInDocument,
  RemoveTenantIdentityProviderDocument,
  SetTenantIdentityProviderDocument,
  SsoProviderForDocument,
  ChangePasswordDocument,
  InviteTenantMemberDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  RevokeInvitationDocument,
  VerifyEmailDocument,
  AddTenantMemberDocument,
  AddWorkspaceMemberDocument,
  BeginPasskeyAssertionDocument,
  BeginPasskeyRegistrationDocument,
  BeginTotpEnrolmentDocument,
  CancelChallengeDocument,
  ConfirmTotpEnrolmentDocument,
  CreateTenantDocument,
  CreateWorkspaceDocument,
  DisableTwoFactorDocument,
  EnterTenantDocument,
  FinishPasskeyRegistrationDocument,
  ApproveDeviceSignInDocument,
  BeginDeviceSignInDocument,
  DenyDeviceSignInDocument,
  DeviceSignInRequestDocument,
  PollDeviceSignInDocument,
  ForgetRememberedDeviceDocument,
  ForgetRememberedDevicesDocument,
  MintAccessTokenDocument,
  RegenerateRecoveryCodesDocument,
  RemovePasskeyDocument,
  RemoveTotpAuthenticatorDocument,
  RenamePasskeyDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantIssuerDocument,
  SetTenantRememberDeviceDaysDocument,
  SetTenantSecondFactorLifetimeDocument,
  SignInDocument,
  SignOutSessionDocument,
  SignUpDocument,
  UseRecoveryCodeDocument,
  VerifyPasskeyDocument,
  VerifyTwoFactorDocument,
  ViewRecoveryCodesDocument,
  WorkspaceDocument,
} from '../../src/client/generated/graphql';
import type { GraphQLClient, GraphQLResponse } from './client';
import { PASSWORD } from './fixtures';

/** Real ids a caller with no session aims at, so that only the missing session and the bad argument stop it. */
export interface AnonymousTarget {
  /** No token, no cookie. */
  anonymous: GraphQLClient;
  tenantId: string;
  workspaceId: string;
  challengeId: string;
  agentId: string;
  email: string;
}

const long = (length: number, char = 'a') => char.repeat(length);

/**
 * Threat: a caller with no session at all probes with bad arguments. One plain row per operation of the contract
 * that takes arguments, with the code it answers: Apollo's own when the document or a variable is malformed,
 * BAD_USER_INPUT from argument validation on the open operations and for an id not in its canonical form (checked
 * before anything runs), UNAUTHENTICATED before anything else runs.
 */
export const anonymousBadInput: Array<[string, (target: AnonymousTarget) => Promise<GraphQLResponse<unknown>>, string]> = [
  ['signUp with an over-long email', ({ anonymous }) => anonymous.request(SignUpDocument, { email: `${long(250)}@example.test`, password: PASSWORD, name: 'A' }), 'BAD_USER_INPUT'],
  ['signIn with an over-long password', ({ anonymous, email }) => anonymous.request(SignInDocument, { email, password: long(257) }), 'BAD_USER_INPUT'],
  ['createTenant with a 201-character name', ({ anonymous }) => anonymous.request(CreateTenantDocument, { name: long(201) }), 'UNAUTHENTICATED'],
  ['createWorkspace with a blank name', ({ anonymous, tenantId }) => anonymous.request(CreateWorkspaceDocument, { tenantId, name: ' ' }), 'UNAUTHENTICATED'],
  ['addTenantMember with an email of unicode letters', ({ anonymous, tenantId }) => anonymous.request(AddTenantMemberDocument, { tenantId, email: 'ünïcödé', role: 'AGENT' }), 'UNAUTHENTICATED'],
  ['addWorkspaceMember with an agent id carrying SQL', ({ anonymous, workspaceId }) => anonymous.request(AddWorkspaceMemberDocument, { workspaceId, agentId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['setTenantTwoFactor with enabled: "yes"', ({ anonymous, tenantId }) => anonymous.raw({ query: 'mutation($id: ID!, $on: Boolean!) { setTenantTwoFactor(tenantId: $id, enabled: $on) { id } }', variables: { id: tenantId, on: 'yes' } }), 'BAD_USER_INPUT'],
  ['setWorkspaceTwoFactor with required: 1', ({ anonymous, workspaceId }) => anonymous.raw({ query: `mutation { setWorkspaceTwoFactor(workspaceId: "${workspaceId}", required: 1) { id } }` }), 'GRAPHQL_VALIDATION_FAILED'],
  ['setTenantTwoFactorPolicy outside the enum', ({ anonymous, tenantId }) => anonymous.raw({ query: 'mutation($id: ID!, $p: TwoFactorPolicy!) { setTenantTwoFactorPolicy(tenantId: $id, policy: $p) { id } }', variables: { id: tenantId, p: 'ALWAYS' } }), 'BAD_USER_INPUT'],
  ['setTenantRecoveryCodeFormat outside the enum', ({ anonymous, tenantId }) => anonymous.raw({ query: `mutation { setTenantRecoveryCodeFormat(tenantId: "${tenantId}", format: XX) { id } }` }), 'GRAPHQL_VALIDATION_FAILED'],
  ['enterTenant with a 10,000-character id', ({ anonymous }) => anonymous.request(EnterTenantDocument, { tenantId: long(10_000, 'f') }), 'BAD_USER_INPUT'],
  ['enterWorkspace with an object for the id', ({ anonymous }) => anonymous.raw({ query: 'mutation($w: ID!) { enterWorkspace(workspaceId: $w) { status } }', variables: { w: { $ne: null } } }), 'BAD_USER_INPUT'],
  ['mintAccessToken for an unlisted audience', ({ anonymous, tenantId }) => anonymous.request(MintAccessTokenDocument, { tenantId, audience: 'https://evil.test' }), 'UNAUTHENTICATED'],
  ['verifyTwoFactor with seven digits', ({ anonymous, challengeId }) => anonymous.request(VerifyTwoFactorDocument, { challengeId, code: '1234567' }), 'UNAUTHENTICATED'],
  ['useRecoveryCode outside the alphabet', ({ anonymous, challengeId }) => anonymous.request(UseRecoveryCodeDocument, { challengeId, code: 'O0O0-0O0O' }), 'UNAUTHENTICATED'],
  ['cancelChallenge with an id carrying SQL', ({ anonymous }) => anonymous.request(CancelChallengeDocument, { challengeId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['beginTotpEnrolment with a 10,000-character password', ({ anonymous, tenantId }) => anonymous.request(BeginTotpEnrolmentDocument, { tenantId, password: long(10_000) }), 'UNAUTHENTICATED'],
  ['confirmTotpEnrolment with a code of letters', ({ anonymous, tenantId }) => anonymous.request(ConfirmTotpEnrolmentDocument, { tenantId, code: 'abcdef' }), 'UNAUTHENTICATED'],
  ['regenerateRecoveryCodes with a 10,000-character password', ({ anonymous, tenantId }) => anonymous.request(RegenerateRecoveryCodesDocument, { tenantId, password: long(10_000) }), 'UNAUTHENTICATED'],
  ['disableTwoFactor with a 10,000-character password', ({ anonymous, tenantId }) => anonymous.request(DisableTwoFactorDocument, { tenantId, password: long(10_000) }), 'UNAUTHENTICATED'],
  ['resetAgentTwoFactor with an agent id carrying SQL', ({ anonymous, tenantId }) => anonymous.request(ResetAgentTwoFactorDocument, { tenantId, agentId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['revokeAgentSessions with a tenant id of emoji and a null byte', ({ anonymous, agentId }) => anonymous.request(RevokeAgentSessionsDocument, { tenantId: '\u{1F600}\u0000', agentId }), 'BAD_USER_INPUT'],
  ['tenant with a list for the id', ({ anonymous, tenantId }) => anonymous.raw({ query: 'query($id: ID!) { tenant(id: $id) { id } }', variables: { id: [tenantId] } }), 'BAD_USER_INPUT'],
  ['setTenantIssuer with a colon', ({ anonymous, tenantId }) => anonymous.request(SetTenantIssuerDocument, { tenantId, issuer: 'Acme:Desk' }), 'UNAUTHENTICATED'],
  ['setTenantRecoveryCodeVisibility outside the enum', ({ anonymous, tenantId }) => anonymous.raw({ query: 'mutation($id: ID!, $v: RecoveryCodeVisibility!) { setTenantRecoveryCodeVisibility(tenantId: $id, visibility: $v, replenish: false) { id } }', variables: { id: tenantId, v: 'ALWAYS' } }), 'BAD_USER_INPUT'],
  ['viewRecoveryCodes with a 10,000-character password', ({ anonymous, tenantId }) => anonymous.request(ViewRecoveryCodesDocument, { tenantId, password: long(10_000) }), 'UNAUTHENTICATED'],
  ['setTenantRememberDeviceDays for 91 days', ({ anonymous, tenantId }) => anonymous.request(SetTenantRememberDeviceDaysDocument, { tenantId, days: 91 }), 'UNAUTHENTICATED'],
  ['setTenantSecondFactorLifetime with seconds as a string', ({ anonymous, tenantId }) => anonymous.raw({ query: 'mutation($t: ID!, $s: Int) { setTenantSecondFactorLifetime(tenantId: $t, seconds: $s) { id } }', variables: { t: tenantId, s: 'long' } }), 'BAD_USER_INPUT'],
  ['forgetRememberedDevice with a device id carrying SQL', ({ anonymous, tenantId }) => anonymous.request(ForgetRememberedDeviceDocument, { tenantId, deviceId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['forgetRememberedDevices for a tenant', ({ anonymous, tenantId }) => anonymous.request(ForgetRememberedDevicesDocument, { tenantId }), 'UNAUTHENTICATED'],
  ['enterTenant with maxAgeSeconds: -1', ({ anonymous, tenantId }) => anonymous.request(EnterTenantDocument, { tenantId, maxAgeSeconds: -1 }), 'UNAUTHENTICATED'],
  ['removeTotpAuthenticator with a 10,000-character password', ({ anonymous, tenantId }) => anonymous.request(RemoveTotpAuthenticatorDocument, { tenantId, password: long(10_000) }), 'UNAUTHENTICATED'],
  ['beginPasskeyRegistration with a 10,000-character password', ({ anonymous, tenantId }) => anonymous.request(BeginPasskeyRegistrationDocument, { tenantId, password: long(10_000) }), 'UNAUTHENTICATED'],
  ['finishPasskeyRegistration with a string for the credential', ({ anonymous, tenantId }) => anonymous.raw({ query: 'mutation($t: ID!, $c: JSONObject!) { finishPasskeyRegistration(tenantId: $t, name: "Key", credential: $c) { passkey { id } } }', variables: { t: tenantId, c: 'not an object' } }), 'BAD_USER_INPUT'],
  ['renamePasskey with an id carrying SQL', ({ anonymous, tenantId }) => anonymous.request(RenamePasskeyDocument, { tenantId, passkeyId: "x' OR '1'='1", name: 'Key' }), 'BAD_USER_INPUT'],
  ['removePasskey with a 10,000-character password', ({ anonymous, tenantId }) => anonymous.request(RemovePasskeyDocument, { tenantId, passkeyId: randomUUID(), password: long(10_000) }), 'UNAUTHENTICATED'],
  ['beginPasskeyAssertion with an id carrying SQL', ({ anonymous }) => anonymous.request(BeginPasskeyAssertionDocument, { challengeId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['verifyPasskey with a credential without an id', ({ anonymous, challengeId }) => anonymous.request(VerifyPasskeyDocument, { challengeId, credential: { response: {} } }), 'UNAUTHENTICATED'],
  ['signOutSession with an id carrying SQL', ({ anonymous }) => anonymous.request(SignOutSessionDocument, { sessionId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['workspace with a 10,000-character id', ({ anonymous }) => anonymous.request(WorkspaceDocument, { id: long(10_000, 'w') }), 'BAD_USER_INPUT'],
  ['changePassword with a 10,000-character password', ({ anonymous }) => anonymous.request(ChangePasswordDocument, { currentPassword: long(10_000), newPassword: 'a new passphrase' }), 'UNAUTHENTICATED'],
  ['requestPasswordReset with an over-long email', ({ anonymous }) => anonymous.request(RequestPasswordResetDocument, { email: `${long(250)}@example.test` }), 'BAD_USER_INPUT'],
  ['resetPassword with a short new password', ({ anonymous }) => anonymous.request(ResetPasswordDocument, { token: long(43), newPassword: 'short' }), 'BAD_USER_INPUT'],
  ['verifyEmail with a guessed token', ({ anonymous }) => anonymous.request(VerifyEmailDocument, { token: long(43) }), 'INVALID_TOKEN'],
  ['inviteTenantMember with an email of unicode letters', ({ anonymous, tenantId }) => anonymous.request(InviteTenantMemberDocument, { tenantId, email: 'ünïcödé', role: 'AGENT' }), 'UNAUTHENTICATED'],
  ['acceptInvitation with a guessed token', ({ anonymous }) => anonymous.request(AcceptInvitationDocument, { token: long(43) }), 'UNAUTHENTICATED'],
  ['revokeInvitation with an id carrying SQL', ({ anonymous, tenantId }) => anonymous.request(RevokeInvitationDocument, { tenantId, invitationId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['leaveTenant with an object for the id', ({ anonymous }) => anonymous.raw({ query: 'mutation($t: ID!) { leaveTenant(tenantId: $t) }', variables: { t: { $ne: null } } }), 'BAD_USER_INPUT'],
  ['beginDeviceSignIn with a blank client name', ({ anonymous, tenantId }) => anonymous.request(BeginDeviceSignInDocument, { clientName: '  ', tenantId }), 'BAD_USER_INPUT'],
  ['pollDeviceSignIn with a guessed device code', ({ anonymous }) => anonymous.request(PollDeviceSignInDocument, { deviceCode: long(43) }), 'INVALID_TOKEN'],
  ['deviceSignInRequest with a user code', ({ anonymous }) => anonymous.request(DeviceSignInRequestDocument, { userCode: 'WDJB-MJHT' }), 'UNAUTHENTICATED'],
  ['approveDeviceSignIn with a user code', ({ anonymous }) => anonymous.request(ApproveDeviceSignInDocument, { userCode: 'WDJB-MJHT' }), 'UNAUTHENTICATED'],
  ['denyDeviceSignIn with a user code', ({ anonymous }) => anonymous.request(DenyDeviceSignInDocument, { userCode: 'WDJB-MJHT' }), 'UNAUTHENTICATED'],
  ['ssoProviderFor with an email of unicode letters', ({ anonymous }) => anonymous.request(SsoProviderForDocument, { email: 'ünïcödé' }), 'BAD_USER_INPUT'],
  ['beginSsoSignIn returning to another site', ({ anonymous, tenantId }) => anonymous.request(BeginSsoSignInDocument, { tenantId, returnTo: 'https://evil.test/' }), 'BAD_USER_INPUT'],
  ['setTenantIdentityProvider without e-mail domains', ({ anonymous, tenantId }) => anonymous.request(SetTenantIdentityProviderDocument, { tenantId, provider: { issuer: 'https://idp.test', clientId: 'c', clientSecret: 's', emailDomains: [] } }), 'UNAUTHENTICATED'],
  ['removeTenantIdentityProvider with an id carrying SQL', ({ anonymous }) => anonymous.request(RemoveTenantIdentityProviderDocument, { tenantId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
];
