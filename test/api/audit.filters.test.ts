import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogDocument, AuditLogFilter, AuditLogQuery, UseRecoveryCodeDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, TestAgent, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, enrolledAgent, EnrolledAgent } from '../helpers/two-factor';

type Connection = NonNullable<AuditLogQuery['tenant']>['auditLog'];
type Event = Connection['edges'][number]['node'];

describe.each(databaseKinds)('audit log filters and event details on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let alice: EnrolledAgent;
  let bob: EnrolledAgent;
  let startedAt = 0;
  let middleAt = 0;

  const log = async (filter: AuditLogFilter | null, first = 100, after: string | null = null, viewer: TestAgent = tenant.owner): Promise<Connection> =>
    (await viewer.client.ok(AuditLogDocument, { tenantId: tenant.id, first, after, filter })).tenant!.auditLog;
  const events = async (filter: AuditLogFilter | null): Promise<Event[]> => (await log(filter)).edges.map((edge) => edge.node);
  const everything = () => events(null);

  beforeAll(async () => {
    // One trusted proxy in front: the client address is the last X-Forwarded-For entry the proxy added.
    t = await startTestGateway(kind, { TRUSTED_PROXY_HOPS: '1' });
    startedAt = t.clock.epochMs;
    tenant = await createTenant(t, { twoFactor: true });
    alice = await enrolledAgent(t, tenant, 'alice');
    t.clock.advance(60_000);
    middleAt = t.clock.epochMs;
    bob = await enrolledAgent(t, tenant, 'bob');

    // Alice: one wrong code, then the right one; Bob: a recovery code.
    const first = await challengedSession(t, alice.agent, tenant.secureWorkspaceId);
    await first.session.client.fails(VerifyTwoFactorDocument, { challengeId: first.challengeId, code: wrongCode(t, alice.secret) });
    await first.session.client.ok(VerifyTwoFactorDocument, { challengeId: first.challengeId, code: currentCode(t, alice.secret) });
    t.clock.advance(30_000);
    const second = await challengedSession(t, bob.agent, tenant.secureWorkspaceId);
    const viaProxy = await second.session.client.raw(
      { query: 'mutation ($c: ID!, $code: String!) { useRecoveryCode(challengeId: $c, code: $code) { status } }', variables: { c: second.challengeId, code: bob.recoveryCodes[0] } },
      { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' },
    );
    expect(viaProxy.errors).toBeUndefined();
  });
  afterAll(() => t?.close());

  it('records who passed the second factor, and how', async () => {
    const passed = await events({ actions: ['CHALLENGE_PASSED'] });
    expect(passed.map((event) => [event.subject?.id, event.method, event.workspace?.id])).toEqual([
      [bob.agent.id, 'RECOVERY_CODE', tenant.secureWorkspaceId],
      [alice.agent.id, 'TOTP', tenant.secureWorkspaceId],
    ]);
    const failed = await events({ actions: ['CHALLENGE_FAILED'] });
    expect(failed.map((event) => [event.subject?.id, event.method])).toEqual([[alice.agent.id, 'TOTP']]);
    expect((await events({ actions: ['TWO_FACTOR_ENABLED'] })).every((event) => event.method === null)).toBe(true);
  });

  it('records the client address of the request, after the trusted proxy', async () => {
    const all = await everything();
    const [recoveryPass] = await events({ actions: ['CHALLENGE_PASSED'], agentId: bob.agent.id });
    expect(recoveryPass.clientIp).toBe('203.0.113.9');
    expect((await events({ actions: ['RECOVERY_CODE_USED'] }))[0].clientIp).toBe('203.0.113.9');
    for (const event of all.filter((e) => e.id !== recoveryPass.id && e.action !== 'RECOVERY_CODE_USED')) {
      expect(event.clientIp, event.action).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    }
  });

  it('narrows by actions, by agent as actor or subject, and by time, all together', async () => {
    const all = await everything();
    const ids = (list: Event[]) => list.map((event) => event.id);
    const where = (keep: (event: Event) => boolean) => ids(all.filter(keep));
    const touches = (agentId: string) => (event: Event) => event.actor?.id === agentId || event.subject?.id === agentId;

    expect(ids(await events({ actions: ['CHALLENGE_FAILED', 'RECOVERY_CODE_USED'] }))).toEqual(where((e) => ['CHALLENGE_FAILED', 'RECOVERY_CODE_USED'].includes(e.action)));
    // The owner acts on Alice (MEMBER_ADDED): she is the subject there, the owner the actor.
    expect(ids(await events({ agentId: alice.agent.id }))).toEqual(where(touches(alice.agent.id)));
    expect(where(touches(tenant.owner.id)).length).toBeGreaterThan(where((e) => e.subject?.id === tenant.owner.id).length);
    expect(ids(await events({ agentId: tenant.owner.id }))).toEqual(where(touches(tenant.owner.id)));
    expect(ids(await events({ since: new Date(middleAt).toISOString() }))).toEqual(where((e) => Date.parse(e.at) >= middleAt));
    expect(ids(await events({ before: new Date(middleAt).toISOString() }))).toEqual(where((e) => Date.parse(e.at) < middleAt));
    expect(ids(await events({ since: new Date(startedAt).toISOString(), before: new Date(middleAt).toISOString(), agentId: alice.agent.id, actions: ['TWO_FACTOR_ENABLED'] }))).toEqual(
      where((e) => e.action === 'TWO_FACTOR_ENABLED' && e.subject?.id === alice.agent.id),
    );
    expect(await events({ actions: [] })).toEqual([]);
    expect(await events({ actions: ['NO_SUCH_ACTION'] })).toEqual([]);
    expect(await events({ agentId: randomUUID() })).toEqual([]);
    expect(await events({ since: new Date(middleAt).toISOString(), before: new Date(startedAt).toISOString() })).toEqual([]);
  });

  it('pages a filtered log by cursor, newest first, with no duplicates or gaps', async () => {
    const filter: AuditLogFilter = { agentId: alice.agent.id };
    const expected = (await events(filter)).map((event) => event.id);
    expect(expected.length).toBeGreaterThan(4);
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Connection = await log(filter, 2, after);
      paged.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(expected);
  });

  it('refuses malformed filters as bad input', async () => {
    const bad: AuditLogFilter[] = [{ actions: ['challenge_failed'] }, { actions: ['CHALLENGE FAILED'] }, { actions: ['A'.repeat(65)] }, { actions: Array(51).fill('CHALLENGE_FAILED') }];
    for (const filter of bad) {
      const error = await tenant.owner.client.fails(AuditLogDocument, { tenantId: tenant.id, filter });
      expect(error.code, JSON.stringify(filter).slice(0, 80)).toBe('BAD_USER_INPUT');
    }
    const notADate = await tenant.owner.client.raw({ query: 'query ($t: ID!) { tenant(id: $t) { auditLog(filter: { since: "yesterday" }) { pageInfo { hasNextPage } } } }', variables: { t: tenant.id } });
    expect(notADate.errors?.[0].extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });

  it('keeps the filtered log to admins', async () => {
    const error = await alice.agent.client.fails(AuditLogDocument, { tenantId: tenant.id, filter: { agentId: alice.agent.id } });
    expect(error.code).toBe('FORBIDDEN');
  });
});
