/*
 * The TypeScript examples of docs/integrating.md. Each `#region` below appears verbatim in that document, and
 * test/docs/integrating.test.ts runs them against a real gateway: the examples cannot go stale.
 */
// #region client
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import {
  AuditLogDocument,
  BeginPasskeyAssertionDocument,
  BeginPasskeyRegistrationDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  EnterTenantDocument,
  FinishPasskeyRegistrationDocument,
  MintAccessTokenDocument,
  SignInDocument,
  TenantAgentsDocument,
  type TenantAgentPartsFragment,
  type TenantAgentsQueryVariables,
  UseRecoveryCodeDocument,
  VerifyPasskeyDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';

/** A GraphQL error, by the contract's code (`extensions.code`): branch on `code`, never on the message. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** One request: a typed document and its variables in, its typed data out. */
export async function request<TData, TVariables>(gateway: string, document: TypedDocumentNode<TData, TVariables>, variables: TVariables, token?: string): Promise<TData> {
  const response = await fetch(`${gateway}/graphql`, {
    method: 'POST',
    // JSON bodies pass the gateway's CSRF prevention; a browser on the gateway's origin may rely on the
    // session cookie instead of the Authorization header.
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TData; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  const [error] = body.errors ?? [];
  if (error) throw new GatewayError(String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'), error.message, error.extensions ?? {});
  return body.data!;
}
// #endregion client

// #region sign-in
/** Email and password in, a bearer token out (shown once: keep it in memory or sessionStorage). */
export async function signIn(gateway: string, email: string, password: string): Promise<string> {
  const { signIn: session } = await request(gateway, SignInDocument, { email, password });
  return session.token;
}
// #endregion sign-in

// #region enrolment
/**
 * Enrolment: the password again, then a QR code to scan (or the secret to type), then the first code from the
 * app. The answer holds the 8 recovery codes, shown once: let the agent save them.
 */
export async function enrolTotp(gateway: string, token: string, tenantId: string, password: string, askCode: (qrCodeDataUrl: string) => Promise<string>): Promise<string[]> {
  const { beginTotpEnrolment } = await request(gateway, BeginTotpEnrolmentDocument, { tenantId, password }, token);
  const code = await askCode(beginTotpEnrolment.qrCodeDataUrl); // e.g. <img src={qrCodeDataUrl}> and a 6-digit field
  const { confirmTotpEnrolment } = await request(gateway, ConfirmTotpEnrolmentDocument, { tenantId, code }, token);
  return confirmTotpEnrolment.codes;
}
// #endregion enrolment

// #region enter
/**
 * Entering a tenant: GRANTED, or the challenge to answer, or the set-up the tenant requires first. A wrong code
 * answers INVALID_TWO_FACTOR_CODE with `attemptsRemaining`; the fifth invalidates the challenge.
 */
export async function enterTenant(gateway: string, token: string, tenantId: string, askCode: () => Promise<string>): Promise<'GRANTED' | 'SET_UP_FIRST'> {
  const { enterTenant: access } = await request(gateway, EnterTenantDocument, { tenantId }, token);
  if (access.status === 'GRANTED') return 'GRANTED';
  if (access.status === 'TWO_FACTOR_SETUP_REQUIRED') return 'SET_UP_FIRST'; // enrolTotp, then enter again
  for (;;) {
    try {
      const { verifyTwoFactor } = await request(gateway, VerifyTwoFactorDocument, { challengeId: access.challenge!.id, code: await askCode() }, token);
      return verifyTwoFactor.status as 'GRANTED';
    } catch (error) {
      if (!(error instanceof GatewayError && error.code === 'INVALID_TWO_FACTOR_CODE' && Number(error.extensions.attemptsRemaining) > 0)) throw error;
    }
  }
}
// #endregion enter

// #region recovery
/** Lost the phone: a recovery code answers the same challenge, once. */
export async function enterWithRecoveryCode(gateway: string, token: string, tenantId: string, recoveryCode: string): Promise<string> {
  const { enterTenant: access } = await request(gateway, EnterTenantDocument, { tenantId }, token);
  if (access.status !== 'TWO_FACTOR_CHALLENGE_REQUIRED') return access.status;
  const { useRecoveryCode } = await request(gateway, UseRecoveryCodeDocument, { challengeId: access.challenge!.id, code: recoveryCode }, token);
  return useRecoveryCode.status;
}
// #endregion recovery

// #region passkeys
/**
 * The browser's WebAuthn prompt, options in and credential out as JSON. With @simplewebauthn/browser (what the
 * web console uses): `(optionsJSON) => startRegistration({ optionsJSON })`, and `startAuthentication` to answer.
 */
export type WebAuthnPrompt = (optionsJSON: Record<string, unknown>) => Promise<Record<string, unknown>>;

/**
 * Adding a passkey: the password again, the browser's prompt, the credential back. The first second factor of
 * a tenant turns two-factor on and answers the 8 recovery codes, shown once; a passkey added beside the app, none.
 */
export async function addPasskey(gateway: string, token: string, tenantId: string, password: string, name: string, create: WebAuthnPrompt): Promise<string[]> {
  const { beginPasskeyRegistration } = await request(gateway, BeginPasskeyRegistrationDocument, { tenantId, password }, token);
  const credential = await create(beginPasskeyRegistration.options);
  const { finishPasskeyRegistration } = await request(gateway, FinishPasskeyRegistrationDocument, { tenantId, name, credential }, token);
  return finishPasskeyRegistration.recoveryCodes;
}

/** Answering the challenge with a passkey: options for this challenge (this pair's passkeys only), the prompt, the assertion. */
export async function enterWithPasskey(gateway: string, token: string, tenantId: string, get: WebAuthnPrompt): Promise<string> {
  const { enterTenant: access } = await request(gateway, EnterTenantDocument, { tenantId }, token);
  if (access.status !== 'TWO_FACTOR_CHALLENGE_REQUIRED' || !access.challenge!.methods.includes('PASSKEY')) return access.status;
  const challengeId = access.challenge!.id;
  const { beginPasskeyAssertion } = await request(gateway, BeginPasskeyAssertionDocument, { challengeId }, token);
  const { verifyPasskey } = await request(gateway, VerifyPasskeyDocument, { challengeId, credential: await get(beginPasskeyAssertion.options) }, token);
  return verifyPasskey.status;
}
// #endregion passkeys

// #region admin
/** Admin consoles: the members matching a search, page by page, with each one's 2FA state and last sign-in. */
export async function* searchAgents(gateway: string, token: string, tenantId: string, search: string): AsyncGenerator<TenantAgentPartsFragment> {
  let after: string | null = null;
  do {
    const variables: TenantAgentsQueryVariables = { tenantId, first: 50, after, filter: { search } };
    const { edges, pageInfo } = (await request(gateway, TenantAgentsDocument, variables, token)).tenant!.agents;
    for (const { node } of edges) yield node; // node.agent.email, node.role, node.twoFactor.state, node.lastSignIn
    after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
  } while (after);
}

/** Who entered with 2FA since a moment, and how: the audit log narrowed to CHALLENGE_PASSED. */
export async function passedChallenges(gateway: string, token: string, tenantId: string, since: Date) {
  const { tenant } = await request(gateway, AuditLogDocument, { tenantId, first: 100, filter: { actions: ['CHALLENGE_PASSED'], since: since.toISOString() } }, token);
  return tenant!.auditLog.edges.map(({ node }) => ({ at: node.at, agent: node.subject?.email, method: node.method, clientIp: node.clientIp }));
}
// #endregion admin

// #region access-token
/**
 * A token for a service behind the gateway, for one workspace: send it to the service as `Authorization: Bearer`,
 * and mint a fresh one shortly before `expiresAt` (tokens live at most 5 minutes). TWO_FACTOR_REQUIRED: enter the
 * workspace and answer its challenge first; no challenge is opened by minting.
 */
export async function accessTokenFor(gateway: string, token: string, tenantId: string, workspaceId: string, audience?: string): Promise<{ token: string; expiresAt: Date }> {
  const { mintAccessToken } = await request(gateway, MintAccessTokenDocument, { tenantId, workspaceId, audience }, token);
  return { token: mintAccessToken.token, expiresAt: new Date(mintAccessToken.expiresAt) };
}
// #endregion access-token
