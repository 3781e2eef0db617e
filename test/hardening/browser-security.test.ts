// Threat: a hostile web page riding the agent's browser session (CSRF, cross-origin reads, stolen cookies).
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnterTenantDocument, MeDocument, SignInDocument, SignOutDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, enrol, signUp, TestAgent } from '../helpers/fixtures';
import { allowRememberedDevices } from '../helpers/remembered-devices';
import { enrolledAgent, signInAgain } from '../helpers/two-factor';
import type { TestGateway } from '../helpers/gateway';
import { startProductionGateway } from './harness';

const CONSOLE = 'https://console.example.com';
const EVIL = 'https://evil.example.net';

describe.each(databaseKinds)('browser security in production on %s', (kind) => {
  let t: TestGateway;
  let agent: TestAgent;
  const graphql = (init: RequestInit, search = '') => fetch(`${t.url}/graphql${search}`, init);
  const meWithCookie = (cookie: string) =>
    graphql({ method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ query: print(MeDocument) }) }).then(
      (r) => r.json() as Promise<{ data: { me: { id: string } | null } }>,
    );

  beforeAll(async () => {
    t = await startProductionGateway(kind, { CORS_ORIGINS: `${CONSOLE},https://admin.example.com` });
    agent = await signUp(t);
  });
  afterAll(() => t?.close());

  describe('CSRF prevention', () => {
    it.each([
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['multipart', 'multipart/form-data; boundary=x'],
    ])('refuses a simple cross-site POST (%s) before running it, even with the session cookie', async (_label, contentType) => {
      const response = await graphql({
        method: 'POST',
        headers: { 'content-type': contentType, cookie: `gateway_session=${agent.token}` },
        body: JSON.stringify({ query: print(SignOutDocument) }),
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
      expect((await agent.client.ok(MeDocument)).me?.id).toBe(agent.id); // the session was not signed out
    });

    it('refuses a GET without a preflight header, and a mutation over GET even with one', async () => {
      const search = `?query=${encodeURIComponent('mutation { signOut }')}`;
      const simple = await graphql({ method: 'GET', headers: { cookie: `gateway_session=${agent.token}` } }, search);
      expect(simple.status).toBe(400);
      expect(await simple.text()).toMatch(/Cross-Site Request Forgery/);
      const preflighted = await graphql({ method: 'GET', headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${agent.token}` } }, search);
      expect(preflighted.status).toBe(405);
      expect((await agent.client.ok(MeDocument)).me?.id).toBe(agent.id);
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      graphql({ method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
    const request = (origin: string) =>
      graphql({ method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { id } }' }) });

    it('lets an allowed origin preflight and read the answer, with credentials', async () => {
      const allowed = await preflight(CONSOLE);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(CONSOLE);
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
      expect(allowed.headers.get('access-control-allow-methods')).toMatch(/POST/);
      const answer = await request(CONSOLE);
      expect(answer.headers.get('access-control-allow-origin')).toBe(CONSOLE);
      expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
      expect(answer.headers.get('vary')).toMatch(/Origin/i);
    });

    it('gives any other origin no Access-Control-Allow-Origin, so its page cannot read answers', async () => {
      for (const response of [await preflight(EVIL), await request(EVIL), await preflight(`${CONSOLE}.evil.example.net`)]) {
        // (The cors package sends Allow-Credentials to everyone; without Allow-Origin the browser still blocks the read.)
        expect(response.headers.get('access-control-allow-origin')).toBeNull();
      }
    });

    it('adds nothing of CORS to a request without an Origin (not cross-origin), but still varies by Origin', async () => {
      const response = await graphql({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ me { id } }' }) });
      expect(response.status).toBe(200);
      expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(response.headers.get('vary')).toMatch(/Origin/i);
    });
  });

  describe('the session cookie', () => {
    it('is set by signIn HttpOnly, Secure and SameSite=Strict, authenticates alone, and is cleared by signOut', async () => {
      const response = await graphql({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(SignInDocument), variables: { email: agent.email, password: agent.password } }),
      });
      const { data } = (await response.json()) as { data: { signIn: { token: string; expiresAt: string } } };
      const setCookie = response.headers.getSetCookie();
      expect(setCookie).toHaveLength(1);
      const [pair, ...attributes] = setCookie[0].split(/;\s*/);
      expect(pair).toBe(`gateway_session=${data.signIn.token}`);
      expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']));
      const expires = attributes.find((a) => a.startsWith('Expires='))!.slice('Expires='.length);
      expect(Math.abs(new Date(expires).getTime() - new Date(data.signIn.expiresAt).getTime())).toBeLessThan(1000);

      const me = await meWithCookie(pair);
      expect(me.data.me?.id).toBe(agent.id);

      const signOut = await graphql({ method: 'POST', headers: { 'content-type': 'application/json', cookie: pair }, body: JSON.stringify({ query: print(SignOutDocument) }) });
      const cleared = signOut.headers.getSetCookie()[0];
      expect(cleared).toMatch(/^gateway_session=;/);
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
      expect(cleared).toMatch(/HttpOnly/);
      expect((await meWithCookie(pair)).data.me).toBeNull(); // the session itself ended, not just the cookie
    });

    it('does not authenticate with a forged cookie', async () => {
      expect((await meWithCookie(`gateway_session=${'A'.repeat(43)}`)).data.me).toBeNull();
    });
  });

  describe('the remembered-device cookie', () => {
    it('is HttpOnly, Secure, SameSite=Strict and scoped to /graphql, and a browser never reads the secret in an answer', async () => {
      const tenant = await createTenant(t, { twoFactor: true });
      await enrol(t, tenant.owner, tenant.id);
      await allowRememberedDevices(tenant);
      const { agent: enrolled, secret } = await enrolledAgent(t, tenant);
      const session = await signInAgain(t, enrolled);
      const { enterTenant } = await session.client.ok(EnterTenantDocument, { tenantId: tenant.id });
      const response = await graphql({
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: CONSOLE, authorization: `Bearer ${session.token}` },
        body: JSON.stringify({ query: print(VerifyTwoFactorDocument), variables: { challengeId: enterTenant.challenge!.id, code: currentCode(t, secret), rememberDevice: true } }),
      });
      const { data } = (await response.json()) as { data: { verifyTwoFactor: { status: string; rememberedDeviceToken: string | null } } };
      expect(data.verifyTwoFactor).toMatchObject({ status: 'GRANTED', rememberedDeviceToken: null });
      const [pair, ...attributes] = response.headers.getSetCookie().find((line) => line.startsWith('gateway_device_'))!.split(/;\s*/);
      expect(pair).toMatch(new RegExp(`^gateway_device_${tenant.id}=[A-Za-z0-9_-]{43}$`));
      expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/graphql']));
    });
  });
});
