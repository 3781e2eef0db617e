// Threat: secrets leaking into logs (shipped to third parties, kept for years), and abuse going unseen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DisableTwoFactorDocument,
  RegenerateRecoveryCodesDocument,
  SignInDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { createLogger } from '../../src/logger';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { createTenant, currentCode, PASSWORD, wrongCode } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { challengedSession, enrolledAgent } from '../helpers/two-factor';
import { openGateway } from './harness';

const COUNTERS = [
  'gateway_enrolments_total',
  'gateway_challenges_issued_total',
  'gateway_challenges_passed_total',
  'gateway_challenges_failed_total',
  'gateway_challenges_invalidated_total',
  'gateway_recovery_codes_used_total',
  'gateway_answers_rate_limited_total',
] as const;

const METRICS_TOKEN = 'metrics-token-for-the-scraper';

/** The samples of a Prometheus text exposition, keyed by name and labels as written. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) found.set(match[1], Number(match[2]));
  }
  return found;
}

describe.each(databaseKinds)('logs and metrics of a whole journey on %s', (kind) => {
  let database: ScratchDatabase;
  let t: TestGateway;
  const lines: string[] = [];
  /** Everything that must never reach a log line. */
  const secrets: string[] = [PASSWORD];
  const codes: string[] = [];
  let before: Map<string, number>;
  let after: Map<string, number>;
  let metricsText: string;
  /** The x-request-id of every response the journey received, in order. */
  const answeredIds: string[] = [];

  const metrics = async () => {
    const response = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  };

  beforeAll(async () => {
    database = await scratchDatabase(kind);
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    t = await openGateway(kind, database, { logger, env: { RATE_LIMIT_ANSWERS_PER_MINUTE: '7', METRICS_TOKEN } });
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
      const response = await realFetch(...args);
      answeredIds.push(response.headers.get('x-request-id') ?? 'none');
      return response;
    };
    try {
      await journey();
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  async function journey() {
    before = samples(await metrics());

    const tenant = await createTenant(t, { twoFactor: true });
    const enrolled = await enrolledAgent(t, tenant); // sign-up, enrolment: one enrolment
    secrets.push(tenant.owner.token, enrolled.agent.token, enrolled.secret, ...enrolled.recoveryCodes);

    // A wrong answer, then the right one (challenge 1 of 3).
    const first = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const wrong = wrongCode(t, enrolled.secret);
    const right = currentCode(t, enrolled.secret);
    codes.push(wrong, right);
    secrets.push(first.session.token);
    await first.session.client.fails(VerifyTwoFactorDocument, { challengeId: first.challengeId, code: wrong });
    await first.session.client.ok(VerifyTwoFactorDocument, { challengeId: first.challengeId, code: right });
    t.clock.advance(30_000);

    // A recovery code (challenge 2), then a new set of codes, then 2FA off.
    const second = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    secrets.push(second.session.token);
    await second.session.client.ok(UseRecoveryCodeDocument, { challengeId: second.challengeId, code: enrolled.recoveryCodes[0].toLowerCase() });
    const { regenerateRecoveryCodes } = await second.session.client.ok(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: PASSWORD });
    secrets.push(...regenerateRecoveryCodes.codes);

    // Five wrong answers invalidate challenge 3; in a fresh minute the per-IP limit (7) refuses the 8th answer.
    t.clock.advance(61_000);
    const third = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    secrets.push(third.session.token);
    const refused: Array<string | undefined> = [];
    for (let i = 0; i < 8; i++) {
      const code = wrongCode(t, enrolled.secret);
      codes.push(code);
      refused.push((await third.session.client.fails(VerifyTwoFactorDocument, { challengeId: third.challengeId, code })).code);
    }
    expect(refused).toEqual([...Array(5).fill('INVALID_TWO_FACTOR_CODE'), 'CHALLENGE_INVALIDATED', 'CHALLENGE_INVALIDATED', 'RATE_LIMITED']);

    await second.session.client.ok(DisableTwoFactorDocument, { tenantId: tenant.id, password: PASSWORD });
    const { signIn } = await t.client.ok(SignInDocument, { email: enrolled.agent.email, password: PASSWORD });
    secrets.push(signIn.token);
    metricsText = await metrics();
    after = samples(metricsText);
  }
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  it('logs one JSON line with a request id for every request', async () => {
    // The access line is written when the response finishes, which may be a moment after the client has it.
    const requestLines = () => lines.filter((line) => line.includes('"msg":"request"')).length;
    for (let waited = 0; requestLines() < answeredIds.length && waited < 2000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    const entries = lines.map((line) => JSON.parse(line));
    for (const entry of entries) expect(entry.reqId, JSON.stringify(entry)).toMatch(/^[\w.-]{8,64}$/);
    const requests = entries.filter((entry) => entry.msg === 'request');
    expect(answeredIds.length).toBeGreaterThan(30);
    expect(requests.map((entry) => entry.reqId).sort()).toEqual([...answeredIds].sort());
    expect(new Set(answeredIds).size).toBe(answeredIds.length);
    expect(requests.filter((entry) => entry.path === '/graphql').map((entry) => entry.operation)).toContain('verifyTwoFactor');
  });

  it('logs no password, session token, TOTP secret, TOTP code or recovery code', () => {
    const text = lines.join('');
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const code of codes) expect(text).not.toMatch(new RegExp(`(?<![\\d.])${code}(?!\\d)`));
    for (const code of secrets.filter((s) => /^[A-Z0-9]{4,5}-[A-Z0-9]{4,5}$/.test(s))) {
      expect(text.toUpperCase()).not.toContain(code.replace('-', ''));
    }
  });

  it('counts each two-factor event once', () => {
    const increments = Object.fromEntries(COUNTERS.map((name) => [name, (after.get(name) ?? NaN) - (before.get(name) ?? NaN)]));
    expect(increments).toEqual({
      gateway_enrolments_total: 1,
      gateway_challenges_issued_total: 3,
      gateway_challenges_passed_total: 2,
      gateway_challenges_failed_total: 6,
      gateway_challenges_invalidated_total: 1,
      gateway_recovery_codes_used_total: 1,
      gateway_answers_rate_limited_total: 1,
    });
  });

  it('exposes request latency per operation (root fields, not client-chosen names)', () => {
    expect(metricsText).toContain('# TYPE gateway_graphql_request_duration_seconds histogram');
    for (const operation of ['signUp', 'signIn', 'enterWorkspace', 'verifyTwoFactor', 'useRecoveryCode', 'disableTwoFactor']) {
      expect(after.get(`gateway_graphql_request_duration_seconds_count{operation="${operation}"}`), operation).toBeGreaterThan(0);
    }
    expect(after.get('gateway_graphql_request_duration_seconds_count{operation="verifyTwoFactor"}')).toBe(10);
  });
});
