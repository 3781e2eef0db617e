// Threat: an identity provider set by someone who should not (an ADMIN, a session without a recent pass), a
// client secret readable back, a domain claimed from another tenant, or `required` telling which addresses have
// an account.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EnterTenantDocument,
  RemoveTenantIdentityProviderDocument,
  SetTenantIdentityProviderDocument,
  SignInDocument,
  TenantIdentityProviderDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, PASSWORD, signUp, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { addressAt, memberAt } from '../helpers/sso';
import { signInAgain } from '../helpers/two-factor';

const provider = (domains: string[], switches: { required?: boolean } = {}) => ({
  issuer: 'https://idp.example.test/realms/acme',
  clientId: 'tenant-2fa-gateway',
  clientSecret: 'the secret the provider gave',
  emailDomains: domains,
  ...switches,
});

describe.each(databaseKinds)('the identity provider settings on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme' });
  });
  afterAll(() => t?.close());

  it('the OWNER sets it; OWNER and ADMIN read it back without the secret, which is sealed at rest', async () => {
    const { setTenantIdentityProvider } = await tenant.owner.client.ok(SetTenantIdentityProviderDocument, {
      tenantId: tenant.id,
      provider: provider(['Acme.Test.', 'acme.test', 'support.acme.test']),
    });
    expect(setTenantIdentityProvider.identityProvider).toEqual({
      issuer: 'https://idp.example.test/realms/acme',
      clientId: 'tenant-2fa-gateway',
      emailDomains: ['acme.test', 'support.acme.test'],
      required: false,
      justInTimeMembers: false,
      trustProviderMfa: false,
    });
    const admin = await signUp(t, 'admin');
    await addMember(tenant, admin, 'ADMIN');
    expect((await admin.client.ok(TenantIdentityProviderDocument, { tenantId: tenant.id })).tenant?.identityProvider?.clientId).toBe('tenant-2fa-gateway');
    const [row] = await t.gateway.db.manager.query('SELECT client_secret_ciphertext FROM identity_providers WHERE tenant_id = ?', [tenant.id]);
    expect(row.client_secret_ciphertext).toMatch(/^v1\./);
    expect(row.client_secret_ciphertext).not.toContain('the secret');

    // An empty secret keeps the stored one.
    await tenant.owner.client.ok(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...provider(['acme.test']), clientSecret: '' } });
    const [kept] = await t.gateway.db.manager.query('SELECT client_secret_ciphertext FROM identity_providers WHERE tenant_id = ?', [tenant.id]);
    expect(kept.client_secret_ciphertext).toBe(row.client_secret_ciphertext);
  });

  it('an ADMIN may not set or remove it (FORBIDDEN), nor an AGENT read it, and nothing changes', async () => {
    const admin = await signUp(t, 'admin');
    await addMember(tenant, admin, 'ADMIN');
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    const before = await databaseSnapshot(t);
    expect((await admin.client.fails(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: provider(['evil.test']) })).code).toBe('FORBIDDEN');
    expect((await admin.client.fails(RemoveTenantIdentityProviderDocument, { tenantId: tenant.id })).code).toBe('FORBIDDEN');
    expect((await agent.client.fails(TenantIdentityProviderDocument, { tenantId: tenant.id })).code).toBe('FORBIDDEN');
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('is a privileged action: an OWNER whose pass is older than the privileged max age is asked for a fresh one (maxAgeSeconds), and the retry after it succeeds', async () => {
    const other = await createTenant(t, { twoFactor: true, name: 'Privileged' });
    const { secret } = await enrol(t, other.owner, other.id);
    t.clock.advance(901_000);
    const refused = await other.owner.client.fails(SetTenantIdentityProviderDocument, { tenantId: other.id, provider: provider(['privileged.test']) });
    expect(refused).toMatchObject({ code: 'TWO_FACTOR_REQUIRED', extensions: { maxAgeSeconds: 900 } });
    const { enterTenant } = await other.owner.client.ok(EnterTenantDocument, { tenantId: other.id, maxAgeSeconds: 900 });
    await other.owner.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, secret) });
    await other.owner.client.ok(SetTenantIdentityProviderDocument, { tenantId: other.id, provider: provider(['privileged.test']) });
    t.clock.advance(901_000);
    expect((await other.owner.client.fails(RemoveTenantIdentityProviderDocument, { tenantId: other.id })).code).toBe('TWO_FACTOR_REQUIRED');
    // A session that never passed the tenant's challenge is stopped at the gate, as for any operation in the tenant.
    const fresh = await signInAgain(t, other.owner);
    expect((await fresh.client.fails(RemoveTenantIdentityProviderDocument, { tenantId: other.id })).code).toBe('TWO_FACTOR_REQUIRED');
  });

  it("refuses a domain another tenant's provider serves, a plain-http issuer off loopback, and a first provider without a secret", async () => {
    const other = await createTenant(t, { name: 'Other' });
    const before = await databaseSnapshot(t);
    const taken = await other.owner.client.fails(SetTenantIdentityProviderDocument, { tenantId: other.id, provider: provider(['other.test', 'ACME.test']) });
    expect(taken).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'emailDomains' } });
    const http = await other.owner.client.fails(SetTenantIdentityProviderDocument, { tenantId: other.id, provider: { ...provider(['other.test']), issuer: 'http://idp.example.test' } });
    expect(http).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'issuer' } });
    const noSecret = await other.owner.client.fails(SetTenantIdentityProviderDocument, { tenantId: other.id, provider: { ...provider(['other.test']), clientSecret: '' } });
    expect(noSecret).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'clientSecret' } });
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('removing it leaves no provider, domain or link behind', async () => {
    const other = await createTenant(t, { name: 'Removing' });
    await other.owner.client.ok(SetTenantIdentityProviderDocument, { tenantId: other.id, provider: provider(['removing.test']) });
    const { removeTenantIdentityProvider } = await other.owner.client.ok(RemoveTenantIdentityProviderDocument, { tenantId: other.id });
    expect(removeTenantIdentityProvider.identityProvider).toBeNull();
    for (const table of ['identity_providers', 'identity_provider_domains', 'sso_links']) {
      expect(await t.gateway.db.manager.query(`SELECT * FROM ${table} WHERE tenant_id = ?`, [other.id])).toEqual([]);
    }
  });
});

/** Pairs of sign-ins (one existing account, one unknown address) per try, alternating which goes first. */
const ROUNDS = 12;
const TIME_TOLERANCE = 0.25;
const TRIES = 3;

describe.each(databaseKinds)('required: password sign-in for the provider domains on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;

  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { name: 'Required' });
  });
  afterAll(() => t?.close());

  it('is SSO_REQUIRED (with the sign-in URL) for the domain, right password or wrong, and unchanged for other domains', async () => {
    const member = await memberAt(t, tenant, 'required.test');
    await tenant.owner.client.ok(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: provider(['required.test'], { required: true }) });
    const right = await t.client.fails(SignInDocument, { email: member.email, password: PASSWORD });
    expect(right).toMatchObject({ code: 'SSO_REQUIRED', extensions: { signInUrl: expect.stringContaining('/sign-in?email=') } });
    expect((await t.client.fails(SignInDocument, { email: member.email, password: 'not the password' })).code).toBe('SSO_REQUIRED');
    expect((await t.client.fails(SignInDocument, { email: addressAt('required.test', 'nobody'), password: PASSWORD })).code).toBe('SSO_REQUIRED');
    // The owner's address is of another domain.
    expect((await t.client.ok(SignInDocument, { email: tenant.owner.email, password: PASSWORD })).signIn.agent.id).toBe(tenant.owner.id);
    // Without `required`, the member's password works again.
    await tenant.owner.client.ok(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...provider(['required.test']), clientSecret: '' } });
    expect((await t.client.ok(SignInDocument, { email: member.email, password: PASSWORD })).signIn.agent.id).toBe(member.id);
    await tenant.owner.client.ok(SetTenantIdentityProviderDocument, { tenantId: tenant.id, provider: { ...provider(['required.test'], { required: true }), clientSecret: '' } });
  });

  it('answers alike, with the same statements and about as long, for an account and an unknown address of the domain', async () => {
    const known: string[] = [];
    for (let i = 0; i < TRIES * (ROUNDS + 2); i++) {
      const email = addressAt('required.test', 'known');
      await t.gateway.services.accounts.createAccount({ email, password: PASSWORD, name: `Known ${i}` }, { emailVerified: true });
      known.push(email);
    }
    const measure = async (email: string) => {
      t.statements.reset();
      const started = performance.now();
      const result = await t.client.request(SignInDocument, { email, password: PASSWORD });
      return { ms: performance.now() - started, statements: [...t.statements.statements], answer: result.errors?.map((e) => ({ ...e, extensions: { ...e.extensions, signInUrl: undefined } })) };
    };
    const tries: string[] = [];
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      const times: Record<'known' | 'unknown', number[]> = { known: [], unknown: [] };
      for (let round = -2; round < ROUNDS; round++) {
        const pair = [
          { kind: 'known' as const, email: known.shift()! },
          { kind: 'unknown' as const, email: addressAt('required.test', 'unknown') },
        ];
        if (round % 2) pair.reverse();
        const [first, second] = [await measure(pair[0].email), await measure(pair[1].email)];
        expect(second.answer).toEqual(first.answer);
        expect(second.statements).toEqual(first.statements);
        if (round < 0) continue;
        times[pair[0].kind].push(first.ms);
        times[pair[1].kind].push(second.ms);
      }
      const [a, b] = [median(times.known), median(times.unknown)];
      tries.push(`${a.toFixed(2)} ms (known) vs ${b.toFixed(2)} ms (unknown)`);
      if (Math.max(a, b) <= Math.min(a, b) * (1 + TIME_TOLERANCE)) return;
    }
    expect.fail(`the medians differ by more than ${TIME_TOLERANCE * 100} % in every try: ${tries.join('; ')}`);
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
