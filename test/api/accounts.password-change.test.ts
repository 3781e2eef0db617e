// Threat: a stolen session replaces the password without knowing it (or guesses it through changePassword), or
// the other sessions of a compromised account survive the change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangePasswordDocument, MeDocument, SignInDocument } from '../../src/client/generated/graphql';
import { expectNoSecrets, startGatewayWithMail } from '../helpers/account-mail';
import { passChallenge } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { createTenant, PASSWORD, signUp } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { databaseSnapshot } from '../helpers/snapshot';
import { auditActions, enrolledAgent, signInAgain } from '../helpers/two-factor';

const NEW_PASSWORD = 'a whole new passphrase';

describe.each(databaseKinds)('changePassword on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let mail: TestMailServer;

  beforeAll(async () => {
    gateway = await startGatewayWithMail(kind);
    ({ t, mail } = gateway);
  });
  afterAll(() => gateway?.close());

  it('sets the new password, ends every other session and its standing, keeps this one, and e-mails a notice', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { agent, secret } = await enrolledAgent(t, tenant, 'changer'); // its first session stands in the tenant
    const other = await signInAgain(t, agent);
    const current = await signInAgain(t, agent);
    // A privileged action: the changing session passes the tenant's challenge first.
    await passChallenge(t, current, secret, { tenantId: tenant.id });

    const { changePassword } = await current.client.ok(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changePassword).toBe(true);
    expect((await current.client.ok(MeDocument)).me?.id).toBe(agent.id);
    for (const ended of [agent, other]) expect((await ended.client.ok(MeDocument)).me).toBeNull();
    // The ended sessions' standing went with them; the changing session keeps its own.
    const standing: Array<{ revoked_at: unknown }> = await t.gateway.db.manager.query('SELECT revoked_at FROM tenant_standings WHERE agent_id = ?', [agent.id]);
    expect(standing.filter((row) => row.revoked_at === null)).toHaveLength(1);
    expect(standing.filter((row) => row.revoked_at !== null).length).toBeGreaterThan(0);

    expect((await t.client.fails(SignInDocument, { email: agent.email, password: PASSWORD })).code).toBe('INVALID_CREDENTIALS');
    await t.client.ok(SignInDocument, { email: agent.email, password: NEW_PASSWORD });

    const notice = await mail.waitFor(agent.email, /password was changed/);
    expect(notice.text).toMatch(/127\.0\.0\.1/);
    expectNoSecrets(notice, [PASSWORD, NEW_PASSWORD, current.token]);
  });

  // Threat: a session thief guesses the current password through changePassword.
  it('re-authentication rules: a wrong current password is INVALID_PASSWORD, audited in the agent\'s tenant, changes nothing; 5 wrong lock it', async () => {
    const tenant = await createTenant(t);
    const owner = tenant.owner;
    const before = await databaseSnapshot(t, ['audit_events']);
    const wrong = await owner.client.fails(ChangePasswordDocument, { currentPassword: 'not the password', newPassword: NEW_PASSWORD });
    expect(wrong.code).toBe('INVALID_PASSWORD');
    expect(await databaseSnapshot(t, ['audit_events'])).toBe(before);
    expect(await auditActions(t, tenant.id, owner.id)).toEqual(['REAUTH_FAILED']);

    for (let i = 0; i < 4; i++) await owner.client.fails(ChangePasswordDocument, { currentPassword: `wrong ${i}`, newPassword: NEW_PASSWORD });
    const locked = await owner.client.fails(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(locked.code).toBe('RATE_LIMITED');
    expect(locked.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    await t.client.ok(SignInDocument, { email: owner.email, password: PASSWORD }); // unchanged
  });

  it('an agent in no tenant is held to five attempts per 15 minutes too', async () => {
    const loner = await signUp(t, 'loner');
    for (let i = 0; i < 5; i++) {
      expect((await loner.client.fails(ChangePasswordDocument, { currentPassword: `wrong ${i}`, newPassword: NEW_PASSWORD })).code).toBe('INVALID_PASSWORD');
    }
    expect((await loner.client.fails(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).code).toBe('RATE_LIMITED');
    t.clock.advance(15 * 60_000 + 1);
    await loner.client.ok(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
  });

  it('applies the password rules to the new password (BAD_USER_INPUT, nothing changed) and needs a session', async () => {
    const agent = await signUp(t, 'rules');
    const before = await databaseSnapshot(t);
    const short = await agent.client.fails(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(short)).not.toContain(PASSWORD);
    expect((await agent.client.fails(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: 'x'.repeat(257) })).code).toBe('BAD_USER_INPUT');
    expect(await databaseSnapshot(t)).toBe(before);
    expect((await t.client.fails(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).code).toBe('UNAUTHENTICATED');
  });
});
