// Threat: a leaked or aging encryption key that cannot be retired without locking every enrolled agent out.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, ConfirmTotpEnrolmentDocument, RegenerateRecoveryCodesDocument, UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { rotateSecretsToCurrentKey } from '../../src/two-factor/key-rotation';
import { TestClock } from '../helpers/clock';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { addMember, createTenant, currentCode, PASSWORD, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';
import { openGateway, productionEnv } from './harness';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = key('k1');
const K2 = key('k2');

describe.each(databaseKinds)('rotating the encryption key on %s', (kind) => {
  let database: ScratchDatabase;
  const clock = new TestClock();
  let t: TestGateway;
  let tenant: TestTenant;
  let totpAgent: EnrolledAgent;
  let recoveryAgent: EnrolledAgent;
  let pendingAgent: TestAgent;
  let pendingSecret: string;

  /** A new gateway with other keys on the same database, clock and port (clients made earlier keep working). */
  const restart = async (keys: string) => {
    const port = t ? Number(new URL(t.url).port) : 0;
    await t?.close();
    t = await openGateway(kind, database, { env: { ENCRYPTION_KEYS: keys }, clock, port });
  };
  const keyIds = async () => (await t.gateway.db.manager.query('SELECT key_id FROM authenticators ORDER BY id')).map((r: { key_id: string }) => r.key_id);
  const passWithTotp = async (enrolled: EnrolledAgent) => {
    clock.advance(30_000); // a step no earlier answer used
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    return session.client.request(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret) });
  };
  const useRecoveryCode = async (enrolled: EnrolledAgent, code: string) => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    return session.client.request(UseRecoveryCodeDocument, { challengeId, code });
  };

  beforeAll(async () => {
    database = await scratchDatabase(kind);
    await restart(K1);
    tenant = await createTenant(t, { twoFactor: true });
    totpAgent = await enrolledAgent(t, tenant, 'totp');
    recoveryAgent = await enrolledAgent(t, tenant, 'recovery');
    pendingAgent = await signUp(t, 'pending');
    await addMember(tenant, pendingAgent);
    pendingSecret = (await pendingAgent.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: PASSWORD })).beginTotpEnrolment.secret;
  });
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('keeps secrets and recovery codes made under k1 working once k2 is put first', async () => {
    await restart(`${K2},${K1}`);
    expect(await keyIds()).toEqual(['k1', 'k1', 'k1']);
    expect((await passWithTotp(totpAgent)).data?.verifyTwoFactor?.status).toBe('GRANTED');
    expect((await useRecoveryCode(recoveryAgent, recoveryAgent.recoveryCodes[0])).data?.useRecoveryCode?.status).toBe('GRANTED');
  });

  it('re-encrypts every secret to k2 with the CLI, counting the recovery codes still hashed under k1', async () => {
    const cli = path.resolve(__dirname, '../../dist/src/cli/rotate-keys.js'); // built by `npm test` (pretest) or `npm run build`
    const env = { PATH: process.env.PATH, ...productionEnv(database, { ENCRYPTION_KEYS: `${K2},${K1}` }) };
    const { stdout } = await promisify(execFile)(process.execPath, [cli], { env });
    expect(stdout).toContain('3 secrets re-encrypted to key "k2"'); // two enabled, one pending
    expect(stdout).toContain('15 unused recovery codes are hashed under older keys'); // 8 + 8, one used
    expect(await keyIds()).toEqual(['k2', 'k2', 'k2']);
    const envelopes = await t.gateway.db.manager.query('SELECT secret_ciphertext FROM authenticators');
    for (const { secret_ciphertext } of envelopes) expect(secret_ciphertext).toMatch(/^v1\.k2\./);
  });

  it('re-encrypts nothing on a second run', async () => {
    expect(await rotateSecretsToCurrentKey(t.gateway.db, t.gateway.services.secretBox)).toEqual({ reEncrypted: 0, recoveryCodeCopiesReEncrypted: 0, recoveryCodesOnOlderKeys: 15 });
  });

  it('verifies every rotated secret with k2 alone, and confirms the pending enrolment', async () => {
    await restart(K2);
    expect((await passWithTotp(totpAgent)).data?.verifyTwoFactor?.status).toBe('GRANTED');
    const { confirmTotpEnrolment } = await pendingAgent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: currentCode(t, pendingSecret) });
    expect(confirmTotpEnrolment.status.state).toBe('ENABLED');
  });

  it('refuses recovery codes hashed under k1 once k1 is gone, as the report warned, until they are regenerated', async () => {
    const refused = await useRecoveryCode(recoveryAgent, recoveryAgent.recoveryCodes[1]);
    expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID_TWO_FACTOR_CODE');
    const { regenerateRecoveryCodes } = await recoveryAgent.agent.client.ok(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: PASSWORD });
    expect((await useRecoveryCode(recoveryAgent, regenerateRecoveryCodes.codes[0])).data?.useRecoveryCode?.status).toBe('GRANTED');
    expect(await rotateSecretsToCurrentKey(t.gateway.db, t.gateway.services.secretBox)).toEqual({ reEncrypted: 0, recoveryCodeCopiesReEncrypted: 0, recoveryCodesOnOlderKeys: 8 }); // the other agent's set
  });
});
