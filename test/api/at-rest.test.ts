import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { base32Decode } from '../helpers/totp';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';

/** Every spelling of a TOTP secret a dump could betray it in: base32 in any case or grouping, and the raw key. */
function secretForms(secret: string): string[] {
  const key = base32Decode(secret);
  return [
    secret,
    secret.toLowerCase(),
    secret.replace(/=+$/, ''),
    secret.match(/.{1,4}/g)!.join(' '),
    key.toString('hex'),
    key.toString('hex').toUpperCase(),
    key.toString('base64'),
    key.toString('base64url'),
  ];
}

/** Every spelling of a recovery code a dump could betray it in: as shown, normalized, in lower case. */
function recoveryCodeForms(code: string): string[] {
  const normalized = code.replace('-', '');
  return [code, normalized, code.toLowerCase(), normalized.toLowerCase()];
}

const rowsOf = async (t: TestGateway, table: string) => JSON.stringify(await t.gateway.db.manager.query(`SELECT * FROM ${table}`));

// Threat: a stolen database dump or backup yields working second factors.
describe.each(databaseKinds)('secrets at rest on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let enrolled: EnrolledAgent;
  let usedTotp: string;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    enrolled = await enrolledAgent(t, tenant);
    // Exercise every path that touches the secret and the codes: a TOTP pass, a recovery-code pass.
    const first = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    usedTotp = currentCode(t, enrolled.secret);
    await first.session.client.ok(VerifyTwoFactorDocument, { challengeId: first.challengeId, code: usedTotp });
    const second = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    await second.session.client.ok(UseRecoveryCodeDocument, { challengeId: second.challengeId, code: enrolled.recoveryCodes[0] });
  });
  afterAll(() => t?.close());

  it('keeps the TOTP secret only encrypted in the authenticators table', async () => {
    const rows: Array<{ secret_ciphertext: string; key_id: string }> = await t.gateway.db.manager.query(
      'SELECT secret_ciphertext, key_id FROM authenticators WHERE agent_id = ?',
      [enrolled.agent.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_ciphertext).toMatch(/^v1\.test1\./);
    expect(rows[0].key_id).toBe('test1');

    const table = await rowsOf(t, 'authenticators');
    for (const form of secretForms(enrolled.secret)) expect(table).not.toContain(form);
  });

  it('keeps recovery codes only as keyed hashes in the recovery_codes table', async () => {
    const rows: Array<{ code_hash: string }> = await t.gateway.db.manager.query('SELECT code_hash FROM recovery_codes WHERE agent_id = ?', [enrolled.agent.id]);
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);

    const table = await rowsOf(t, 'recovery_codes');
    for (const code of enrolled.recoveryCodes) {
      for (const form of recoveryCodeForms(code)) expect(table).not.toContain(form);
    }
  });

  it('keeps the access-token signing key\'s private half only sealed, and publishes only the public half', async () => {
    const rows: Array<{ public_jwk: string; private_key_ciphertext: string; key_id: string }> = await t.gateway.db.manager.query(
      'SELECT public_jwk, private_key_ciphertext, key_id FROM signing_keys',
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key_id: 'test1', private_key_ciphertext: expect.stringMatching(/^v1\.test1\.[\w-]+\.[\w-]+\.[\w-]+$/) });
    expect(Object.keys(JSON.parse(rows[0].public_jwk)).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(await rowsOf(t, 'signing_keys')).not.toMatch(/\\?"d\\?":/); // no private JWK member anywhere in the table
  });

  it('writes no secret, code or password into the audit log', async () => {
    const audit = await rowsOf(t, 'audit_events');
    expect(audit).toContain(enrolled.agent.id); // the events are there, about this agent
    const forbidden = [
      ...secretForms(enrolled.secret),
      ...enrolled.recoveryCodes.flatMap(recoveryCodeForms),
      usedTotp,
      enrolled.agent.password,
    ];
    for (const value of forbidden) expect(audit).not.toContain(value);
  });

  it('holds none of them anywhere else in the database either', async () => {
    const everything = await databaseSnapshot(t);
    const forbidden = [...secretForms(enrolled.secret), ...enrolled.recoveryCodes.flatMap(recoveryCodeForms), enrolled.agent.password, enrolled.agent.token];
    for (const value of forbidden) expect(everything).not.toContain(value);
  });
});
