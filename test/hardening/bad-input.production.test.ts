// Threat: malformed, oversized or cross-tenant input crafted to crash the gateway, leak internals or change state.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddWorkspaceMemberDocument, AuditLogDocument, BeginTotpEnrolmentDocument, CancelChallengeDocument, ConfirmTotpEnrolmentDocument, CreateTenantDocument,
  CreateWorkspaceDocument, EnterTenantDocument, EnterWorkspaceDocument, MintAccessTokenDocument, ResetAgentTwoFactorDocument, RevokeAgentSessionsDocument,
  SetWorkspaceTwoFactorDocument, SignInDocument, SignUpDocument, TenantAgentsDocument, TenantDocument, UseRecoveryCodeDocument,
  VerifyTwoFactorDocument, WorkspaceDocument, DisableTwoFactorDocument, RegenerateRecoveryCodesDocument, SetTenantIssuerDocument,
  SetTenantRecoveryCodeVisibilityDocument, ViewRecoveryCodesDocument, RemoveTotpAuthenticatorDocument, BeginPasskeyRegistrationDocument,
  RenamePasskeyDocument, RemovePasskeyDocument, BeginPasskeyAssertionDocument, VerifyPasskeyDocument, SignOutSessionDocument,
  AcceptInvitationDocument, ChangePasswordDocument, InviteTenantMemberDocument, LeaveTenantDocument, RequestPasswordResetDocument,
  ResetPasswordDocument, RevokeInvitationDocument, VerifyEmailDocument,
  SetTenantRememberDeviceDaysDocument, SetTenantSecondFactorLifetimeDocument, ForgetRememberedDeviceDocument, ForgetRememberedDevicesDocument, MyRememberedDevicesDocument,
  ApproveDeviceSignInDocument, BeginDeviceSignInDocument, DenyDeviceSignInDocument, DeviceSignInRequestDocument, PollDeviceSignInDocument,
  BeginSsoSignInDocument, RemoveTenantIdentityProviderDocument, SetTenantIdentityProviderDocument, SsoProviderForDocument, TenantIdentityProviderDocument,
} from '../../src/client/generated/graphql';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, PASSWORD, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { AnonymousTarget, anonymousBadInput } from '../helpers/anonymous-bad-input';
import { contractOperationsWithArguments, operationsReached } from '../helpers/operation-coverage';
import { databaseSnapshot } from '../helpers/snapshot';
import { challengedSession, enrolledAgent } from '../helpers/two-factor';
import { INTERNALS, startProductionGateway } from './harness';

interface Scene {
  a: TestTenant;
  b: TestTenant;
  /** A member of tenant B only. */
  outsider: TestAgent;
  /** A session with an open challenge in A, and the open challenge of another session of the same agent. */
  challenged: TestAgent;
  challengeId: string;
  otherSessionChallengeId: string;
  /** An ADMIN of A whose session has passed A's second factor (resets need step-up). */
  admin: TestAgent;
}
type Send = (s: Scene) => Promise<GraphQLResponse<unknown>>;

const huge = (n: number, char = 'a') => char.repeat(n);
const cursor = (text: string) => Buffer.from(text).toString('base64url');
const asOwner = (query: string, variables?: (s: Scene) => Record<string, unknown>): Send => (s) => s.a.owner.client.raw({ query, variables: variables?.(s) });
const answer = (code: string): Send => (s) => s.challenged.client.request(VerifyTwoFactorDocument, { challengeId: s.challengeId, code });
const recovery = (code: string): Send => (s) => s.challenged.client.request(UseRecoveryCodeDocument, { challengeId: s.challengeId, code });
const confirm = (code: string): Send => (s) => s.a.owner.client.request(ConfirmTotpEnrolmentDocument, { tenantId: s.a.id, code });
const agentsPage = (args: string): Send => asOwner(`query($t: ID!) { tenant(id: $t) { agents(${args}) { totalCount } } }`, (s) => ({ t: s.a.id }));

const BAD = 'BAD_USER_INPUT';
const INVALID = 'GRAPHQL_VALIDATION_FAILED';
const NOT_FOUND = 'NOT_FOUND';

/** [label, request, the code it must answer with]. */
/** label, request, expected code, and the tables it may write (a judged wrong code spends an attempt). */
const cases: Array<[string, Send, string, Array<'authenticators'>?]> = [
  // Huge strings
  ['a 50,000-character email at sign-up', (s) => s.a.owner.client.request(SignUpDocument, { email: `${huge(50_000)}@x.io`, password: PASSWORD, name: 'A' }), BAD],
  ['a 60,000-character password at sign-in', (s) => s.a.owner.client.request(SignInDocument, { email: s.a.owner.email, password: huge(60_000) }), BAD],
  ['an 80,000-character tenant name', (s) => s.a.owner.client.request(CreateTenantDocument, { name: huge(80_000) }), BAD],
  ['a 90,000-character TOTP code', answer(huge(90_000, '1')), BAD],
  ['a 65-character recovery code', recovery(huge(65, 'A')), BAD],
  ['a 50,000-character tenant id', (s) => s.a.owner.client.request(EnterTenantDocument, { tenantId: huge(50_000, 'f') }), BAD],
  ['a 10,000-character cursor', (s) => s.a.owner.client.request(TenantAgentsDocument, { tenantId: s.a.id, after: huge(10_000, 'Q') }), BAD],
  // Unicode and null bytes
  ['an email of unicode letters only', (s) => s.a.owner.client.request(SignUpDocument, { email: 'ünïcödé', password: PASSWORD, name: 'A' }), BAD],
  ['a tenant name of 200 emoji with variation selectors', (s) => s.a.owner.client.request(CreateTenantDocument, { name: huge(200, '\u2764\uFE0F') }), BAD],
  ['a workspace name with a null byte', (s) => s.a.owner.client.request(CreateWorkspaceDocument, { tenantId: s.a.id, name: 'Bill\u0000ing' }), BAD],
  ['a sign-in email with a null byte', (s) => s.a.owner.client.request(SignInDocument, { email: `${s.a.owner.email}\u0000`, password: PASSWORD }), BAD],
  ['a TOTP code with a null byte', answer('123\u0000456'), BAD],
  ['a TOTP code of full-width digits', answer('１２３４５６'), BAD],
  ['a tenant id of emoji and a null byte', (s) => s.a.owner.client.request(TenantDocument, { id: '\u{1F600}\u0000' }), BAD],
  ['an issuer with a colon', (s) => s.a.owner.client.request(CreateTenantDocument, { name: 'Acme', issuer: 'Acme:Support' }), BAD],
  // Wrong types
  ['a code sent as a number', asOwner('mutation($c: ID!, $k: String!) { verifyTwoFactor(challengeId: $c, code: $k) { status } }', (s) => ({ c: s.challengeId, k: 123456 })), BAD],
  ['a tenant id sent as a list', asOwner('query($t: ID!) { tenant(id: $t) { id } }', (s) => ({ t: [s.a.id] })), BAD],
  ['a tenant id sent as an object', asOwner('query($t: ID!) { tenant(id: $t) { id } }', () => ({ t: { $ne: null } })), BAD],
  ['enabled: "true" as a variable', asOwner('mutation($t: ID!, $e: Boolean!) { setTenantTwoFactor(tenantId: $t, enabled: $e) { id } }', (s) => ({ t: s.a.id, e: 'true' })), BAD],
  ['enabled: null as a variable', asOwner('mutation($t: ID!, $e: Boolean!) { setTenantTwoFactor(tenantId: $t, enabled: $e) { id } }', (s) => ({ t: s.a.id, e: null })), BAD],
  ['a policy in lower case', asOwner('mutation($t: ID!, $p: TwoFactorPolicy!) { setTenantTwoFactorPolicy(tenantId: $t, policy: $p) { id } }', (s) => ({ t: s.a.id, p: 'optional' })), BAD],
  ['a role outside the enum, in the document', asOwner('mutation { addTenantMember(tenantId: "x", email: "a@b.io", role: ROOT) { role } }'), INVALID],
  ['a boolean written as a string in the document', asOwner('mutation { setWorkspaceTwoFactor(workspaceId: "x", required: "yes") { id } }'), INVALID],
  ['an unknown argument', asOwner('{ me { id twoFactor(tenantId: "x", all: true) { state } } }'), INVALID],
  ['a missing variable', asOwner('query($t: ID!) { tenant(id: $t) { id } }'), BAD],
  // Pagination
  ['first: -1', agentsPage('first: -1'), BAD],
  ['first: 0', agentsPage('first: 0'), BAD],
  ['first: 101', agentsPage('first: 101'), BAD],
  ['first: 2^31, beyond Int', agentsPage('first: 2147483648'), INVALID],
  ['first: 1.5', agentsPage('first: 1.5'), INVALID],
  ['a cursor that is not base64', (s) => s.a.owner.client.request(TenantAgentsDocument, { tenantId: s.a.id, after: 'not a cursor!' }), BAD],
  ['a cursor carrying SQL', (s) => s.a.owner.client.request(TenantAgentsDocument, { tenantId: s.a.id, after: cursor("' OR 1=1 --") }), BAD],
  ['a forged audit log cursor', (s) => s.a.owner.client.request(AuditLogDocument, { tenantId: s.a.id, after: cursor('01a2-not-an-id') }), BAD],
  // Forged challenge ids
  ['an unknown challenge id', (s) => s.challenged.client.request(VerifyTwoFactorDocument, { challengeId: randomUUID(), code: '123456' }), NOT_FOUND],
  ['a challenge id that is no UUID', (s) => s.challenged.client.request(VerifyTwoFactorDocument, { challengeId: 'no-such-challenge', code: '123456' }), BAD],
  ['a challenge id carrying SQL', (s) => s.challenged.client.request(VerifyTwoFactorDocument, { challengeId: "x' OR '1'='1", code: '123456' }), BAD],
  ['an upper-case challenge id', (s) => s.challenged.client.request(VerifyTwoFactorDocument, { challengeId: s.challengeId.toUpperCase(), code: '123456' }), BAD],
  ['the challenge of another session (TOTP)', (s) => s.challenged.client.request(VerifyTwoFactorDocument, { challengeId: s.otherSessionChallengeId, code: '123456' }), NOT_FOUND],
  ['the challenge of another session (recovery code)', (s) => s.challenged.client.request(UseRecoveryCodeDocument, { challengeId: s.otherSessionChallengeId, code: 'ABCD-EFGH' }), NOT_FOUND],
  ['cancelling the challenge of another session', (s) => s.challenged.client.request(CancelChallengeDocument, { challengeId: s.otherSessionChallengeId }), NOT_FOUND],
  // Ids from another tenant
  ['another tenant', (s) => s.a.owner.client.request(TenantDocument, { id: s.b.id }), NOT_FOUND],
  ['entering another tenant', (s) => s.a.owner.client.request(EnterTenantDocument, { tenantId: s.b.id }), NOT_FOUND],
  ["entering another tenant's workspace", (s) => s.a.owner.client.request(EnterWorkspaceDocument, { workspaceId: s.b.secureWorkspaceId }), NOT_FOUND],
  ["requiring 2FA in another tenant's workspace", (s) => s.a.owner.client.request(SetWorkspaceTwoFactorDocument, { workspaceId: s.b.openWorkspaceId, required: true }), NOT_FOUND],
  ["another tenant's audit log", (s) => s.a.owner.client.request(AuditLogDocument, { tenantId: s.b.id }), NOT_FOUND],
  ['resetting an agent of another tenant', (s) => s.admin.client.request(ResetAgentTwoFactorDocument, { tenantId: s.a.id, agentId: s.outsider.id }), NOT_FOUND],
  ['an access token in another tenant', (s) => s.a.owner.client.request(MintAccessTokenDocument, { tenantId: s.b.id }), NOT_FOUND],
  ["an access token for another tenant's workspace", (s) => s.a.owner.client.request(MintAccessTokenDocument, { tenantId: s.a.id, workspaceId: s.b.openWorkspaceId }), NOT_FOUND],
  ['an access token for a 50,000-character audience', (s) => s.a.owner.client.request(MintAccessTokenDocument, { tenantId: s.a.id, audience: huge(50_000) }), BAD],
  ['revoking sessions in another tenant', (s) => s.a.owner.client.request(RevokeAgentSessionsDocument, { tenantId: s.b.id, agentId: s.outsider.id }), NOT_FOUND],
  ['adding an agent of another tenant to a workspace', (s) => s.a.owner.client.request(AddWorkspaceMemberDocument, { workspaceId: s.a.openWorkspaceId, agentId: s.outsider.id }), NOT_FOUND],
  ['adding a member to a workspace of another tenant', (s) => s.a.owner.client.request(AddWorkspaceMemberDocument, { workspaceId: s.b.openWorkspaceId, agentId: s.a.owner.id }), NOT_FOUND],
  ['enrolling in another tenant', (s) => s.a.owner.client.request(BeginTotpEnrolmentDocument, { tenantId: s.b.id, password: PASSWORD }), NOT_FOUND],
  ["another tenant's workspace", (s) => s.a.owner.client.request(WorkspaceDocument, { id: s.b.secureWorkspaceId }), NOT_FOUND],
  ['disabling 2FA in another tenant', (s) => s.a.owner.client.request(DisableTwoFactorDocument, { tenantId: s.b.id, password: PASSWORD }), NOT_FOUND],
  ['a 60,000-character password to regenerate codes', (s) => s.a.owner.client.request(RegenerateRecoveryCodesDocument, { tenantId: s.a.id, password: huge(60_000) }), BAD],
  ['a recovery code format in lower case', asOwner('mutation($t: ID!, $f: RecoveryCodeFormat!) { setTenantRecoveryCodeFormat(tenantId: $t, format: $f) { id } }', (s) => ({ t: s.a.id, f: 'xxxx_xxxx' })), BAD],
  // Codes with spaces, lower case and the wrong alphabet
  ['a TOTP code of five digits and spaces', answer(' 12 34 5 '), BAD],
  ['a TOTP code of letters', answer('abcdef'), BAD],
  ['a recovery code with letters outside the alphabet, lower case', recovery('lo10-il10'), BAD],
  ['a recovery code of 9 characters', recovery('abcd-efghj'), BAD],
  ['a recovery code of blanks', recovery('   '), BAD],
  ['a wrong enrolment code with spaces', confirm(' 000 000 '), 'INVALID_TWO_FACTOR_CODE', ['authenticators']],
  ['an enrolment code of lower-case letters', confirm('abcdef'), BAD],
  // The second factors and settings that came later
  ["another tenant's issuer", (s) => s.a.owner.client.request(SetTenantIssuerDocument, { tenantId: s.b.id, issuer: 'Mine' }), NOT_FOUND],
  ["another tenant's recovery code visibility", (s) => s.a.owner.client.request(SetTenantRecoveryCodeVisibilityDocument, { tenantId: s.b.id, visibility: 'VIEWABLE', replenish: false }), NOT_FOUND],
  ['viewing recovery codes in another tenant', (s) => s.a.owner.client.request(ViewRecoveryCodesDocument, { tenantId: s.b.id, password: PASSWORD }), NOT_FOUND],
  ['removing TOTP with a 60,000-character password', (s) => s.a.owner.client.request(RemoveTotpAuthenticatorDocument, { tenantId: s.a.id, password: huge(60_000) }), BAD],
  ['registering a passkey in another tenant', (s) => s.a.owner.client.request(BeginPasskeyRegistrationDocument, { tenantId: s.b.id, password: PASSWORD }), NOT_FOUND],
  ['a passkey attestation nested 1,000 deep', asOwner('mutation($t: ID!, $c: JSONObject!) { finishPasskeyRegistration(tenantId: $t, name: "Key", credential: $c) { passkey { id } } }', (s) => ({ t: s.a.id, c: { id: JSON.parse('['.repeat(1000) + ']'.repeat(1000)) } })), BAD],
  ['renaming a passkey that is no UUID', (s) => s.a.owner.client.request(RenamePasskeyDocument, { tenantId: s.a.id, passkeyId: 'no-such-passkey', name: 'Key' }), BAD],
  ['removing a passkey of another tenant', (s) => s.a.owner.client.request(RemovePasskeyDocument, { tenantId: s.b.id, passkeyId: randomUUID(), password: PASSWORD }), NOT_FOUND],
  ['passkey options for the challenge of another session', (s) => s.challenged.client.request(BeginPasskeyAssertionDocument, { challengeId: s.otherSessionChallengeId }), NOT_FOUND],
  ['a passkey assertion that is not a credential', (s) => s.challenged.client.request(VerifyPasskeyDocument, { challengeId: s.challengeId, credential: { id: 1 } }), BAD],
  ['signing out a session of another agent', (s) => s.a.owner.client.request(SignOutSessionDocument, { sessionId: randomUUID() }), NOT_FOUND],
  // The account lifecycle: tokens, passwords, invitations, leaving
  ['a 60,000-character current password to change', (s) => s.a.owner.client.request(ChangePasswordDocument, { currentPassword: huge(60_000), newPassword: 'a new passphrase' }), BAD],
  ['a reset request for an email of unicode letters', (s) => s.a.owner.client.request(RequestPasswordResetDocument, { email: 'ünïcödé' }), BAD],
  ['a reset token with a null byte', (s) => s.a.owner.client.request(ResetPasswordDocument, { token: `${huge(20)}\u0000${huge(22)}`, newPassword: 'a new passphrase' }), 'INVALID_TOKEN'],
  ['a 90,000-character verification token', (s) => s.a.owner.client.request(VerifyEmailDocument, { token: huge(90_000) }), BAD],
  ['an invitation into another tenant', (s) => s.a.owner.client.request(InviteTenantMemberDocument, { tenantId: s.b.id, email: 'invitee@example.test', role: 'AGENT' }), NOT_FOUND],
  ['an invitation with a role in lower case', asOwner('mutation($t: ID!, $r: TenantRole!) { inviteTenantMember(tenantId: $t, email: "a@b.io", role: $r) { id } }', (s) => ({ t: s.a.id, r: 'agent' })), BAD],
  ['an invitation token sent as an object', asOwner('mutation($k: String) { acceptInvitation(token: $k) { role } }', () => ({ k: { $ne: null } })), BAD],
  ['revoking an invitation of another tenant', (s) => s.a.owner.client.request(RevokeInvitationDocument, { tenantId: s.b.id, invitationId: s.b.id }), NOT_FOUND],
  ['leaving another tenant', (s) => s.a.owner.client.request(LeaveTenantDocument, { tenantId: s.b.id }), NOT_FOUND],
  ['accepting an invitation with a 10,000-character token', (s) => s.a.owner.client.request(AcceptInvitationDocument, { token: huge(10_000) }), BAD],
  // How long a second factor lasts
  ['entering with maxAgeSeconds: -1', (s) => s.a.owner.client.request(EnterTenantDocument, { tenantId: s.a.id, maxAgeSeconds: -1 }), BAD],
  ['entering another tenant with a max age', (s) => s.a.owner.client.request(EnterTenantDocument, { tenantId: s.b.id, maxAgeSeconds: 60 }), NOT_FOUND],
  ['rememberDevice: "yes" as a variable', asOwner('mutation($c: ID!, $r: Boolean) { verifyTwoFactor(challengeId: $c, code: "123456", rememberDevice: $r) { status } }', (s) => ({ c: s.challengeId, r: 'yes' })), BAD],
  ["another tenant's remembered-device days", (s) => s.a.owner.client.request(SetTenantRememberDeviceDaysDocument, { tenantId: s.b.id, days: 30 }), NOT_FOUND],
  ['remembered-device days of 2^31', asOwner('mutation($t: ID!) { setTenantRememberDeviceDays(tenantId: $t, days: 2147483648) { id } }', (s) => ({ t: s.a.id })), INVALID],
  ["another tenant's second-factor lifetime", (s) => s.a.owner.client.request(SetTenantSecondFactorLifetimeDocument, { tenantId: s.b.id, seconds: 60 }), NOT_FOUND],
  ['a negative second-factor lifetime', (s) => s.a.owner.client.request(SetTenantSecondFactorLifetimeDocument, { tenantId: s.a.id, seconds: -60 }), BAD],
  ['forgetting a device of another agent', (s) => s.a.owner.client.request(ForgetRememberedDeviceDocument, { tenantId: s.a.id, deviceId: randomUUID() }), NOT_FOUND],
  ['forgetting the devices of another tenant', (s) => s.a.owner.client.request(ForgetRememberedDevicesDocument, { tenantId: s.b.id }), NOT_FOUND],
  ['the remembered devices of another tenant', (s) => s.a.owner.client.request(MyRememberedDevicesDocument, { tenantId: s.b.id }), NOT_FOUND],
  // Device sign-in
  ['a device sign-in for a 10,000-character tenant id', (s) => s.a.owner.client.request(BeginDeviceSignInDocument, { clientName: 'tenant-2fa on ci', tenantId: huge(10_000) }), BAD],
  ['a device sign-in with a 90,000-character client name', (s) => s.a.owner.client.request(BeginDeviceSignInDocument, { clientName: huge(90_000) }), BAD],
  ['a device code sent as an object', asOwner('mutation($d: String!) { pollDeviceSignIn(deviceCode: $d) { token } }', () => ({ d: { $ne: null } })), BAD],
  ['a guessed device code', (s) => s.a.owner.client.request(PollDeviceSignInDocument, { deviceCode: huge(43) }), 'INVALID_TOKEN'],
  ['a 10,000-character user code to look up', (s) => s.a.owner.client.request(DeviceSignInRequestDocument, { userCode: huge(10_000) }), BAD],
  ['approving a user code carrying SQL', (s) => s.a.owner.client.request(ApproveDeviceSignInDocument, { userCode: "WDJB-MJHT' OR '1'='1" }), 'INVALID_TOKEN'],
  ['denying a guessed user code', (s) => s.a.owner.client.request(DenyDeviceSignInDocument, { userCode: 'WDJB-MJHT' }), 'INVALID_TOKEN'],
  // Single sign-on
  ["setting another tenant's identity provider", (s) => s.a.owner.client.request(SetTenantIdentityProviderDocument, { tenantId: s.b.id, provider: identityProvider }), NOT_FOUND],
  ["removing another tenant's identity provider", (s) => s.a.owner.client.request(RemoveTenantIdentityProviderDocument, { tenantId: s.b.id }), NOT_FOUND],
  ["reading another tenant's identity provider", (s) => s.a.owner.client.request(TenantIdentityProviderDocument, { tenantId: s.b.id }), NOT_FOUND],
  ['an identity provider on plain http in production, even on loopback', (s) => s.a.owner.client.request(SetTenantIdentityProviderDocument, { tenantId: s.a.id, provider: { ...identityProvider, issuer: 'http://127.0.0.1:8080' } }), BAD],
  ['an identity provider with a 60,000-character issuer', (s) => s.a.owner.client.request(SetTenantIdentityProviderDocument, { tenantId: s.a.id, provider: { ...identityProvider, issuer: `https://idp.test/${huge(60_000)}` } }), BAD],
  ['an e-mail domain with a null byte', (s) => s.a.owner.client.request(SetTenantIdentityProviderDocument, { tenantId: s.a.id, provider: { ...identityProvider, emailDomains: ['acme\u0000.test'] } }), BAD],
  ['identity provider switches sent as strings', asOwner('mutation($t: ID!, $p: IdentityProviderInput!) { setTenantIdentityProvider(tenantId: $t, provider: $p) { id } }', (s) => ({ t: s.a.id, p: { ...identityProvider, trustProviderMfa: 'true' } })), BAD],
  ['an SSO start returning to a javascript: URL', (s) => s.a.owner.client.request(BeginSsoSignInDocument, { tenantId: s.a.id, returnTo: 'javascript:alert(1)' }), BAD],
  ['an SSO start returning to a 10,000-character path', (s) => s.a.owner.client.request(BeginSsoSignInDocument, { tenantId: s.a.id, returnTo: `/${huge(10_000)}` }), BAD],
  ['an SSO start for an unknown tenant', (s) => s.a.owner.client.request(BeginSsoSignInDocument, { tenantId: randomUUID() }), NOT_FOUND],
  ['the SSO provider of a 50,000-character address', (s) => s.a.owner.client.request(SsoProviderForDocument, { email: `${huge(50_000)}@x.io` }), BAD],
];

const identityProvider = { issuer: 'https://idp.example.test', clientId: 'tenant-2fa-gateway', clientSecret: 'secret', emailDomains: ['acme.test'] };

describe.each(databaseKinds)('bad input against the production gateway on %s', (kind) => {
  let t: TestGateway;
  let scene: Scene;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    const [a, b] = [await createTenant(t, { twoFactor: true }), await createTenant(t, { twoFactor: true, name: 'Tenant B' })];
    const outsider = await signUp(t, 'outsider');
    await addMember(b, outsider);
    const enrolled = await enrolledAgent(t, a);
    const [mine, other] = [await challengedSession(t, enrolled.agent, a.secureWorkspaceId), await challengedSession(t, enrolled.agent, a.secureWorkspaceId)];
    await a.owner.client.ok(BeginTotpEnrolmentDocument, { tenantId: a.id, password: PASSWORD }); // a pending enrolment to confirm
    const admin = await signUp(t, 'admin');
    await addMember(a, admin, 'ADMIN');
    await enrol(t, admin, a.id);
    scene = { a, b, outsider, admin, challenged: mine.session, challengeId: mine.challengeId, otherSessionChallengeId: other.challengeId };
  });
  afterAll(() => t?.close());

  it('reaches every operation of the contract that takes arguments, signed in and anonymously', async () => {
    const contract = contractOperationsWithArguments();
    for (const [who, sends] of [['signed in', cases.map(([, send]) => send)], ['anonymous', anonymousBadInput.map(([, send]) => send)]] as const) {
      const reached = await operationsReached<any>([...sends]);
      expect(contract.filter((operation) => !reached.has(operation)), who).toEqual([]);
    }
  });

  const anonymously = (send: (target: AnonymousTarget) => Promise<GraphQLResponse<unknown>>): Send => (s) =>
    send({ anonymous: t.client, tenantId: s.a.id, workspaceId: s.a.openWorkspaceId, challengeId: s.challengeId, agentId: s.a.owner.id, email: s.a.owner.email });

  it.each([...cases, ...anonymousBadInput.map(([label, send, code]): (typeof cases)[number] => [`anonymous: ${label}`, anonymously(send), code])])('%s: a client error, no internals, nothing written', async (_label, send, code, mayWrite = []) => {
    const before = await databaseSnapshot(t, mayWrite);
    const response = await send(scene);
    expect([200, 400]).toContain(response.status);
    expect(response.errors?.[0]?.extensions?.code, JSON.stringify(response)).toBe(code);
    expect(JSON.stringify(response)).not.toMatch(INTERNALS);
    expect(await databaseSnapshot(t, mayWrite)).toBe(before);
  });

  it.each([
    ['a body that is not JSON', 'application/json', '{"query": '],
    ['a JSON string', 'application/json', '"{ me { id } }"'],
    ['a query that is not a string', 'application/json', '{"query": {"me": 1}}'],
    ['variables that are a string', 'application/json', '{"query": "{ me { id } }", "variables": "x"}'],
    ['an operation name that names nothing', 'application/json', '{"query": "query A { me { id } }", "operationName": "B"}'],
    ['an empty body', 'application/json', ''],
    ['a body over 100 KB', 'application/json', JSON.stringify({ query: `{ me { id } } # ${huge(110_000)}` })],
  ])('refuses %s at the HTTP level with a 4xx, never a 500 or a stack trace', async (_label, contentType, body) => {
    const before = await databaseSnapshot(t);
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect([400, 413]).toContain(response.status);
    const text = await response.text();
    expect(text).not.toMatch(INTERNALS);
    expect(JSON.parse(text).errors[0].message).toBeTruthy();
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('leaves the open challenge with all its attempts after every malformed request', async () => {
    for (const [, send] of cases) await send(scene);
    const { enterWorkspace } = await scene.challenged.client.ok(EnterWorkspaceDocument, { workspaceId: scene.a.secureWorkspaceId });
    expect(enterWorkspace.challenge).toMatchObject({ id: scene.challengeId, attemptsRemaining: 5 });
  });
});
