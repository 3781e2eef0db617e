// Threat: guessing one account's password from many addresses (a botnet), each under its per-IP budget.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument } from '../../src/client/generated/graphql';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { PASSWORD, signUp, TestAgent, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';
import { startProductionGateway } from './harness';

const codeOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.extensions?.code ?? 'OK';
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((all, code) => ({ ...all, [code]: (all[code] ?? 0) + 1 }), {});
const LOCK_MS = 15 * 60_000;

let address = 0;
/** A different client address each time, as a botnet would send them through the trusted proxy. */
const nextAddress = () => `198.51.${100 + Math.floor(address / 250)}.${(address++ % 250) + 1}`;

function signInFrom(t: TestGateway, email: string, password: string, forwardedFor = nextAddress()) {
  return t.client.raw({ query: print(SignInDocument), variables: { email, password } }, { 'x-forwarded-for': forwardedFor });
}

/** ASCII letters and digits as their fullwidth forms (U+FF10…), which NFKC folds back. */
const fullwidth = (text: string) => text.replace(/[a-z0-9]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0));

describe.each(databaseKinds)('the per-account sign-in lock on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    // A per-IP budget as in production; every attempt below comes from another address.
    t = await startProductionGateway(kind, { TRUSTED_PROXY_HOPS: '1', RATE_LIMIT_SIGN_IN_PER_MINUTE: '5' });
  });
  afterAll(() => t?.close());

  const failTimes = async (email: string, times: number) => {
    for (let i = 0; i < times; i++) expect(codeOf(await signInFrom(t, email, 'not the password'))).toBe('INVALID_CREDENTIALS');
  };

  it('after 10 failed sign-ins from 10 addresses, refuses even the right password from an 11th for 15 minutes', async () => {
    const agent = await signUp(t);
    await failTimes(agent.email, 10);
    const sessions = await rowCount(t, 'sessions');
    const locked = await signInFrom(t, agent.email, agent.password);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.data).toBeNull();
    expect(await rowCount(t, 'sessions')).toBe(sessions);

    t.clock.advance(LOCK_MS - 1_000);
    expect(codeOf(await signInFrom(t, agent.email, agent.password))).toBe('RATE_LIMITED');
    t.clock.advance(1_000);
    expect(codeOf(await signInFrom(t, agent.email, agent.password))).toBe('OK');
  });

  it('counts consecutive failures only: a success starts the count over', async () => {
    const agent = await signUp(t);
    await failTimes(agent.email, 9);
    expect(codeOf(await signInFrom(t, agent.email, agent.password))).toBe('OK');
    await failTimes(agent.email, 9);
    expect(codeOf(await signInFrom(t, agent.email, agent.password))).toBe('OK');
  });

  it('judges exactly 10 of 25 parallel wrong passwords and refuses the rest without checking them', async () => {
    const agent = await signUp(t);
    const answers = await Promise.all(Array.from({ length: 25 }, () => signInFrom(t, agent.email, 'not the password')));
    expect(tally(answers.map(codeOf))).toEqual({ INVALID_CREDENTIALS: 10, RATE_LIMITED: 15 });
    expect(codeOf(await signInFrom(t, agent.email, agent.password))).toBe('RATE_LIMITED');
  });

  it('locks an unknown email exactly like a known one, and the answers tell them apart by nothing', async () => {
    const known = await signUp(t);
    const unknown = uniqueEmail('nobody');
    const agentsBefore = await rowCount(t, 'agents');
    const answersFor = async (email: string) => {
      const answers: GraphQLResponse<unknown>[] = [];
      for (let i = 0; i < 11; i++) answers.push(await signInFrom(t, email, i === 10 ? PASSWORD : 'not the password'));
      return answers.map(({ status, data, errors }) => ({ status, data, errors }));
    };
    const fromKnown = await answersFor(known.email);
    const fromUnknown = await answersFor(unknown);
    expect(fromUnknown).toEqual(fromKnown);
    expect(fromKnown.at(-1)!.errors![0].extensions!.code).toBe('RATE_LIMITED');
    // Nothing about the unknown email became an account; the failure counts name no email in clear.
    expect(await rowCount(t, 'agents')).toBe(agentsBefore);
    const buckets = JSON.stringify(await t.gateway.db.manager.query('SELECT * FROM rate_limit_buckets'));
    expect(buckets).not.toContain(unknown);
    expect(buckets).not.toContain(known.email);
  });

  it('runs the same statements for an unknown email as for a wrong password (and argon2 for both, on the decoy hash)', async () => {
    const agent: TestAgent = await signUp(t);
    const shapeOf = async (email: string) => {
      t.statements.reset();
      expect(codeOf(await signInFrom(t, email, 'not the password'))).toBe('INVALID_CREDENTIALS');
      // The statements with their placeholders, not their values: the same steps in the same order.
      return t.statements.statements.map((sql) => sql.replace(/\s+/g, ' ').trim());
    };
    const nobody = uniqueEmail('nobody');
    const firstKnown = await shapeOf(agent.email);
    expect(firstKnown.length).toBeGreaterThan(0);
    expect(await shapeOf(nobody)).toEqual(firstKnown);
    expect(await shapeOf(nobody)).toEqual(await shapeOf(agent.email)); // the second failure of each
  });

  // Threat: the same account reached through other spellings of its address, each with a fresh failure count
  // (MariaDB's utf8mb4_unicode_ci found "víctim@" and "vi\u200Bctim@" as "victim@" while the lock hashed the text).
  it('locks the account, not a spelling: equivalent spellings are RATE_LIMITED, look-alikes never reach it', async () => {
    const agent = await signUp(t, 'victim-fin');
    await failTimes(agent.email, 10);
    const sessions = await rowCount(t, 'sessions');
        // The same address after normalisation: upper case, fullwidth letters (NFKC), a ligature.
    const equivalents = [agent.email.toUpperCase(), agent.email.replace('victim', fullwidth('victim')), agent.email.replace('fin', '\uFB01n')];
    for (const spelling of equivalents) {
      for (let i = 0; i < 3; i++) expect(codeOf(await signInFrom(t, spelling, 'not the password')), spelling).toBe('RATE_LIMITED');
      expect(codeOf(await signInFrom(t, spelling, agent.password)), spelling).toBe('RATE_LIMITED');
    }
    // Other addresses that look alike: never the victim's account, whatever the password.
    expect(codeOf(await signInFrom(t, agent.email.replace('victim', 'víctim'), agent.password))).toBe('INVALID_CREDENTIALS');
    for (const invisible of ['\u200B', '\u00AD', '\u202E', '\u2060']) {
      expect(codeOf(await signInFrom(t, agent.email.replace('victim', `vi${invisible}ctim`), agent.password)), JSON.stringify(invisible)).toBe('BAD_USER_INPUT');
    }
    expect(await rowCount(t, 'sessions')).toBe(sessions);

    t.clock.advance(LOCK_MS);
    expect(codeOf(await signInFrom(t, agent.email.replace('victim', fullwidth('victim')), agent.password))).toBe('OK');
  });

  // The lock follows the account, not the text: where a collation folds spellings into one row (the column
  // before the migration EmailExactMatch, or a server whose default collation folds), the row's count holds.
  it.skipIf(kind !== 'mariadb')('keeps the lock on the account found, even under a collation that folds look-alikes', async () => {
    const agent = await signUp(t, 'victim');
    const folding = (collation: string) => t.gateway.db.manager.query(`ALTER TABLE agents MODIFY email varchar(254) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`);
    await folding('utf8mb4_unicode_ci');
    try {
      await failTimes(agent.email, 10);
      for (const spelling of [agent.email.replace('victim', 'víctim'), agent.email.replace('victim', 'vîctim')]) {
        expect(codeOf(await signInFrom(t, spelling, 'not the password')), spelling).toBe('RATE_LIMITED');
        expect(codeOf(await signInFrom(t, spelling, agent.password)), spelling).toBe('RATE_LIMITED');
      }
    } finally {
      await folding('utf8mb4_bin');
    }
  });

  it('budgets IPv6 clients per /64: fresh addresses of one /64 share the per-IP budget', async () => {
    const agent = await signUp(t);
    t.clock.advance(61_000);
    for (let i = 1; i <= 5; i++) expect(codeOf(await signInFrom(t, agent.email, agent.password, `2001:db8:7:7::${i}`))).toBe('OK');
    expect(codeOf(await signInFrom(t, agent.email, agent.password, '2001:db8:7:7:ffff::6'))).toBe('RATE_LIMITED');
    expect(codeOf(await signInFrom(t, agent.email, agent.password, '2001:db8:7:8::1'))).toBe('OK');
  });
});
