// Threat: one address spelt several ways reaching one account, or an address that looks like another passing for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddTenantMemberDocument, SignInDocument, SignUpDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, PASSWORD, signUp, uniqueEmail } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';

/** ASCII letters and digits as their fullwidth forms (U+FF10…), which NFKC folds back. */
const fullwidth = (text: string) => text.replace(/[a-z0-9]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));

const INVISIBLE = [
  ['a zero-width space', '\u200B'],
  ['a zero-width joiner', '\u200D'],
  ['a soft hyphen', '\u00AD'],
  ['a right-to-left override', '\u202E'],
  ['a left-to-right mark', '\u200E'],
  ['a first-strong isolate', '\u2068'],
  ['a word joiner', '\u2060'],
  ['a byte order mark', '\uFEFF'],
  ['a tag character', '\u{E0041}'],
  ['a Hangul filler', '\u3164'],
  ['a variation selector', '\uFE0F'],
  ['a no-break space', '\u00A0'],
  ['a C1 control (CSI)', '\u009B'],
] as const;

describe.each(databaseKinds)('e-mail spellings on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('keeps one spelling per address: other spellings of a taken one are refused at sign-up and reach the account at sign-in', async () => {
    const email = uniqueEmail('ann');
    const variant = email.replace('ann', fullwidth('ANN'));
    const { signUp: session } = await t.client.ok(SignUpDocument, { email: variant, password: PASSWORD, name: 'Ann' });
    expect(session.agent.email).toBe(email);

    const before = await databaseSnapshot(t);
    for (const spelling of [email, email.toUpperCase(), email.replace('ann', fullwidth('ann'))]) {
      expect((await t.client.fails(SignUpDocument, { email: spelling, password: 'another password', name: 'Mallory' })).code, spelling).toBe('INVALID_CREDENTIALS');
    }
    expect(await databaseSnapshot(t)).toBe(before);
    const { signIn } = await t.client.ok(SignInDocument, { email: email.replace('ann', fullwidth('Ann')), password: PASSWORD });
    expect(signIn.agent.id).toBe(session.agent.id);
  });

  it('treats an address that only looks like another as its own: an accented spelling is a separate account with its own password', async () => {
    const victim = await signUp(t, 'victim');
    const lookalike = victim.email.replace('victim', 'víctim');
    const { signUp: other } = await t.client.ok(SignUpDocument, { email: lookalike, password: 'the look-alike password', name: 'Mallory' });
    expect(other.agent).toMatchObject({ email: lookalike });
    expect(other.agent.id).not.toBe(victim.id);
    expect((await t.client.fails(SignInDocument, { email: lookalike, password: victim.password })).code).toBe('INVALID_CREDENTIALS');
    expect((await t.client.ok(SignInDocument, { email: victim.email, password: victim.password })).signIn.agent.id).toBe(victim.id);
  });

  it('adds a member by any spelling of its address, and never the account a look-alike resembles', async () => {
    const tenant = await createTenant(t);
    const victim = await signUp(t, 'victim');
    const before = await databaseSnapshot(t);
    const lookalike = victim.email.replace('victim', 'víctim');
    const refused = await tenant.owner.client.fails(AddTenantMemberDocument, { tenantId: tenant.id, email: lookalike, role: 'AGENT' });
    expect(refused.code).toBe('NOT_FOUND');
    expect(await databaseSnapshot(t)).toBe(before);

    const { addTenantMember } = await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email: victim.email.replace('victim', fullwidth('VICTIM')), role: 'AGENT' });
    expect(addTenantMember.agent.id).toBe(victim.id);
  });

  it.each(INVISIBLE)('refuses an address holding %s at sign-up, sign-in and addTenantMember as BAD_USER_INPUT, writing nothing', async (_label, character) => {
    const tenant = await createTenant(t);
    const agent = await signUp(t, 'victim');
    const spelling = agent.email.replace('victim', `vic${character}tim`);
    const before = await databaseSnapshot(t);
    expect((await t.client.fails(SignUpDocument, { email: spelling, password: PASSWORD, name: 'Mallory' })).code).toBe('BAD_USER_INPUT');
    expect((await t.client.fails(SignInDocument, { email: spelling, password: agent.password })).code).toBe('BAD_USER_INPUT');
    expect((await tenant.owner.client.fails(AddTenantMemberDocument, { tenantId: tenant.id, email: spelling, role: 'AGENT' })).code).toBe('BAD_USER_INPUT');
    expect(await databaseSnapshot(t)).toBe(before);
  });
});
