// Threat: a leaked or aging encryption key that cannot be retired without locking every enrolled agent out.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, ConfirmTotpEnrolmentDocument, SetTenantIdentityProviderDocument, MintAccessTokenDocument, RegenerateRecoveryCodesDocument, UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { rotateSecretsToCurrentKey } from '../../src/two-factor/key-rotation';
import { TestClock } from '../helpers/clock';
import { DatabaseKind, databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { addMember, createTenant, currentCode, PASSWORD, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';
import { ensureServerBuilt } from './build-check';
import { openGateway, productionEnv } from './harness';

const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = key('k1');
const K2 = key('k2');

/**
 * Agents enrolled under k1 on a database of their own: one for TOTP, one for recovery codes, one with a pending
 * enrolment. Every test builds its own, so each runs alone (`-t`) or in any order.
 */
class World {
  readonly clock = new TestClock();
  t!: TestGateway;
  tenant!: TestTenant;
  totpAgent!: EnrolledAgent;
  recoveryAgent!: EnrolledAgent;
  pendingAgent!: TestAgent;
  pendingSecret!: string;

  private constructor(
    private readonly kind: DatabaseKind,
    readonly database: ScratchDatabase,
  ) {}

  static async underK1(kind: DatabaseKind): Promise<World> {
    const world = new World(kind, await scratchDatabase(kind));
    worlds.push(world);
    await world.restart(K1);
    const { t } = world;
    world.tenant = await createTenant(t, { twoFactor: true });
    world.totpAgent = await enrolledAgent(t, world.tenant, 'totp');
    world.recoveryAgent = await enrolledAgent(t, world.tenant, 'recovery');
    world.pendingAgent = await signUp(t, 'pending');
    await addMember(world.tenant, world.pendingAgent);
    world.pendingSecret = (await world.pendingAgent.client.ok(BeginTotpEnrolmentDocument, { tenantId: world.tenant.id, password: PASSWORD })).beginTotpEnrolment.secret;
    return world;
  }

  /** A new gateway with other keys on the same database and clock, on a port of its own. */
  async restart(keys: string): Promise<void> {
    await this.t?.close();
    this.t = await openGateway(this.kind, this.database, { env: { ENCRYPTION_KEYS: keys }, clock: this.clock });
  }

  /** The agent's session, sent to the gateway now running. */
  session(agent: TestAgent): TestAgent {
    return { ...agent, client: this.t.client.withToken(agent.token) };
  }

  async rotateWithCli(): Promise<string> {
    ensureServerBuilt();
    const cli = path.resolve(__dirname, '../../dist/src/cli/rotate-keys.js');
    const env = { PATH: process.env.PATH, ...productionEnv(this.database, { ENCRYPTION_KEYS: `${K2},${K1}` }) };
    return (await promisify(execFile)(process.execPath, [cli], { env })).stdout;
  }

  async keyIds(): Promise<string[]> {
    return (await this.t.gateway.db.manager.query('SELECT key_id FROM authenticators ORDER BY id')).map((r: { key_id: string }) => r.key_id);
  }

  async passWithTotp(enrolled: EnrolledAgent) {
    this.clock.advance(30_000); // a step no earlier answer used
    const { session, challengeId } = await challengedSession(this.t, enrolled.agent, this.tenant.secureWorkspaceId);
    return session.client.request(VerifyTwoFactorDocument, { challengeId, code: currentCode(this.t, enrolled.secret) });
  }

  async useRecoveryCode(enrolled: EnrolledAgent, code: string) {
    const { session, challengeId } = await challengedSession(this.t, enrolled.agent, this.tenant.secureWorkspaceId);
    return session.client.request(UseRecoveryCodeDocument, { challengeId, code });
  }

  async close(): Promise<void> {
    await this.t?.close();
    await this.database.drop();
  }
}
const worlds: World[] = [];
afterAll(async () => {
  for (const world of worlds) await world.close().catch(() => undefined);
});

describe.each(databaseKinds)('rotating the encryption key on %s', (kind) => {
  it('keeps secrets and recovery codes made under k1 working once k2 is put first', async () => {
    const w = await World.underK1(kind);
    await w.restart(`${K2},${K1}`);
    expect(await w.keyIds()).toEqual(['k1', 'k1', 'k1']);
    expect((await w.passWithTotp(w.totpAgent)).data?.verifyTwoFactor?.status).toBe('GRANTED');
    expect((await w.useRecoveryCode(w.recoveryAgent, w.recoveryAgent.recoveryCodes[0])).data?.useRecoveryCode?.status).toBe('GRANTED');
  });

  it('re-encrypts every secret to k2 with the CLI, counting the recovery codes still hashed under k1', async () => {
    const w = await World.underK1(kind);
    await w.tenant.owner.client.ok(SetTenantIdentityProviderDocument, {
      tenantId: w.tenant.id,
      provider: { issuer: 'https://idp.example.test', clientId: 'gateway', clientSecret: 'the client secret', emailDomains: ['rotation.example'] },
    });
    await w.restart(`${K2},${K1}`);
    expect((await w.useRecoveryCode(w.recoveryAgent, w.recoveryAgent.recoveryCodes[0])).data?.useRecoveryCode?.status).toBe('GRANTED');
    const stdout = await w.rotateWithCli();
    expect(stdout).toContain('3 secrets re-encrypted to key "k2"'); // two enabled, one pending
    expect(stdout).toContain('15 unused recovery codes are hashed under older keys'); // 8 + 8, one used
    expect(await w.keyIds()).toEqual(['k2', 'k2', 'k2']);
    const envelopes = await w.t.gateway.db.manager.query('SELECT secret_ciphertext FROM authenticators');
    for (const { secret_ciphertext } of envelopes) expect(secret_ciphertext).toMatch(/^v1\.k2\./);
    // The access-token signing key's private half too.
    expect(stdout).toContain('1 access-token signing keys re-sealed with key "k2"');
    const signingKeys = await w.t.gateway.db.manager.query('SELECT key_id, private_key_ciphertext FROM signing_keys');
    expect(signingKeys).toEqual([{ key_id: 'k2', private_key_ciphertext: expect.stringMatching(/^v1\.k2\./) }]);
    // And the identity provider's client secret, which still opens under k2.
    expect(stdout).toContain('1 identity-provider client secrets re-sealed with key "k2"');
    const [sealed] = await w.t.gateway.db.manager.query('SELECT key_id, client_secret_ciphertext FROM identity_providers');
    expect(sealed).toEqual({ key_id: 'k2', client_secret_ciphertext: expect.stringMatching(/^v1\.k2\./) });
    const provider = await w.t.gateway.services.ssoSignIn['store'].withSecret(w.t.gateway.db.manager, w.tenant.id);
    expect(provider?.clientSecret).toBe('the client secret');
  });

  it('re-encrypts nothing on a second run', async () => {
    const w = await World.underK1(kind);
    await w.rotateWithCli();
    await w.restart(`${K2},${K1}`);
    expect(await rotateSecretsToCurrentKey(w.t.gateway.db, w.t.gateway.services.secretBox)).toEqual({ reEncrypted: 0, recoveryCodeCopiesReEncrypted: 0, signingKeysReEncrypted: 0, clientSecretsReEncrypted: 0, recoveryCodesOnOlderKeys: 16 });
  });

  it('verifies every rotated secret with k2 alone, and confirms the pending enrolment', async () => {
    const w = await World.underK1(kind);
    await w.rotateWithCli();
    await w.restart(K2);
    expect((await w.passWithTotp(w.totpAgent)).data?.verifyTwoFactor?.status).toBe('GRANTED');
    const { confirmTotpEnrolment } = await w.session(w.pendingAgent).client.ok(ConfirmTotpEnrolmentDocument, { tenantId: w.tenant.id, code: currentCode(w.t, w.pendingSecret) });
    expect(confirmTotpEnrolment.status.state).toBe('ENABLED');
    const { mintAccessToken } = await w.session(w.tenant.owner).client.ok(MintAccessTokenDocument, { tenantId: w.tenant.id });
    expect(mintAccessToken.claims.tid).toBe(w.tenant.id);
  });

  it('refuses recovery codes hashed under k1 once k1 is gone, as the report warned, until they are regenerated', async () => {
    const w = await World.underK1(kind);
    await w.rotateWithCli();
    await w.restart(K2);
    const refused = await w.useRecoveryCode(w.recoveryAgent, w.recoveryAgent.recoveryCodes[1]);
    expect(refused.errors?.[0]?.extensions?.code).toBe('INVALID_TWO_FACTOR_CODE');
    const { regenerateRecoveryCodes } = await w.session(w.recoveryAgent.agent).client.ok(RegenerateRecoveryCodesDocument, { tenantId: w.tenant.id, password: PASSWORD });
    expect((await w.useRecoveryCode(w.recoveryAgent, regenerateRecoveryCodes.codes[0])).data?.useRecoveryCode?.status).toBe('GRANTED');
    expect(await rotateSecretsToCurrentKey(w.t.gateway.db, w.t.gateway.services.secretBox)).toEqual({ reEncrypted: 0, recoveryCodeCopiesReEncrypted: 0, signingKeysReEncrypted: 0, clientSecretsReEncrypted: 0, recoveryCodesOnOlderKeys: 8 }); // the other agent's set
  });
});
