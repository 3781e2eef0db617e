import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, SignInDocument, SignOutDocument, SignUpDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { PASSWORD, signUp, uniqueEmail } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';

describe.each(databaseKinds)('accounts and sessions on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('signs up, answers me with the bearer token, and signs in again with the same password', async () => {
    const email = uniqueEmail('ann');
    const { signUp: session } = await t.client.ok(SignUpDocument, { email: email.toUpperCase(), password: PASSWORD, name: 'Ann' });
    expect(session.agent.email).toBe(email);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    expect(new Date(session.expiresAt).getTime()).toBeGreaterThan(t.clock.epochMs);

    const me = await t.client.withToken(session.token).ok(MeDocument);
    expect(me.me).toEqual({ id: session.agent.id, email, name: 'Ann' });

    const { signIn } = await t.client.ok(SignInDocument, { email, password: PASSWORD });
    expect(signIn.token).not.toBe(session.token);
  });

  it('answers me with null without a session or with a bad token', async () => {
    expect((await t.client.ok(MeDocument)).me).toBeNull();
    expect((await t.client.withToken('not-a-token').ok(MeDocument)).me).toBeNull();
  });

  it('stores only the hash of the session token', async () => {
    const agent = await signUp(t);
    const rows = await t.gateway.db.manager.query('SELECT token_hash FROM sessions');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(agent.token);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const agent = await signUp(t);
    const wrong = await t.client.fails(SignInDocument, { email: agent.email, password: 'not the password' });
    const unknown = await t.client.fails(SignInDocument, { email: uniqueEmail('nobody'), password: PASSWORD });
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(unknown).toEqual(wrong);
  });

  it('ends the session on signOut', async () => {
    const agent = await signUp(t);
    expect((await agent.client.ok(SignOutDocument)).signOut).toBe(true);
    expect((await agent.client.ok(MeDocument)).me).toBeNull();
    expect((await agent.client.fails(SignOutDocument)).code).toBe('UNAUTHENTICATED');
  });

  it('expires sessions after their lifetime', async () => {
    const agent = await signUp(t);
    t.clock.advance(12 * 3600_000 + 1);
    expect((await agent.client.ok(MeDocument)).me).toBeNull();
  });

  it('refuses a second sign-up for the same email without saying it exists, changing nothing', async () => {
    const agent = await signUp(t);
    const before = await databaseSnapshot(t);
    const error = await t.client.fails(SignUpDocument, { email: agent.email, password: 'another password', name: 'Mallory' });
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it.each([
    ['an over-long email', { email: `${'a'.repeat(250)}@x.io`, password: PASSWORD, name: 'A' }],
    ['a malformed email', { email: 'not-an-email', password: PASSWORD, name: 'A' }],
    ['a short password', { email: 'short@example.test', password: 'short', name: 'A' }],
    ['an over-long name', { email: 'long@example.test', password: PASSWORD, name: 'n'.repeat(201) }],
    ['a blank name', { email: 'blank@example.test', password: PASSWORD, name: '   ' }],
    ['a name with a null byte', { email: 'nul@example.test', password: PASSWORD, name: 'a\u0000b' }],
  ])('refuses sign-up with %s as BAD_USER_INPUT and writes nothing', async (_label, variables) => {
    const before = await databaseSnapshot(t);
    const error = await t.client.fails(SignUpDocument, variables);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(error)).not.toContain(variables.password);
    expect(await databaseSnapshot(t)).toBe(before);
  });
});
