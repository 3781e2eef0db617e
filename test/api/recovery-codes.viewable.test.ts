import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  RegenerateRecoveryCodesDocument,
  SetTenantRecoveryCodeVisibilityDocument,
  TenantDocument,
  UseRecoveryCodeDocument,
  ViewRecoveryCodesDocument,
} from '../../src/client/generated/graphql';
import { SecretBox } from '../../src/crypto/secret-box';
import { rotateSecretsToCurrentKey } from '../../src/two-factor/key-rotation';
import { recoveryCodeContext, RecoveryCodeStore } from '../../src/two-factor/factors/recovery-code/recovery-code-store';
import { expectRefused } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TEST_ENCRYPTION_KEYS, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { challengedSession, enrolledAgent, EnrolledAgent } from '../helpers/two-factor';

/** Every way a code could sit in a dump: as shown, without the dash, lower-cased. */
const codeForms = (code: string) => [code, code.replace('-', ''), code.toLowerCase(), code.replace('-', '').toLowerCase()];

describe.each(databaseKinds)('viewable recovery codes on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let agent: EnrolledAgent;

  const setVisibility = (visibility: 'SHOWN_ONCE' | 'VIEWABLE', replenish = false, target = tenant) =>
    target.owner.client.ok(SetTenantRecoveryCodeVisibilityDocument, { tenantId: target.id, visibility, replenish });
  const view = async (who: EnrolledAgent = agent, target = tenant) =>
    (await who.agent.client.ok(ViewRecoveryCodesDocument, { tenantId: target.id, password: who.agent.password })).viewRecoveryCodes;
  const regenerate = async (who: EnrolledAgent = agent) =>
    (await who.agent.client.ok(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: who.agent.password })).regenerateRecoveryCodes.codes;
  const useCode = async (who: EnrolledAgent, code: string) => {
    const { session, challengeId } = await challengedSession(t, who.agent, tenant.secureWorkspaceId);
    return (await session.client.ok(UseRecoveryCodeDocument, { challengeId, code })).useRecoveryCode.status;
  };
  const copies = async (tenantId = tenant.id): Promise<Array<{ agent_id: string; code_ciphertext: string | null; ciphertext_key_id: string | null; used_at: unknown }>> =>
    t.gateway.db.manager.query('SELECT agent_id, code_ciphertext, ciphertext_key_id, used_at FROM recovery_codes WHERE tenant_id = ? ORDER BY id', [tenantId]);
  const actions = async () => (await tenant.owner.client.ok(AuditLogDocument, { tenantId: tenant.id, first: 100 })).tenant!.auditLog.edges.map((e) => e.node);

  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id); // making codes viewable needs step-up
    agent = await enrolledAgent(t, tenant);
  });
  afterAll(() => t?.close());

  // Threat: a database dump (a backup, a read replica) hands out every agent's recovery codes.
  it('shows codes once by default: the dump holds keyed hashes only, and viewing is refused before the password', async () => {
    expect((await tenant.owner.client.ok(TenantDocument, { id: tenant.id })).tenant).toMatchObject({ recoveryCodeVisibility: 'SHOWN_ONCE', recoveryCodeReplenish: false });
    const dump = await databaseSnapshot(t);
    for (const code of agent.recoveryCodes) for (const form of codeForms(code)) expect(dump).not.toContain(form);
    expect((await copies()).every((row) => row.code_ciphertext === null)).toBe(true);
    for (const password of [agent.agent.password, 'not the password']) {
      await expectRefused(t, 'RECOVERY_CODES_NOT_VIEWABLE', () => agent.agent.client.fails(ViewRecoveryCodesDocument, { tenantId: tenant.id, password }));
    }
  });

  it('keeps codes issued while VIEWABLE encrypted beside their hashes, and shows the unused ones again behind the password', async () => {
    const { setTenantRecoveryCodeVisibility } = await setVisibility('VIEWABLE');
    expect(setTenantRecoveryCodeVisibility).toMatchObject({ recoveryCodeVisibility: 'VIEWABLE', recoveryCodeReplenish: false });
    expect(await view()).toMatchObject({ codes: [], status: { recoveryCodesRemaining: 8 } }); // issued while shown once: no copy

    const codes = await regenerate();
    expect((await view()).codes).toEqual(codes);
    const dump = await databaseSnapshot(t);
    for (const code of codes) for (const form of codeForms(code)) expect(dump).not.toContain(form);
    const rows = (await copies()).filter((row) => row.agent_id === agent.agent.id);
    expect(rows).toHaveLength(8);
    for (const row of rows) expect([row.code_ciphertext?.startsWith('v1.test1.'), row.ciphertext_key_id]).toEqual([true, 'test1']);
    // Bound to its owner: a copy moved to another agent's or tenant's row does not open.
    expect(() => t.gateway.services.secretBox.open(rows[0].code_ciphertext!, recoveryCodeContext(tenant.id, tenant.owner.id))).toThrow();

    expect(await useCode(agent, codes[0])).toBe('GRANTED');
    expect(await view()).toMatchObject({ codes: codes.slice(1), status: { recoveryCodesRemaining: 7 } });
    const before = await databaseSnapshot(t, ['audit_events']);
    const error = await agent.agent.client.fails(ViewRecoveryCodesDocument, { tenantId: tenant.id, password: 'not the password' });
    expect(error.code).toBe('INVALID_PASSWORD');
    expect(await databaseSnapshot(t, ['audit_events'])).toBe(before); // nothing but the REAUTH_FAILED event
    const events = await actions();
    expect(events[0].action).toBe('REAUTH_FAILED');
    expect(events.filter((e) => e.action === 'RECOVERY_CODES_VIEWED').map((e) => [e.actor?.id, e.subject?.id])).toEqual(Array(3).fill([agent.agent.id, agent.agent.id]));
    expect(events.find((e) => e.action === 'RECOVERY_CODE_VISIBILITY_CHANGED')?.actor?.id).toBe(tenant.owner.id);
  });

  it('replaces a used code by a fresh one in the same transaction, with replenish, so the set stays at 8', async () => {
    await setVisibility('VIEWABLE', true);
    const before = await regenerate();
    expect(await useCode(agent, before[0])).toBe('GRANTED');
    const after = await view();
    expect(after.status.recoveryCodesRemaining).toBe(8);
    expect(after.codes.slice(0, 7)).toEqual(before.slice(1));
    const fresh = after.codes[7];
    expect(before).not.toContain(fresh);
    expect(fresh).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(await useCode(agent, fresh)).toBe('GRANTED'); // the replacement works, and is replaced in turn
    expect((await view()).status.recoveryCodesRemaining).toBe(8);
  });

  it('deletes every encrypted copy of the tenant in one statement when it goes back to SHOWN_ONCE; the codes keep working', async () => {
    const other = await enrolledAgent(t, tenant, 'other');
    const otherCodes = await regenerate(other);
    const elsewhere = await createTenant(t, { twoFactor: true });
    await enrol(t, elsewhere.owner, elsewhere.id);
    const visitor = await enrolledAgent(t, elsewhere, 'visitor');
    await setVisibility('VIEWABLE', false, elsewhere);
    await visitor.agent.client.ok(RegenerateRecoveryCodesDocument, { tenantId: elsewhere.id, password: visitor.agent.password });
    const remaining = (await view()).codes;
    expect((await copies()).filter((row) => row.code_ciphertext !== null).length).toBeGreaterThan(8);

    t.statements.reset();
    await setVisibility('SHOWN_ONCE');
    expect(t.statements.statements.filter((sql) => /recovery_codes/i.test(sql))).toHaveLength(1);
    expect((await copies()).every((row) => row.code_ciphertext === null && row.ciphertext_key_id === null)).toBe(true);
    expect((await copies(elsewhere.id)).filter((row) => row.code_ciphertext !== null)).toHaveLength(8); // another tenant's setting
    const dump = await databaseSnapshot(t);
    for (const code of [...remaining, ...otherCodes]) for (const form of codeForms(code)) expect(dump).not.toContain(form);

    expect(await useCode(agent, remaining[0])).toBe('GRANTED');
    await expectRefused(t, 'RECOVERY_CODES_NOT_VIEWABLE', () => agent.agent.client.fails(ViewRecoveryCodesDocument, { tenantId: tenant.id, password: agent.agent.password }));
  });

  it('refuses replenish without VIEWABLE, and leaves the setting to owners and admins', async () => {
    await expectRefused(t, 'BAD_USER_INPUT', () =>
      tenant.owner.client.fails(SetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: 'SHOWN_ONCE', replenish: true }),
    );
    await expectRefused(t, 'FORBIDDEN', () => agent.agent.client.fails(SetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: 'VIEWABLE', replenish: false }));
  });

  // Threat: a stolen admin password alone turns every agent's recovery codes into something a dump reveals.
  it('needs step-up to make codes viewable: an enrolled owner whose session passed the second factor', async () => {
    const strict = await createTenant(t, { twoFactor: true });
    const makeViewable = (client = strict.owner.client) => client.fails(SetTenantRecoveryCodeVisibilityDocument, { tenantId: strict.id, visibility: 'VIEWABLE', replenish: false });
    await expectRefused(t, 'TWO_FACTOR_ENROLMENT_REQUIRED', () => makeViewable());
    await enrol(t, strict.owner, strict.id); // confirming passes the second factor for this session
    const { session } = await challengedSession(t, strict.owner, strict.secureWorkspaceId);
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => makeViewable(session.client));
    expect((await setVisibility('VIEWABLE', false, strict)).setTenantRecoveryCodeVisibility.recoveryCodeVisibility).toBe('VIEWABLE');
  });

  it('answers TWO_FACTOR_NOT_ENABLED before the password to an agent without 2FA', async () => {
    const plain = await signUp(t, 'plain');
    const open = await createTenant(t);
    await addMember(open, plain);
    await open.owner.client.ok(SetTenantRecoveryCodeVisibilityDocument, { tenantId: open.id, visibility: 'VIEWABLE', replenish: false });
    await expectRefused(t, 'TWO_FACTOR_NOT_ENABLED', () => plain.client.fails(ViewRecoveryCodesDocument, { tenantId: open.id, password: 'not the password' }));
  });

  it('re-encrypts the copies to the new key with the key rotation', async () => {
    await setVisibility('VIEWABLE');
    const codes = await regenerate();
    const newKey = `next:${randomBytes(32).toString('base64')}`;
    const [current, ...older] = [newKey, TEST_ENCRYPTION_KEYS].flatMap((entry) => {
      const [id, base64] = entry.split(':');
      return [{ id, key: Buffer.from(base64, 'base64') }];
    });
    const rotated = new SecretBox([current, ...older]);
    const report = await rotateSecretsToCurrentKey(t.gateway.db, rotated);
    expect(report.recoveryCodeCopiesReEncrypted).toBeGreaterThanOrEqual(8);
    const rows = (await copies()).filter((row) => row.code_ciphertext !== null);
    for (const row of rows) expect([row.code_ciphertext!.split('.')[1], row.ciphertext_key_id]).toEqual(['next', 'next']);
    const underNewKeyOnly = new RecoveryCodeStore(new SecretBox([current]));
    expect(await underNewKeyOnly.viewableCodes(t.gateway.db.manager, tenant.id, agent.agent.id)).toEqual(codes);
    expect((await rotateSecretsToCurrentKey(t.gateway.db, rotated)).recoveryCodeCopiesReEncrypted).toBe(0);
  });
});
