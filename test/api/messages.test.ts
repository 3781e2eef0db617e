import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfirmTotpEnrolmentDocument, TenantDocument, UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { challengedSession, EnrolledAgent, enrolledAgent, signInAgain } from '../helpers/two-factor';

/** The words of an error tell a person what to do next; the codes stay the contract's. */
describe.each(databaseKinds)('messages a person can act on, on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let enrolled: EnrolledAgent;

  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    enrolled = await enrolledAgent(t, tenant);
  });
  afterAll(() => t?.close());

  it('a 5-digit code is BAD_USER_INPUT saying codes are 6 digits, and spends no attempt', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const before = await databaseSnapshot(t);
    const error = await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, enrolled.secret).slice(0, 5) });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'code' } });
    expect(error.message).toMatch(/codes are 6 digits/i);
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('a recovery code of the wrong shape says what recovery codes look like', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const error = await session.client.fails(UseRecoveryCodeDocument, { challengeId, code: '12345' });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/recovery codes are 8 or 10 letters and digits/i);
  });

  it('confirming while already enabled says so (still NO_PENDING_ENROLMENT), rather than to start the setup again', async () => {
    const error = await enrolled.agent.client.fails(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: currentCode(t, enrolled.secret) });
    expect(error.code).toBe('NO_PENDING_ENROLMENT');
    expect(error.message).toMatch(/already enabled/);
    expect(error.message).not.toMatch(/start the setup again/i);
  });

  it('a 5-digit confirmation code says codes are 6 digits', async () => {
    const error = await enrolled.agent.client.fails(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: '12345' });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/codes are 6 digits/i);
  });

  it('TWO_FACTOR_REQUIRED says to call enterTenant and answer the challenge', async () => {
    const session = await signInAgain(t, enrolled.agent); // a new session, not yet past the challenge
    const error = await session.client.fails(TenantDocument, { id: tenant.id });
    expect(error.code).toBe('TWO_FACTOR_REQUIRED');
    expect(error.message).toMatch(/enterTenant/);
    expect(error.message).toMatch(/challenge/);
  });
});
