// Threat: a sign-in through a tenant's identity provider that lets in someone it should not (a forged, replayed,
// stale or misdirected answer, an address of another tenant or none verified), or that skips the tenant's own
// second factor when the tenant did not choose to trust the provider's.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  EnterWorkspaceDocument,
  MeDocument,
  MintAccessTokenDocument,
  MyAccountDocument,
  SsoProviderForDocument,
} from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, enrol, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { startIdentityProvider, TestIdentityProvider } from '../helpers/oidc-provider';
import { addressAt, beginSso, callback, memberAt, sessionCount, signInWithSso, useProvider } from '../helpers/sso';

describe.each(databaseKinds)('single sign-on through a real OpenID provider on %s', (kind) => {
  let t: TestGateway;
  let idp: TestIdentityProvider;
  let acme: TestTenant;
  let beta: TestTenant;
  let subjects = 0;
  const nextSub = () => `provider-subject-${subjects++}`;

  beforeAll(async () => {
    // PORT 0: PUBLIC_URL is where the gateway listens, so the provider's redirect URI is the real callback.
    t = await startTestGateway(kind, { PORT: '0', TOKEN_AUDIENCES: 'https://api.test' });
    idp = await startIdentityProvider({ redirectUri: `${t.url}/sso/callback` });
    acme = await createTenant(t, { twoFactor: true, name: 'Acme' });
    beta = await createTenant(t, { twoFactor: true, name: 'Beta' });
    await useProvider(acme, idp, ['acme.test']);
    await useProvider(beta, idp, ['beta.test']);
  });
  afterAll(async () => {
    await idp?.close();
    await t?.close();
  });

  const auditOf = async (tenant: TestTenant) =>
    (await tenant.owner.client.ok(AuditLogDocument, { tenantId: tenant.id, first: 50 })).tenant!.auditLog.edges.map((edge) => edge.node);

  it('ssoProviderFor names the tenant whose provider serves the domain, for anyone, and nothing for other domains', async () => {
    expect((await t.client.ok(SsoProviderForDocument, { email: 'someone@ACME.test' })).ssoProviderFor).toEqual({ id: acme.id, name: 'Acme' });
    expect((await t.client.ok(SsoProviderForDocument, { email: 'someone@elsewhere.test' })).ssoProviderFor).toBeNull();
  });

  it('signs in a member by its verified address, links the subject, and the session still meets the tenant challenge', async () => {
    const agent = await memberAt(t, acme, 'acme.test');
    await enrol(t, agent, acme.id);
    const sub = nextSub();
    idp.script({ sub, email: agent.email });
    const answer = await signInWithSso(t, idp, acme.id, `/workspaces/${acme.secureWorkspaceId}`);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`/sso?returnTo=${encodeURIComponent(`/workspaces/${acme.secureWorkspaceId}`)}`);
    const session = t.client.withToken(answer.sessionToken!);
    expect((await session.ok(MyAccountDocument)).me).toMatchObject({ id: agent.id, email: agent.email, emailVerified: true });
    const { enterWorkspace } = await session.ok(EnterWorkspaceDocument, { workspaceId: acme.secureWorkspaceId });
    expect(enterWorkspace.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    const [signIn] = (await auditOf(acme)).filter((event) => event.action === 'SSO_SIGN_IN');
    expect(signIn.subject?.id).toBe(agent.id);
    expect(JSON.parse(signIn.detail!)).toEqual({ issuer: idp.issuer, amr: ['pwd'], standing: null });
    expect(await t.gateway.db.manager.query('SELECT agent_id FROM sso_links WHERE tenant_id = ? AND subject = ?', [acme.id, sub])).toEqual([{ agent_id: agent.id }]);

    // Afterwards the link finds the agent, whatever address the provider reports now.
    idp.script({ sub, email: addressAt('elsewhere.test'), emailVerified: false });
    const again = await signInWithSso(t, idp, acme.id);
    expect(again.location).toBe('/sso?returnTo=%2F');
    expect((await t.client.withToken(again.sessionToken!).ok(MeDocument)).me?.id).toBe(agent.id);
  });

  it('with trustProviderMfa and an amr showing a second factor, the session holds the tenant (IDENTITY_PROVIDER, in the token amr); with amr ["pwd"] it does not', async () => {
    const trusting = await createTenant(t, { twoFactor: true, name: 'Trusting' });
    await useProvider(trusting, idp, ['trusting.test'], { trustProviderMfa: true });
    const agent = await memberAt(t, trusting, 'trusting.test');
    await enrol(t, agent, trusting.id);

    idp.script({ sub: nextSub(), email: agent.email, amr: ['pwd', 'otp'] });
    const trusted = t.client.withToken((await signInWithSso(t, idp, trusting.id)).sessionToken!);
    expect((await trusted.ok(EnterWorkspaceDocument, { workspaceId: trusting.secureWorkspaceId })).enterWorkspace.status).toBe('GRANTED');
    const { mintAccessToken } = await trusted.ok(MintAccessTokenDocument, { tenantId: trusting.id });
    expect(decodeJwt(mintAccessToken.token)).toMatchObject({ acr: 'aal2', amr: expect.arrayContaining(['mfa']) });
    const [standing] = await t.gateway.db.manager.query("SELECT source, method FROM tenant_standings WHERE agent_id = ? AND source = 'IDENTITY_PROVIDER'", [agent.id]);
    expect(standing).toEqual({ source: 'IDENTITY_PROVIDER', method: 'PROVIDER' });
    const signIns = (await auditOf(trusting)).filter((event) => event.action === 'SSO_SIGN_IN');
    expect(JSON.parse(signIns[0].detail!)).toEqual({ issuer: idp.issuer, amr: ['pwd', 'otp'], standing: 'IDENTITY_PROVIDER' });

    idp.script({ sub: (await t.gateway.db.manager.query('SELECT subject FROM sso_links WHERE agent_id = ?', [agent.id]))[0].subject, email: agent.email, amr: ['pwd'] });
    const untrusted = t.client.withToken((await signInWithSso(t, idp, trusting.id)).sessionToken!);
    expect((await untrusted.ok(EnterWorkspaceDocument, { workspaceId: trusting.secureWorkspaceId })).enterWorkspace.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('without trustProviderMfa, even an amr of ["pwd", "otp"] leaves the tenant challenge to the gateway', async () => {
    const agent = await memberAt(t, acme, 'acme.test');
    await enrol(t, agent, acme.id);
    idp.script({ sub: nextSub(), email: agent.email, amr: ['pwd', 'otp'] });
    const session = t.client.withToken((await signInWithSso(t, idp, acme.id)).sessionToken!);
    expect((await session.ok(EnterWorkspaceDocument, { workspaceId: acme.secureWorkspaceId })).enterWorkspace.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('with justInTimeMembers, a verified address unknown to the gateway becomes an agent with a verified address and an AGENT member', async () => {
    const open = await createTenant(t, { name: 'Open Doors' });
    await useProvider(open, idp, ['open.test'], { justInTimeMembers: true });
    const email = addressAt('open.test', 'newcomer');
    idp.script({ sub: nextSub(), email, name: 'New Comer' });
    const answer = await signInWithSso(t, idp, open.id);
    expect((await t.client.withToken(answer.sessionToken!).ok(MyAccountDocument)).me).toMatchObject({ email, name: "New Comer", emailVerified: true });
    const [membership] = await t.gateway.db.manager.query('SELECT m.role FROM tenant_memberships m JOIN agents a ON a.id = m.agent_id WHERE a.email = ? AND m.tenant_id = ?', [email, open.id]);
    expect(membership).toEqual({ role: 'AGENT' });
  });

  describe('refusals: nothing signed in, and audited where an agent of the tenant is known', () => {
    /** Runs the case; expects the console page's error, no session cookie and no new session. */
    async function refused(run: () => Promise<{ error: string | null; sessionToken: string | null; status: number }>, error: string): Promise<void> {
      const before = await sessionCount(t);
      const answer = await run();
      expect(answer.status).toBe(303);
      expect(answer.error).toBe(error);
      expect(answer.sessionToken).toBeNull();
      expect(await sessionCount(t)).toBe(before);
    }

    it('a state finished in another browser (foreign), or with no state cookie at all', async () => {
      const agent = await memberAt(t, acme, 'acme.test');
      idp.script({ sub: nextSub(), email: agent.email });
      const victim = await beginSso(t, acme.id);
      const attacker = await beginSso(t, acme.id);
      const victimCallback = await idp.signInThrough(victim.authorizationUrl);
      await refused(() => callback(t, victimCallback, attacker.stateCookie), 'foreign-state');
      await refused(() => callback(t, victimCallback, null), 'foreign-state');
    });

    it('a replayed state: the callback works once', async () => {
      const agent = await memberAt(t, acme, 'acme.test');
      idp.script({ sub: nextSub(), email: agent.email });
      const { authorizationUrl, stateCookie } = await beginSso(t, acme.id);
      const callbackUrl = await idp.signInThrough(authorizationUrl);
      expect((await callback(t, callbackUrl, stateCookie)).sessionToken).not.toBeNull();
      await refused(() => callback(t, callbackUrl, stateCookie), 'replayed-state');
    });

    it('a wrong nonce in the id_token', async () => {
      const agent = await memberAt(t, acme, 'acme.test');
      idp.script({ sub: nextSub(), email: agent.email });
      const { authorizationUrl, stateCookie } = await beginSso(t, acme.id);
      const forged = new URL(authorizationUrl);
      forged.searchParams.set('nonce', 'a-nonce-this-gateway-never-sent');
      await refused(async () => callback(t, await idp.signInThrough(forged.href), stateCookie), 'token-rejected');
    });

    it.each([
      ['another audience', { aud: 'some-other-client' }],
      ['another issuer', { iss: 'http://127.0.0.1:1/not-the-provider' }],
      ['an expired id_token', { exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 7200 }],
    ])('an id_token for %s, though signed with the provider key', async (_label, change) => {
      const agent = await memberAt(t, acme, 'acme.test');
      idp.script({ sub: nextSub(), email: agent.email });
      idp.tamper((claims) => ({ ...claims, ...change }));
      try {
        await refused(() => signInWithSso(t, idp, acme.id), 'token-rejected');
      } finally {
        idp.tamper(null);
      }
    });

    it('an expired start (10 minutes)', async () => {
      const agent = await memberAt(t, acme, 'acme.test');
      idp.script({ sub: nextSub(), email: agent.email });
      const { authorizationUrl, stateCookie } = await beginSso(t, acme.id);
      const callbackUrl = await idp.signInThrough(authorizationUrl);
      t.clock.advance(10 * 60_000 + 1);
      await refused(() => callback(t, callbackUrl, stateCookie), 'expired-start');
    });

    it('an address the provider has not verified (audited for the member it names)', async () => {
      const agent = await memberAt(t, acme, 'acme.test');
      idp.script({ sub: nextSub(), email: agent.email, emailVerified: false });
      await refused(() => signInWithSso(t, idp, acme.id), 'email-not-verified');
      const refusal = (await auditOf(acme)).find((event) => event.action === 'SSO_SIGN_IN_REFUSED' && event.subject?.id === agent.id);
      expect(refusal?.detail).toBe('email-not-verified');
    });

    it('an address outside the provider domains', async () => {
      idp.script({ sub: nextSub(), email: addressAt('elsewhere.test') });
      await refused(() => signInWithSso(t, idp, acme.id), 'outside-domains');
    });

    it("tenant A's provider signing in an agent of tenant B's domain (audited in tenant B)", async () => {
      const betaAgent = await memberAt(t, beta, 'beta.test');
      await memberAt(t, acme, 'acme.test'); // Acme has members; the Beta agent is not one of them
      idp.script({ sub: nextSub(), email: betaAgent.email });
      await refused(() => signInWithSso(t, idp, acme.id), 'another-tenants-domain');
      const refusal = (await auditOf(beta)).find((event) => event.action === 'SSO_SIGN_IN_REFUSED' && event.subject?.id === betaAgent.id);
      expect(refusal?.detail).toBe('another-tenants-domain');
      expect((await auditOf(acme)).some((event) => event.subject?.id === betaAgent.id)).toBe(false);
    });

    it('an unknown address without justInTimeMembers', async () => {
      idp.script({ sub: nextSub(), email: addressAt('acme.test', 'stranger') });
      await refused(() => signInWithSso(t, idp, acme.id), 'unknown-address');
    });

    it('an error the provider sends back', async () => {
      const { stateCookie } = await beginSso(t, acme.id);
      const state = decodeURIComponent(stateCookie.split('=')[1]);
      await refused(() => callback(t, new URL(`${t.url}/sso/callback?error=access_denied&state=${encodeURIComponent(state)}`), stateCookie), 'provider-error');
    });

    it.each(['https://evil.test/phish', '//evil.test/phish', '/\\evil.test', 'javascript:alert(1)', '/graphql', 'workspaces'])(
      'a returnTo of %s is refused at the start, and nothing is written',
      async (returnTo) => {
        const before = Number((await t.gateway.db.manager.query('SELECT COUNT(*) AS n FROM sso_starts'))[0].n);
        const error = await t.client.fails(
          (await import('../../src/client/generated/graphql')).BeginSsoSignInDocument,
          { tenantId: acme.id, returnTo },
        );
        expect(error.code).toBe('BAD_USER_INPUT');
        expect(Number((await t.gateway.db.manager.query('SELECT COUNT(*) AS n FROM sso_starts'))[0].n)).toBe(before);
      },
    );
  });
});
