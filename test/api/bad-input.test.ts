import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AcceptInvitationDocument,
  BeginSsoSignInDocument,
  RemoveTenantIdentityProviderDocument,
  SetTenantIdentityProviderDocument,
  SsoProviderForDocument,
  ChangePasswordDocument,
  InviteTenantMemberDocument,
  LeaveTenantDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  RevokeInvitationDocument,
  VerifyEmailDocument,
  AddTenantMemberDocument,
  AddWorkspaceMemberDocument,
  AuditLogDocument,
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
  MyRememberedDevicesDocument,
  MintAccessTokenDocument,
  RegenerateRecoveryCodesDocument,
  RemovePasskeyDocument,
  RemoveTotpAuthenticatorDocument,
  RenamePasskeyDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantIssuerDocument,
  SetTenantRecoveryCodeVisibilityDocument,
  SetTenantRememberDeviceDaysDocument,
  SetTenantSecondFactorLifetimeDocument,
  SetTenantTwoFactorDocument,
  SignInDocument,
  SignOutSessionDocument,
  SignUpDocument,
  TenantAgentsDocument,
  TenantDocument,
  UseRecoveryCodeDocument,
  VerifyPasskeyDocument,
  VerifyTwoFactorDocument,
  ViewRecoveryCodesDocument,
  WorkspaceDocument,
} from '../../src/client/generated/graphql';
import { AnonymousTarget, anonymousBadInput } from '../helpers/anonymous-bad-input';
import type { GraphQLClient, GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, enrol, PASSWORD, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { contractOperationsWithArguments, operationsReached } from '../helpers/operation-coverage';
import { databaseSnapshot } from '../helpers/snapshot';
import { signInAgain } from '../helpers/two-factor';

/** What the malformed requests are aimed at: a tenant the owner may administer, and an open challenge. */
interface Scene {
  tenant: TestTenant;
  /** A tenant where the owner has begun enrolment and not confirmed it. */
  pendingTenantId: string;
  owner: TestAgent;
  challenged: TestAgent;
  challengeId: string;
  /** No token, no cookie. */
  anonymous: GraphQLClient;
}
type Send = (scene: Scene) => Promise<GraphQLResponse<unknown>>;

const long = (length: number, char = 'a') => char.repeat(length);
const overLongEmail = `${long(250)}@example.test`; // 263 characters
const cursorOf = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const raw = (query: string, variables?: Record<string, unknown>): Send => ({ owner }) => owner.client.raw({ query, variables });
const agentsPage = (args: string): Send => ({ owner, tenant }) => owner.client.raw({ query: `{ tenant(id: "${tenant.id}") { agents(${args}) { totalCount } } }` });

/** Refused while the document is checked, before anything runs: either of Apollo's codes will do. */
const beforeRunning = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED'];

/** [label, request, the code (or codes) it may answer with]. */
const malformed: Array<[string, Send, string | string[]]> = [
  ['an over-long email at sign-up', ({ owner }) => owner.client.request(SignUpDocument, { email: overLongEmail, password: PASSWORD, name: 'A' }), 'BAD_USER_INPUT'],
  ['an over-long email at sign-in', ({ owner }) => owner.client.request(SignInDocument, { email: overLongEmail, password: PASSWORD }), 'BAD_USER_INPUT'],
  ['an over-long password at sign-in', ({ owner }) => owner.client.request(SignInDocument, { email: owner.email, password: long(257) }), 'BAD_USER_INPUT'],
  ['an over-long email for a new member', ({ owner, tenant }) => owner.client.request(AddTenantMemberDocument, { tenantId: tenant.id, email: overLongEmail, role: 'AGENT' }), 'BAD_USER_INPUT'],
  ['an email with a null byte', ({ owner, tenant }) => owner.client.request(AddTenantMemberDocument, { tenantId: tenant.id, email: `${owner.email}\u0000`, role: 'AGENT' }), 'BAD_USER_INPUT'],
  ['an email that is only unicode letters', ({ owner, tenant }) => owner.client.request(AddTenantMemberDocument, { tenantId: tenant.id, email: 'ünïcödé', role: 'AGENT' }), 'BAD_USER_INPUT'],
  ['a tenant name over 200 characters', ({ owner }) => owner.client.request(CreateTenantDocument, { name: long(201) }), 'BAD_USER_INPUT'],
  ['a tenant name of 200 emoji with variation selectors (400 code points)', ({ owner }) => owner.client.request(CreateTenantDocument, { name: long(200, '\u2764\uFE0F') }), 'BAD_USER_INPUT'],
  ['a tenant name with a null byte', ({ owner }) => owner.client.request(CreateTenantDocument, { name: 'Acme\u0000Support' }), 'BAD_USER_INPUT'],
  ['an issuer with a colon', ({ owner }) => owner.client.request(CreateTenantDocument, { name: 'Acme', issuer: 'Acme:Support' }), 'BAD_USER_INPUT'],
  ['an issuer over 200 characters', ({ owner }) => owner.client.request(CreateTenantDocument, { name: 'Acme', issuer: long(201) }), 'BAD_USER_INPUT'],
  ['a workspace name over 200 characters', ({ owner, tenant }) => owner.client.request(CreateWorkspaceDocument, { tenantId: tenant.id, name: long(201) }), 'BAD_USER_INPUT'],
  ['a blank workspace name', ({ owner, tenant }) => owner.client.request(CreateWorkspaceDocument, { tenantId: tenant.id, name: ' \t ' }), 'BAD_USER_INPUT'],
  ['a workspace name with a line break', ({ owner, tenant }) => owner.client.request(CreateWorkspaceDocument, { tenantId: tenant.id, name: 'Billing\nTeam' }), 'BAD_USER_INPUT'],
  ['a TOTP code over 64 characters', ({ challenged, challengeId }) => challenged.client.request(VerifyTwoFactorDocument, { challengeId, code: long(65, '1') }), 'BAD_USER_INPUT'],
  ['a recovery code over 64 characters', ({ challenged, challengeId }) => challenged.client.request(UseRecoveryCodeDocument, { challengeId, code: long(65, 'A') }), 'BAD_USER_INPUT'],
  ['an enrolment code of letters', ({ owner, pendingTenantId }) => owner.client.request(ConfirmTotpEnrolmentDocument, { tenantId: pendingTenantId, code: 'abcdef' }), 'BAD_USER_INPUT'],
  ['an enrolment code with a null byte', ({ owner, pendingTenantId }) => owner.client.request(ConfirmTotpEnrolmentDocument, { tenantId: pendingTenantId, code: '123\u0000456' }), 'BAD_USER_INPUT'],
  ['a TOTP answer of seven digits', ({ challenged, challengeId }) => challenged.client.request(VerifyTwoFactorDocument, { challengeId, code: '1234567' }), 'BAD_USER_INPUT'],
  ['a recovery code with 0 and O, outside the alphabet', ({ challenged, challengeId }) => challenged.client.request(UseRecoveryCodeDocument, { challengeId, code: 'O0O0-0O0O' }), 'BAD_USER_INPUT'],
  ['an enrolment code over 64 characters', ({ owner, tenant }) => owner.client.request(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: long(65, '1') }), 'BAD_USER_INPUT'],
  ['a re-authentication password of 10,000 characters', ({ owner, tenant }) => owner.client.request(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: long(10_000) }), 'BAD_USER_INPUT'],
  ['enabled: "yes" written in the document', ({ owner, tenant }) => owner.client.raw({ query: `mutation { setTenantTwoFactor(tenantId: "${tenant.id}", enabled: "yes") { id } }` }), 'GRAPHQL_VALIDATION_FAILED'],
  ['enabled: "yes" sent as a variable', ({ owner, tenant }) => owner.client.raw({ query: 'mutation($id: ID!, $on: Boolean!) { setTenantTwoFactor(tenantId: $id, enabled: $on) { id } }', variables: { id: tenant.id, on: 'yes' } }), 'BAD_USER_INPUT'],
  ['required: 1 for a workspace', ({ owner, tenant }) => owner.client.raw({ query: `mutation { setWorkspaceTwoFactor(workspaceId: "${tenant.openWorkspaceId}", required: 1) { id } }` }), 'GRAPHQL_VALIDATION_FAILED'],
  ['a policy outside the enum', ({ owner, tenant }) => owner.client.raw({ query: 'mutation($id: ID!, $p: TwoFactorPolicy!) { setTenantTwoFactorPolicy(tenantId: $id, policy: $p) { id } }', variables: { id: tenant.id, p: 'ALWAYS' } }), 'BAD_USER_INPUT'],
  ['a recovery code format outside the enum', ({ owner, tenant }) => owner.client.raw({ query: `mutation { setTenantRecoveryCodeFormat(tenantId: "${tenant.id}", format: XX) { id } }` }), 'GRAPHQL_VALIDATION_FAILED'],
  ['a role outside the enum', ({ owner, tenant }) => owner.client.raw({ query: `mutation { addTenantMember(tenantId: "${tenant.id}", email: "${owner.email}", role: ROOT) { role } }` }), 'GRAPHQL_VALIDATION_FAILED'],
  ['an object where an ID belongs', raw('query($id: ID!) { tenant(id: $id) { id } }', { id: { $ne: null } }), 'BAD_USER_INPUT'],
  ['agents(first: -1)', agentsPage('first: -1'), 'BAD_USER_INPUT'],
  ['agents(first: 0)', agentsPage('first: 0'), 'BAD_USER_INPUT'],
  ['agents(first: 1000)', agentsPage('first: 1000'), beforeRunning],
  ['agents(first: 2^31), beyond Int', agentsPage('first: 2147483648'), 'GRAPHQL_VALIDATION_FAILED'],
  ['agents(filter: { twoFactorEnabled: "no" })', agentsPage('filter: { twoFactorEnabled: "no" }'), 'GRAPHQL_VALIDATION_FAILED'],
  ['a cursor that is not base64 of an id', ({ owner, tenant }) => owner.client.request(TenantAgentsDocument, { tenantId: tenant.id, after: 'not a cursor!' }), 'BAD_USER_INPUT'],
  ['a cursor carrying SQL', ({ owner, tenant }) => owner.client.request(TenantAgentsDocument, { tenantId: tenant.id, after: cursorOf("' OR 1=1 --") }), 'BAD_USER_INPUT'],
  ['a forged audit log cursor', ({ owner, tenant }) => owner.client.request(AuditLogDocument, { tenantId: tenant.id, after: cursorOf('00000000-0000-0000-0000-00000000000g') }), 'BAD_USER_INPUT'],
  ['a missing argument', raw('mutation { createWorkspace(name: "Orphan") { id } }'), 'GRAPHQL_VALIDATION_FAILED'],
  ['a missing variable', ({ owner }) => owner.client.raw({ query: 'query($id: ID!) { tenant(id: $id) { id } }' }), 'BAD_USER_INPUT'],
  ['a null for a required argument', raw('{ tenant(id: null) { id } }'), 'GRAPHQL_VALIDATION_FAILED'],
  ['an unknown field', raw('{ tenants { id secret } }'), 'GRAPHQL_VALIDATION_FAILED'],
  ['a document that does not parse', raw('mutation { setTenantTwoFactor('), 'GRAPHQL_PARSE_FAILED'],
  ['an unknown tenant id', ({ owner }) => owner.client.request(TenantDocument, { id: randomUUID() }), 'NOT_FOUND'],
  ['a tenant id that is no UUID', ({ owner }) => owner.client.request(TenantDocument, { id: 'no-such-tenant' }), 'BAD_USER_INPUT'],
  ['a 10,000-character tenant id', ({ owner }) => owner.client.request(EnterTenantDocument, { tenantId: long(10_000, 'f') }), 'BAD_USER_INPUT'],
  ['a tenant id of emoji and a null byte', ({ owner }) => owner.client.request(TenantDocument, { id: '\u{1F600}\u0000' }), 'BAD_USER_INPUT'],
  ['an agent id carrying SQL', ({ owner, tenant }) => owner.client.request(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['an unknown challenge id', ({ challenged }) => challenged.client.request(VerifyTwoFactorDocument, { challengeId: randomUUID(), code: '123456' }), 'NOT_FOUND'],
  ['a 10,000-character workspace id', ({ owner }) => owner.client.request(WorkspaceDocument, { id: long(10_000, 'w') }), 'BAD_USER_INPUT'],
  ['a workspace member id carrying SQL', ({ owner, tenant }) => owner.client.request(AddWorkspaceMemberDocument, { workspaceId: tenant.openWorkspaceId, agentId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['an object for the workspace to enter', ({ owner }) => owner.client.raw({ query: 'mutation($w: ID!) { enterWorkspace(workspaceId: $w) { status } }', variables: { w: { $ne: null } } }), 'BAD_USER_INPUT'],
  ['cancelling a challenge id carrying SQL', ({ challenged }) => challenged.client.request(CancelChallengeDocument, { challengeId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['a 10,000-character password to regenerate codes', ({ owner, tenant }) => owner.client.request(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: long(10_000) }), 'BAD_USER_INPUT'],
  ['a 10,000-character password to disable 2FA', ({ owner, tenant }) => owner.client.request(DisableTwoFactorDocument, { tenantId: tenant.id, password: long(10_000) }), 'BAD_USER_INPUT'],
  ['an access token for an audience the gateway does not list', ({ owner, tenant }) => owner.client.request(MintAccessTokenDocument, { tenantId: tenant.id, audience: 'https://evil.test' }), 'BAD_USER_INPUT'],
  ['an access token for a 10,000-character workspace id', ({ owner, tenant }) => owner.client.request(MintAccessTokenDocument, { tenantId: tenant.id, workspaceId: long(10_000, 'w') }), 'BAD_USER_INPUT'],
  ['an object for the workspace of an access token', raw('mutation($t: ID!, $w: ID) { mintAccessToken(tenantId: $t, workspaceId: $w) { token } }', { t: 'x', w: { $ne: null } }), 'BAD_USER_INPUT'],
  ['revoking the sessions of an agent id carrying SQL', ({ owner, tenant }) => owner.client.request(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['an issuer with a colon for an existing tenant', ({ owner, tenant }) => owner.client.request(SetTenantIssuerDocument, { tenantId: tenant.id, issuer: 'Acme:Desk' }), 'BAD_USER_INPUT'],
  ['a recovery code visibility outside the enum', ({ owner, tenant }) => owner.client.raw({ query: 'mutation($id: ID!, $v: RecoveryCodeVisibility!) { setTenantRecoveryCodeVisibility(tenantId: $id, visibility: $v, replenish: false) { id } }', variables: { id: tenant.id, v: 'ALWAYS' } }), 'BAD_USER_INPUT'],
  ['a 10,000-character password to view recovery codes', ({ owner, tenant }) => owner.client.request(ViewRecoveryCodesDocument, { tenantId: tenant.id, password: long(10_000) }), 'BAD_USER_INPUT'],
  ['a 10,000-character password to remove TOTP', ({ owner, tenant }) => owner.client.request(RemoveTotpAuthenticatorDocument, { tenantId: tenant.id, password: long(10_000) }), 'BAD_USER_INPUT'],
  ['a 10,000-character password to register a passkey', ({ owner, tenant }) => owner.client.request(BeginPasskeyRegistrationDocument, { tenantId: tenant.id, password: long(10_000) }), 'BAD_USER_INPUT'],
  ['a passkey attestation that is a string, not an object', ({ owner, tenant }) => owner.client.raw({ query: 'mutation($t: ID!, $c: JSONObject!) { finishPasskeyRegistration(tenantId: $t, name: "Key", credential: $c) { passkey { id } } }', variables: { t: tenant.id, c: 'not an object' } }), 'BAD_USER_INPUT'],
  ['a passkey name over 200 characters', ({ owner, tenant }) => owner.client.request(FinishPasskeyRegistrationDocument, { tenantId: tenant.id, name: long(201), credential: {} }), 'BAD_USER_INPUT'],
  ['renaming a passkey id carrying SQL', ({ owner, tenant }) => owner.client.request(RenamePasskeyDocument, { tenantId: tenant.id, passkeyId: "x' OR '1'='1", name: 'Key' }), 'BAD_USER_INPUT'],
  ['removing a passkey id of 10,000 characters', ({ owner, tenant }) => owner.client.request(RemovePasskeyDocument, { tenantId: tenant.id, passkeyId: long(10_000, 'p'), password: 'x' }), 'BAD_USER_INPUT'],
  ['passkey options for a challenge id carrying SQL', ({ challenged }) => challenged.client.request(BeginPasskeyAssertionDocument, { challengeId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['a passkey assertion that is a list', ({ challenged, challengeId }) => challenged.client.raw({ query: 'mutation($c: ID!, $a: JSONObject!) { verifyPasskey(challengeId: $c, credential: $a) { status } }', variables: { c: challengeId, a: [1, 2] } }), 'BAD_USER_INPUT'],
  ['signing out a session id carrying SQL', ({ owner }) => owner.client.request(SignOutSessionDocument, { sessionId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['a passkey assertion without an id', ({ challenged, challengeId }) => challenged.client.request(VerifyPasskeyDocument, { challengeId, credential: { response: {} } }), 'BAD_USER_INPUT'],
  ['a 10,000-character current password to change', ({ owner }) => owner.client.request(ChangePasswordDocument, { currentPassword: long(10_000), newPassword: 'a new passphrase' }), 'BAD_USER_INPUT'],
  ['a 7-character new password', ({ owner }) => owner.client.request(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'seven77' }), 'BAD_USER_INPUT'],
  ['a reset request for an address with a null byte', ({ owner }) => owner.client.request(RequestPasswordResetDocument, { email: `${owner.email}\u0000` }), 'BAD_USER_INPUT'],
  ['a 65-character reset token', ({ owner }) => owner.client.request(ResetPasswordDocument, { token: long(65), newPassword: 'a new passphrase' }), 'BAD_USER_INPUT'],
  ['a reset token carrying SQL', ({ owner }) => owner.client.request(ResetPasswordDocument, { token: "x' OR '1'='1", newPassword: 'a new passphrase' }), 'INVALID_TOKEN'],
  ['a verification token of 10,000 characters', ({ owner }) => owner.client.request(VerifyEmailDocument, { token: long(10_000) }), 'BAD_USER_INPUT'],
  ['an invitation to an over-long address', ({ owner, tenant }) => owner.client.request(InviteTenantMemberDocument, { tenantId: tenant.id, email: overLongEmail, role: 'AGENT' }), 'BAD_USER_INPUT'],
  ['an invitation token of 10,000 characters', ({ owner }) => owner.client.request(AcceptInvitationDocument, { token: long(10_000) }), 'BAD_USER_INPUT'],
  ['revoking an invitation id carrying SQL', ({ owner, tenant }) => owner.client.request(RevokeInvitationDocument, { tenantId: tenant.id, invitationId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['leaving a tenant id of 10,000 characters', ({ owner }) => owner.client.request(LeaveTenantDocument, { tenantId: long(10_000, 'f') }), 'BAD_USER_INPUT'],
  // How long a second factor lasts
  ['maxAgeSeconds: -1 on entering a tenant', ({ owner, tenant }) => owner.client.request(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: -1 }), 'BAD_USER_INPUT'],
  ['maxAgeSeconds: "soon" on entering a workspace', raw('mutation($w: ID!, $m: Int) { enterWorkspace(workspaceId: $w, maxAgeSeconds: $m) { status } }', { w: 'x', m: 'soon' }), 'BAD_USER_INPUT'],
  ['maxAgeSeconds beyond Int', raw('mutation { enterTenant(tenantId: "x", maxAgeSeconds: 2147483648) { status } }'), 'GRAPHQL_VALIDATION_FAILED'],
  ['rememberDevice: "yes" with a TOTP answer', ({ challenged, challengeId }) => challenged.client.raw({ query: 'mutation($c: ID!, $r: Boolean) { verifyTwoFactor(challengeId: $c, code: "123456", rememberDevice: $r) { status } }', variables: { c: challengeId, r: 'yes' } }), 'BAD_USER_INPUT'],
  ['rememberDevice: 1 with a recovery code', ({ challenged, challengeId }) => challenged.client.raw({ query: `mutation { useRecoveryCode(challengeId: "${challengeId}", code: "ABCD-EFGH", rememberDevice: 1) { status } }` }), 'GRAPHQL_VALIDATION_FAILED'],
  ['rememberDevice: "true" with a passkey', ({ challenged, challengeId }) => challenged.client.raw({ query: 'mutation($c: ID!, $r: Boolean) { verifyPasskey(challengeId: $c, credential: {}, rememberDevice: $r) { status } }', variables: { c: challengeId, r: 'true' } }), 'BAD_USER_INPUT'],
  ['remembering devices for -1 days', ({ owner, tenant }) => owner.client.request(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: -1 }), 'BAD_USER_INPUT'],
  ['remembering devices for 91 days', ({ owner, tenant }) => owner.client.request(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 91 }), 'BAD_USER_INPUT'],
  ['remembering devices for 1.5 days', raw('mutation { setTenantRememberDeviceDays(tenantId: "x", days: 1.5) { id } }'), 'GRAPHQL_VALIDATION_FAILED'],
  ['a second-factor lifetime of 0 seconds', ({ owner, tenant }) => owner.client.request(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds: 0 }), 'BAD_USER_INPUT'],
  ['a second-factor lifetime over 90 days', ({ owner, tenant }) => owner.client.request(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds: 90 * 86_400 + 1 }), 'BAD_USER_INPUT'],
  ['a second-factor lifetime as a string', raw('mutation($t: ID!, $s: Int) { setTenantSecondFactorLifetime(tenantId: $t, seconds: $s) { id } }', { t: 'x', s: '3600' }), 'BAD_USER_INPUT'],
  ['forgetting a device id carrying SQL', ({ owner, tenant }) => owner.client.request(ForgetRememberedDeviceDocument, { tenantId: tenant.id, deviceId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['forgetting an unknown device', ({ owner, tenant }) => owner.client.request(ForgetRememberedDeviceDocument, { tenantId: tenant.id, deviceId: randomUUID() }), 'NOT_FOUND'],
  ['forgetting the devices of a 10,000-character tenant id', ({ owner }) => owner.client.request(ForgetRememberedDevicesDocument, { tenantId: long(10_000, 'f') }), 'BAD_USER_INPUT'],
  ['listing the devices of an unknown tenant', ({ owner }) => owner.client.request(MyRememberedDevicesDocument, { tenantId: randomUUID() }), 'NOT_FOUND'],
  // Device sign-in
  ['a device sign-in with a 201-character client name', ({ owner }) => owner.client.request(BeginDeviceSignInDocument, { clientName: long(201) }), 'BAD_USER_INPUT'],
  ['a device sign-in with a control character in the client name', ({ owner }) => owner.client.request(BeginDeviceSignInDocument, { clientName: 'tenant-2fa\u001b[2J' }), 'BAD_USER_INPUT'],
  ['a device sign-in for a tenant id carrying SQL', ({ owner }) => owner.client.request(BeginDeviceSignInDocument, { clientName: 'tenant-2fa on ci', tenantId: "x' OR '1'='1" }), 'BAD_USER_INPUT'],
  ['polling with a 65-character device code', ({ owner }) => owner.client.request(PollDeviceSignInDocument, { deviceCode: long(65) }), 'BAD_USER_INPUT'],
  ['polling with a guessed device code', ({ owner }) => owner.client.request(PollDeviceSignInDocument, { deviceCode: long(43) }), 'INVALID_TOKEN'],
  ['looking up a 10,000-character user code', ({ owner }) => owner.client.request(DeviceSignInRequestDocument, { userCode: long(10_000) }), 'BAD_USER_INPUT'],
  ['approving a user code carrying SQL', ({ owner }) => owner.client.request(ApproveDeviceSignInDocument, { userCode: "x' OR '1'='1" }), 'INVALID_TOKEN'],
  ['approving a user code sent as a number', raw('mutation($u: String!) { approveDeviceSignIn(userCode: $u) }', { u: 12345678 }), 'BAD_USER_INPUT'],
  ['denying a user code outside the alphabet', ({ owner }) => owner.client.request(DenyDeviceSignInDocument, { userCode: 'AAAA-0000' }), 'INVALID_TOKEN'],
  // Single sign-on
  ['an identity provider whose issuer is no URL', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, issuer: 'not a url' } }), 'BAD_USER_INPUT'],
  ['an identity provider issuer over 500 characters', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, issuer: `https://idp.test/${long(500)}` } }), 'BAD_USER_INPUT'],
  ['an identity provider on plain http off loopback', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, issuer: 'http://idp.example.test' } }), 'BAD_USER_INPUT'],
  ['an identity provider without e-mail domains', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, emailDomains: [] } }), 'BAD_USER_INPUT'],
  ['an e-mail domain carrying SQL', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, emailDomains: ["acme.test' OR '1'='1"] } }), 'BAD_USER_INPUT'],
  ['51 e-mail domains', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, emailDomains: Array.from({ length: 51 }, (_, i) => `d${i}.test`) } }), 'BAD_USER_INPUT'],
  ['a client id with a space', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, clientId: 'two words' } }), 'BAD_USER_INPUT'],
  ['a 10,000-character client secret', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, clientSecret: long(10_000) } }), 'BAD_USER_INPUT'],
  ['a first identity provider with an empty client secret', ({ owner, tenant }) => owner.client.request(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...identityProvider, clientSecret: '' } }), 'BAD_USER_INPUT'],
  ['required: "yes" for an identity provider', raw('mutation($t: ID!, $p: IdentityProviderInput!) { setTenantIdentityProvider(tenantId: $t, provider: $p) { id } }', { t: 'x', p: { issuer: 'https://idp.test', clientId: 'c', clientSecret: 's', emailDomains: ['a.test'], required: 'yes' } }), 'BAD_USER_INPUT'],
  ['removing the identity provider of a 10,000-character tenant id', ({ owner }) => owner.client.request(RemoveTenantIdentityProviderDocument, { tenantId: long(10_000, 'f') }), 'BAD_USER_INPUT'],
  ['an SSO start returning to another site', ({ owner, tenant }) => owner.client.request(BeginSsoSignInDocument, { tenantId: tenant.id, returnTo: 'https://evil.test/' }), 'BAD_USER_INPUT'],
  ['an SSO start returning to //evil.test', ({ owner, tenant }) => owner.client.request(BeginSsoSignInDocument, { tenantId: tenant.id, returnTo: '//evil.test' }), 'BAD_USER_INPUT'],
  ['an SSO start for a tenant without a provider', ({ owner, tenant }) => owner.client.request(BeginSsoSignInDocument, { tenantId: tenant.id }), 'NOT_FOUND'],
  ['the SSO provider of an over-long email', ({ owner }) => owner.client.request(SsoProviderForDocument, { email: overLongEmail }), 'BAD_USER_INPUT'],
];

const identityProvider = { issuer: 'https://idp.example.test', clientId: 'tenant-2fa-gateway', clientSecret: 'secret', emailDomains: ['acme.test'] };


/** Codes a client may meet for bad input: Apollo's own, and the contract's for ids that name nothing. */
const apolloCodes = ['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'];

describe.each(databaseKinds)('bad input on %s', (kind) => {
  let t: TestGateway;
  let scene: Scene;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    const challenged = await signInAgain(t, tenant.owner);
    const { enterTenant } = await challenged.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    const { createTenant: pending } = await tenant.owner.client.ok(CreateTenantDocument, { name: 'Pending' });
    await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: pending.id, enabled: true });
    await tenant.owner.client.ok(BeginTotpEnrolmentDocument, { tenantId: pending.id, password: PASSWORD });
    scene = { tenant, pendingTenantId: pending.id, owner: tenant.owner, challenged, challengeId: enterTenant.challenge!.id, anonymous: t.client };
  });
  afterAll(() => t?.close());

  it('reaches every operation of the contract that takes arguments, signed in and anonymously', async () => {
    const contract = contractOperationsWithArguments();
    for (const [who, sends] of [['signed in', malformed.map(([, send]) => send)], ['anonymous', anonymousBadInput.map(([, send]) => send)]] as const) {
      const reached = await operationsReached<any>([...sends]);
      expect(contract.filter((operation) => !reached.has(operation)), who).toEqual([]);
    }
  });

  // Threat: malformed input that crashes the gateway, leaks internals (stack traces, SQL) or writes on its way to failing.
  const anonymously = (send: (target: AnonymousTarget) => Promise<GraphQLResponse<unknown>>): Send => (s) =>
    send({ anonymous: s.anonymous, tenantId: s.tenant.id, workspaceId: s.tenant.openWorkspaceId, challengeId: s.challengeId, agentId: s.owner.id, email: s.owner.email });

  it.each([...malformed, ...anonymousBadInput.map(([label, send, code]): (typeof malformed)[number] => [`anonymous: ${label}`, anonymously(send), code])])('%s is refused with a client error, no stack trace and nothing written', async (_label, send, code) => {
    const before = await databaseSnapshot(t);
    const response = await send(scene);
    expect([200, 400]).toContain(response.status);
    const codes = [code].flat();
    expect(codes, JSON.stringify(response.errors)).toContain(response.errors?.[0]?.extensions?.code);
    for (const error of response.errors!) expect([...apolloCodes, ...codes]).toContain(error.extensions?.code);
    const body = JSON.stringify(response);
    expect(body).not.toMatch(/stacktrace|\bat .+:\d+:\d+|node_modules|SQLITE_|\bER_[A-Z_]+|QueryFailedError/);
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('a name of exactly 200 characters, emoji included, is accepted and stored whole', async () => {
    const name = long(199, 'n') + '\u{1F600}';
    const { createTenant } = await scene.owner.client.ok(CreateTenantDocument, { name, issuer: long(200, '\u{1F510}') });
    expect(createTenant).toMatchObject({ name, issuer: long(200, '\u{1F510}') });
  });

  it('leaves the open challenge with all its attempts after every malformed request', async () => {
    for (const [, send] of malformed) await send(scene);
    const { enterTenant } = await scene.challenged.client.ok(EnterTenantDocument, { tenantId: scene.tenant.id });
    expect(enterTenant.challenge).toMatchObject({ id: scene.challengeId, attemptsRemaining: 5 });
  });
});
