import { expect } from 'vitest';
import { EnterTenantDocument, EnterWorkspaceDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import type { GraphQLErrorBody } from './client';
import { currentCode, TestAgent } from './fixtures';
import type { TestGateway } from './gateway';
import { databaseSnapshot } from './snapshot';

/**
 * Enters the tenant or workspace, which must ask for the second factor, and answers with the current TOTP code;
 * then moves the clock one step so the next code is not a replay.
 */
export async function passChallenge(t: TestGateway, session: TestAgent, secret: string, place: { tenantId: string } | { workspaceId: string }): Promise<void> {
  const access =
    'tenantId' in place ? (await session.client.ok(EnterTenantDocument, place)).enterTenant : (await session.client.ok(EnterWorkspaceDocument, place)).enterWorkspace;
  if (access.status !== 'TWO_FACTOR_CHALLENGE_REQUIRED' || !access.challenge) throw new Error(`expected a challenge, got ${access.status}`);
  const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId: access.challenge.id, code: currentCode(t, secret) });
  if (verifyTwoFactor.status !== 'GRANTED') throw new Error(`expected GRANTED, got ${verifyTwoFactor.status}`);
  t.clock.advance(30_000);
}

/** Runs a request that must fail with `code` and leave every table exactly as it was; returns the error. */
export async function expectRefused(t: TestGateway, code: string, request: () => Promise<GraphQLErrorBody & { code?: string }>): Promise<GraphQLErrorBody> {
  const before = await databaseSnapshot(t);
  const error = await request();
  expect(error.code, JSON.stringify(error)).toBe(code);
  expect(await databaseSnapshot(t)).toBe(before);
  return error;
}
