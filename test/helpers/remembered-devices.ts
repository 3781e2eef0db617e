import { expect } from 'vitest';
import { EnterTenantDocument, SetTenantRememberDeviceDaysDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { currentCode, TestAgent, TestTenant } from './fixtures';
import type { TestGateway } from './gateway';
import { signInAgain } from './two-factor';

export const DAY_MS = 86_400_000;

/** The owner (whose session holds standing) lets devices be remembered for `days`. */
export async function allowRememberedDevices(tenant: TestTenant, days = 30): Promise<void> {
  await tenant.owner.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days });
}

/**
 * A new session of the agent enters the tenant, is challenged, and answers with `rememberDevice: true`, as a client
 * without cookies; answers that session and the device secret (Access.rememberedDeviceToken). The clock then
 * moves one step on so that the next code is no replay.
 */
export async function rememberDevice(t: TestGateway, agent: TestAgent, secret: string, tenantId: string): Promise<{ session: TestAgent; deviceToken: string; passedAt: number }> {
  const session = await signInAgain(t, agent);
  const { enterTenant } = await session.client.ok(EnterTenantDocument, { tenantId });
  expect(enterTenant.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  const passedAt = t.clock.epochMs;
  const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, secret), rememberDevice: true });
  expect(verifyTwoFactor.rememberedDeviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
  t.clock.advance(30_000);
  return { session, deviceToken: verifyTwoFactor.rememberedDeviceToken!, passedAt };
}

/** A new session of the agent that presents the device secret in the X-Remembered-Device header. */
export async function signInFromDevice(t: TestGateway, agent: TestAgent, deviceToken: string): Promise<TestAgent> {
  const session = await signInAgain(t, agent);
  return { ...session, client: session.client.withHeaders({ 'x-remembered-device': deviceToken }) };
}

/** What enterTenant answers the session now. */
export async function enterStatus(session: TestAgent, tenantId: string): Promise<string> {
  return (await session.client.ok(EnterTenantDocument, { tenantId })).enterTenant.status;
}
