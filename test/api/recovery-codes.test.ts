import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MyTwoFactorDocument,
  RegenerateRecoveryCodesDocument,
  SetTenantRecoveryCodeFormatDocument,
  UseRecoveryCodeDocument,
} from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { auditActions, challengedSession, enrolledAgent } from '../helpers/two-factor';

/** Uppercase without the look-alikes 0/O and 1/I/L (the contract's rules, "Recovery codes"). */
const UNAMBIGUOUS = '[2-9A-HJKMNP-Z]';
const SHORT_FORMAT = new RegExp(`^${UNAMBIGUOUS}{4}-${UNAMBIGUOUS}{4}$`);
const LONG_FORMAT = new RegExp(`^${UNAMBIGUOUS}{5}-${UNAMBIGUOUS}{5}$`);

describe.each(databaseKinds)('recovery codes on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  /** Answers a fresh challenge of a new session with a recovery code, as typed. */
  async function answerWithRecoveryCode(agent: TestAgent, code: string) {
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    return { session, challengeId, result: await session.client.request(UseRecoveryCodeDocument, { challengeId, code }) };
  }

  const remaining = async (agent: TestAgent) =>
    (await agent.client.ok(MyTwoFactorDocument, { tenantId: tenant.id })).me!.twoFactor.recoveryCodesRemaining;

  it('issues 8 distinct codes in XXXX-XXXX from the unambiguous alphabet', async () => {
    const { recoveryCodes } = await enrolledAgent(t, tenant);
    expect(recoveryCodes).toHaveLength(8);
    expect(new Set(recoveryCodes).size).toBe(8);
    for (const code of recoveryCodes) expect(code).toMatch(SHORT_FORMAT);
  });

  it("issues XXXXX-XXXXX codes once the tenant's format says so", async () => {
    const longTenant = await createTenant(t, { twoFactor: true });
    const { setTenantRecoveryCodeFormat } = await longTenant.owner.client.ok(SetTenantRecoveryCodeFormatDocument, { tenantId: longTenant.id, format: 'XXXXX_XXXXX' });
    expect(setTenantRecoveryCodeFormat.recoveryCodeFormat).toBe('XXXXX_XXXXX');

    const { agent, recoveryCodes } = await enrolledAgent(t, longTenant);
    expect(recoveryCodes).toHaveLength(8);
    for (const code of recoveryCodes) expect(code).toMatch(LONG_FORMAT);

    const { session, challengeId } = await challengedSession(t, agent, longTenant.secureWorkspaceId);
    const { useRecoveryCode } = await session.client.ok(UseRecoveryCodeDocument, { challengeId, code: recoveryCodes[0].toLowerCase() });
    expect(useRecoveryCode.status).toBe('GRANTED');
  });

  it('passes a challenge with a recovery code, counting it used and auditing the use', async () => {
    const { agent, recoveryCodes } = await enrolledAgent(t, tenant);
    const { result } = await answerWithRecoveryCode(agent, recoveryCodes[0]);
    expect(result.errors).toBeUndefined();
    expect(result.data?.useRecoveryCode).toMatchObject({ status: 'GRANTED', tenant: { id: tenant.id }, workspace: { id: tenant.secureWorkspaceId } });
    expect(await remaining(agent)).toBe(7);
    expect(await auditActions(t, tenant.id, agent.id)).toContain('RECOVERY_CODE_USED');
  });

  // Threat: a recovery code seen once (printed sheet, screen share) is used again.
  it('accepts each code once only', async () => {
    const { agent, recoveryCodes } = await enrolledAgent(t, tenant);
    expect((await answerWithRecoveryCode(agent, recoveryCodes[1])).result.data?.useRecoveryCode.status).toBe('GRANTED');

    const { result } = await answerWithRecoveryCode(agent, recoveryCodes[1]);
    expect(result.errors?.[0].extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 });
    expect(await remaining(agent)).toBe(7);
  });

  it.each([
    ['in lower case', (code: string) => code.toLowerCase()],
    ['without the dash', (code: string) => code.replace('-', '')],
    ['with surrounding spaces', (code: string) => `  ${code} `],
    ['in lower case, without the dash, with spaces', (code: string) => ` ${code.replace('-', '').toLowerCase()}\t`],
  ])('accepts a code typed %s', async (_how, typed) => {
    const { agent, recoveryCodes } = await enrolledAgent(t, tenant);
    const { result } = await answerWithRecoveryCode(agent, typed(recoveryCodes[2]));
    expect(result.data?.useRecoveryCode.status).toBe('GRANTED');
  });

  it('counts down recoveryCodesRemaining and drops RECOVERY_CODE from the methods when none is left', async () => {
    const { agent, recoveryCodes } = await enrolledAgent(t, tenant);
    for (const [used, code] of recoveryCodes.entries()) {
      expect((await answerWithRecoveryCode(agent, code)).result.data?.useRecoveryCode.status).toBe('GRANTED');
      expect(await remaining(agent)).toBe(7 - used);
    }
    const { me } = await agent.client.ok(MyTwoFactorDocument, { tenantId: tenant.id });
    expect(me!.twoFactor).toMatchObject({ state: 'ENABLED', methods: ['TOTP'], recoveryCodesRemaining: 0 });
  });

  it('regenerating (password re-checked) invalidates the whole old set at once', async () => {
    const { agent, recoveryCodes: old } = await enrolledAgent(t, tenant);
    const { regenerateRecoveryCodes } = await agent.client.ok(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: agent.password });
    expect(regenerateRecoveryCodes.codes).toHaveLength(8);
    expect(regenerateRecoveryCodes.codes.filter((code) => old.includes(code))).toEqual([]);
    expect(regenerateRecoveryCodes.status).toMatchObject({ state: 'ENABLED', recoveryCodesRemaining: 8 });
    expect(await auditActions(t, tenant.id, agent.id)).toContain('RECOVERY_CODES_REGENERATED');

    for (const code of [old[0], old[7]]) {
      const { result } = await answerWithRecoveryCode(agent, code);
      expect(result.errors?.[0].extensions?.code).toBe('INVALID_TWO_FACTOR_CODE');
    }
    expect((await answerWithRecoveryCode(agent, regenerateRecoveryCodes.codes[0])).result.data?.useRecoveryCode.status).toBe('GRANTED');
    expect(await remaining(agent)).toBe(7);
  });

  it('refuses regeneration with a wrong password as INVALID_PASSWORD, changing nothing but the REAUTH_FAILED audit event', async () => {
    const { agent, recoveryCodes } = await enrolledAgent(t, tenant);
    const before = await databaseSnapshot(t, ['audit_events']);
    const error = await agent.client.fails(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: 'not the password' });
    expect(error.code).toBe('INVALID_PASSWORD');
    expect(await databaseSnapshot(t, ['audit_events'])).toBe(before);
    expect((await auditActions(t, tenant.id, agent.id)).at(-1)).toBe('REAUTH_FAILED');
    expect((await answerWithRecoveryCode(agent, recoveryCodes[0])).result.data?.useRecoveryCode.status).toBe('GRANTED');
  });

  it('spends an attempt of the challenge on a wrong recovery code, under the same limit as TOTP', async () => {
    const { agent, recoveryCodes } = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    const wrongOnes = ['2222-2222', 'ABCD-EFGH', '3333-3333', '23456-789AB', 'zzzz-zzzz'].filter((code) => !recoveryCodes.includes(code));
    expect(wrongOnes).toHaveLength(5);
    for (const [spent, code] of wrongOnes.entries()) {
      const error = await session.client.fails(UseRecoveryCodeDocument, { challengeId, code });
      expect(error.extensions).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE', attemptsRemaining: 4 - spent });
    }
    const right = await session.client.fails(UseRecoveryCodeDocument, { challengeId, code: recoveryCodes[0] });
    expect(right.code).toBe('CHALLENGE_INVALIDATED');
    expect(await remaining(agent)).toBe(8);
  });
});
