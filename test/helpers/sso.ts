import { print } from 'graphql';
import { expect } from 'vitest';
import { AddTenantMemberDocument, AddWorkspaceMemberDocument, BeginSsoSignInDocument, SetTenantIdentityProviderDocument, SignUpDocument } from '../../src/client/generated/graphql';
import type { TestAgent, TestTenant } from './fixtures';
import { PASSWORD } from './fixtures';
import type { TestGateway } from './gateway';
import type { TestIdentityProvider } from './oidc-provider';

let sequence = 0;

/** An address of `domain`, unique in the run. */
export function addressAt(domain: string, label = 'agent'): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${sequence++}@${domain}`;
}

/** A new account with an address of `domain`, a member of the tenant (and its workspaces). */
export async function memberAt(t: TestGateway, tenant: TestTenant, domain: string, label = 'agent'): Promise<TestAgent> {
  const email = addressAt(domain, label);
  const { signUp } = await t.client.ok(SignUpDocument, { email, password: PASSWORD, name: label });
  const agent = { id: signUp.agent.id, email, password: PASSWORD, token: signUp.token, client: t.client.withToken(signUp.token) };
  await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email, role: 'AGENT' });
  for (const workspaceId of [tenant.secureWorkspaceId, tenant.openWorkspaceId]) await tenant.owner.client.ok(AddWorkspaceMemberDocument, { workspaceId, agentId: agent.id });
  return agent;
}

/** The tenant's owner sets the test provider for `domains`. */
export async function useProvider(
  tenant: TestTenant,
  idp: TestIdentityProvider,
  domains: string[],
  switches: { required?: boolean; justInTimeMembers?: boolean; trustProviderMfa?: boolean } = {},
): Promise<void> {
  await tenant.owner.client.ok(SetTenantIdentityProviderDocument, {
    tenantId: tenant.id,
    provider: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, emailDomains: domains, ...switches },
  });
}

/** beginSsoSignIn as a browser sends it: the authorization URL, and the state cookie its answer set. */
export async function beginSso(t: TestGateway, tenantId: string, returnTo?: string): Promise<{ authorizationUrl: string; stateCookie: string }> {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: t.url },
    body: JSON.stringify({ query: print(BeginSsoSignInDocument), variables: { tenantId, returnTo } }),
  });
  const body = (await response.json()) as { data?: { beginSsoSignIn: { authorizationUrl: string } }; errors?: unknown };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  const cookie = response.headers.getSetCookie().find((line) => line.startsWith('gateway_sso_state='));
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  return { authorizationUrl: body.data!.beginSsoSignIn.authorizationUrl, stateCookie: cookie!.split(';')[0] };
}

export interface CallbackAnswer {
  status: number;
  location: string;
  /** The session token the answer's cookie carries, when it signed in. */
  sessionToken: string | null;
  /** `error` of the console page it sends to, when refused. */
  error: string | null;
}

/** GET /sso/callback as the browser would reach it from the provider, with the cookie given. */
export async function callback(t: TestGateway, callbackUrl: URL, cookie: string | null): Promise<CallbackAnswer> {
  const response = await fetch(callbackUrl, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const location = response.headers.get('location') ?? '';
  const session = response.headers.getSetCookie().find((line) => line.startsWith('gateway_session=') && !line.startsWith('gateway_session=;'));
  return {
    status: response.status,
    location,
    sessionToken: session ? session.split(';')[0].slice('gateway_session='.length) : null,
    error: new URL(location, t.url).searchParams.get('error'),
  };
}

/** The whole way: begin, the provider's scripted login, the callback with this browser's state cookie. */
export async function signInWithSso(t: TestGateway, idp: TestIdentityProvider, tenantId: string, returnTo?: string): Promise<CallbackAnswer> {
  const { authorizationUrl, stateCookie } = await beginSso(t, tenantId, returnTo);
  return callback(t, await idp.signInThrough(authorizationUrl), stateCookie);
}

export async function sessionCount(t: TestGateway): Promise<number> {
  return Number((await t.gateway.db.manager.query('SELECT COUNT(*) AS n FROM sessions'))[0].n);
}
