/*
 * The account examples of docs/integrating.md (section 8), after the client's and the downstream service's: each
 * `#region` appears verbatim there, and test/docs/integrating.test.ts runs them against a real gateway.
 */
// #region accounts
import { AcceptInvitationDocument, InviteTenantMemberDocument, RequestPasswordResetDocument, ResetPasswordDocument, SignUpDocument } from '../../src/client/generated/graphql';
import { request } from './integrating';

/** An OWNER or ADMIN invites an address, with or without an account: it gets an e-mail with a link. */
export async function invite(gateway: string, token: string, tenantId: string, email: string): Promise<string> {
  const { inviteTenantMember } = await request(gateway, InviteTenantMemberDocument, { tenantId, email, role: 'AGENT' }, token);
  return inviteTenantMember.id; // revokeInvitation(tenantId, invitationId) withdraws it
}

/**
 * The invitation's link (…/invitation?token=…): a new account signs up with its token (needed where sign-up is
 * invitation-only), or an agent signed in with the invited address accepts it. Either way it joins the tenant.
 */
export async function joinWithInvitation(gateway: string, link: string, account: { email: string; password: string; name: string }, session?: string): Promise<string> {
  const invitationToken = new URL(link).searchParams.get('token')!;
  if (session) {
    await request(gateway, AcceptInvitationDocument, { token: invitationToken }, session);
    return session;
  }
  const { signUp } = await request(gateway, SignUpDocument, { ...account, invitationToken });
  return signUp.token;
}

/** Forgot password: the link goes out only for an account, but the answer is always true. */
export async function forgotPassword(gateway: string, email: string): Promise<void> {
  await request(gateway, RequestPasswordResetDocument, { email });
}

/** The reset link (…/reset-password?token=…) and a new password: every other session ends; this is a new one. */
export async function resetPassword(gateway: string, link: string, newPassword: string): Promise<string> {
  const token = new URL(link).searchParams.get('token')!;
  const { resetPassword: session } = await request(gateway, ResetPasswordDocument, { token, newPassword });
  return session.token; // second factors are as they were: the tenant still asks for them
}
// #endregion accounts
