import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  AuditLogQuery,
  DisableTwoFactorDocument,
  RegenerateRecoveryCodesDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantRecoveryCodeFormatDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, PASSWORD, signUp, TestAgent, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { challengedSession, openChallenge } from '../helpers/two-factor';

type Event = NonNullable<AuditLogQuery['tenant']>['auditLog']['edges'][number]['node'];
interface Expected {
  action: string;
  actor: string | null;
  subject: string | null;
  workspace: string | null;
}

/** Every action this journey meets: the contract's and the others docs/behaviour.md lists. */
const DOCUMENTED_ACTIONS = [
  'TWO_FACTOR_ENROLMENT_STARTED', 'TWO_FACTOR_ENABLED', 'TWO_FACTOR_DISABLED', 'TWO_FACTOR_RESET', 'RECOVERY_CODES_REGENERATED', 'RECOVERY_CODE_USED',
  'CHALLENGE_FAILED', 'CHALLENGE_INVALIDATED', 'TENANT_TWO_FACTOR_CHANGED', 'WORKSPACE_TWO_FACTOR_CHANGED', 'POLICY_CHANGED',
  'RECOVERY_CODE_FORMAT_CHANGED', 'SESSIONS_REVOKED', 'MEMBER_ADDED', 'WORKSPACE_MEMBER_ADDED', 'CHALLENGE_PASSED',
];
const summary = (event: Event): Expected => ({
  action: event.action,
  actor: event.actor?.id ?? null,
  subject: event.subject?.id ?? null,
  workspace: event.workspace?.id ?? null,
});

describe.each(databaseKinds)('the audit log on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let agent: TestAgent;
  /** Oldest first, as the actions were taken. */
  const expected: Expected[] = [];
  /** The secrets, recovery codes and password the flow handled (6-digit codes are covered by the column check). */
  const secrets: string[] = [PASSWORD];
  let revokedAt = 0;

  const log = async (viewer: TestAgent, tenantId: string, first = 100, after?: string | null) => (await viewer.client.ok(AuditLogDocument, { tenantId, first, after })).tenant!.auditLog;

  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    const { owner } = tenant;
    const by = (actor: TestAgent | null, action: string, subject: TestAgent | null = null, workspace: string | null = null) =>
      expected.push({ action, actor: actor?.id ?? null, subject: subject?.id ?? null, workspace });
    by(owner, 'TENANT_TWO_FACTOR_CHANGED');
    by(owner, 'WORKSPACE_TWO_FACTOR_CHANGED', null, tenant.secureWorkspaceId);
    const ownerEnrolment = await enrol(t, owner, tenant.id);
    by(owner, 'TWO_FACTOR_ENROLMENT_STARTED', owner);
    by(owner, 'TWO_FACTOR_ENABLED', owner);

    agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    by(owner, 'MEMBER_ADDED', agent);
    by(owner, 'WORKSPACE_MEMBER_ADDED', agent, tenant.secureWorkspaceId);
    by(owner, 'WORKSPACE_MEMBER_ADDED', agent, tenant.openWorkspaceId);
    await owner.client.ok(SetTenantRecoveryCodeFormatDocument, { tenantId: tenant.id, format: 'XXXXX_XXXXX' });
    by(owner, 'RECOVERY_CODE_FORMAT_CHANGED');
    const first = await enrol(t, agent, tenant.id);
    by(agent, 'TWO_FACTOR_ENROLMENT_STARTED', agent);
    by(agent, 'TWO_FACTOR_ENABLED', agent);
    const { regenerateRecoveryCodes } = await agent.client.ok(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: agent.password });
    by(agent, 'RECOVERY_CODES_REGENERATED', agent);

    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    for (let attempt = 1; attempt <= 5; attempt++) {
      await session.client.fails(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, first.secret) });
      by(agent, 'CHALLENGE_FAILED', agent, tenant.secureWorkspaceId);
    }
    by(agent, 'CHALLENGE_INVALIDATED', agent, tenant.secureWorkspaceId);
    // A challenge replaced by entering another workspace is invalidated too, and audited where it was opened.
    await openChallenge(session, tenant.openWorkspaceId);
    by(agent, 'CHALLENGE_INVALIDATED', agent, tenant.openWorkspaceId);
    const retry = await openChallenge(session, tenant.secureWorkspaceId);
    await session.client.ok(UseRecoveryCodeDocument, { challengeId: retry, code: regenerateRecoveryCodes.codes[0] });
    by(agent, 'CHALLENGE_PASSED', agent, tenant.secureWorkspaceId);
    by(agent, 'RECOVERY_CODE_USED', agent, tenant.secureWorkspaceId);

    revokedAt = t.clock.epochMs;
    await owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id });
    by(owner, 'SESSIONS_REVOKED', agent);
    t.clock.advance(1_000);
    await owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id });
    by(owner, 'TWO_FACTOR_RESET', agent);
    const second = await enrol(t, agent, tenant.id);
    by(agent, 'TWO_FACTOR_ENROLMENT_STARTED', agent);
    by(agent, 'TWO_FACTOR_ENABLED', agent);
    await agent.client.ok(DisableTwoFactorDocument, { tenantId: tenant.id, password: agent.password });
    by(agent, 'TWO_FACTOR_DISABLED', agent);
    await owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_ADMINS' });
    by(owner, 'POLICY_CHANGED');
    await owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false });
    by(owner, 'WORKSPACE_TWO_FACTOR_CHANGED', null, tenant.secureWorkspaceId);

    for (const { secret, recoveryCodes } of [ownerEnrolment, first, second]) secrets.push(secret, ...recoveryCodes, ...recoveryCodes.map((c) => c.replace('-', '')));
    secrets.push(...regenerateRecoveryCodes.codes);
  });
  afterAll(() => t?.close());

  it('records every 2FA change, answer failure and admin action, newest first, with actor, subject and workspace', async () => {
    const events = (await log(tenant.owner, tenant.id)).edges.map((edge) => edge.node);
    // The whole log, nothing filtered out, and every documented action among what the gateway wrote.
    expect(events.map(summary)).toEqual([...expected].reverse());
    expect(new Set(events.map((event) => event.action))).toEqual(new Set(DOCUMENTED_ACTIONS));

    const times = events.map((event) => new Date(event.at).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Date(events.find((event) => event.action === 'SESSIONS_REVOKED')!.at).getTime()).toBe(revokedAt);
    expect(events.find((event) => event.action === 'RECOVERY_CODE_USED')!.workspace).toEqual({ id: tenant.secureWorkspaceId, name: 'Billing' });
  });

  it('pages by cursor with no duplicates or gaps', async () => {
    const all = (await log(tenant.owner, tenant.id)).edges.map((edge) => edge.node.id);
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await log(tenant.owner, tenant.id, 4, after);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      paged.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThan(8);
  });

  // Threat: one tenant's admin reads what happens in another tenant (who failed a challenge, who was reset).
  it("shows none of one tenant's events to another tenant's admin", async () => {
    const other = await createTenant(t, { twoFactor: true });
    await addMember(other, agent);
    await enrol(t, agent, other.id);
    const ours = new Set((await log(tenant.owner, tenant.id)).edges.map((edge) => edge.node.id));
    const theirs = (await log(other.owner, other.id)).edges.map((edge) => edge.node);
    expect(theirs.some((event) => ours.has(event.id))).toBe(false);
    expect(theirs.every((event) => event.workspace === null || [other.secureWorkspaceId, other.openWorkspaceId].includes(event.workspace.id))).toBe(true);
    expect(theirs.filter((event) => event.subject?.id === agent.id).map((event) => event.action)).toContain('TWO_FACTOR_ENABLED');
    await expectRefused(t, 'NOT_FOUND', () => other.owner.client.fails(AuditLogDocument, { tenantId: tenant.id }));
  });

  // Threat: the audit trail becomes a second place to steal TOTP secrets, recovery codes or passwords from.
  it('holds no secret, code or password: every column is an id, a time or an action name', async () => {
    const rows: Array<Record<string, unknown>> = await t.gateway.db.manager.query('SELECT * FROM audit_events');
    expect(Object.keys(rows[0]).sort()).toEqual(['action', 'actor_agent_id', 'at', 'client_ip', 'detail', 'id', 'method', 'subject_agent_id', 'tenant_id', 'workspace_id']);
    for (const row of rows) {
      expect(row.action).toMatch(/^[A-Z_]+$/);
      expect([null, 'TOTP', 'RECOVERY_CODE', 'PASSKEY']).toContain(row.method);
      // `detail` is words about the event (single sign-on's provider and amr), none in these events.
      expect(row.detail).toBeNull();
      expect(row.client_ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      for (const column of ['id', 'tenant_id', 'actor_agent_id', 'subject_agent_id', 'workspace_id']) {
        expect(row[column] === null || /^[0-9a-f-]{36}$/.test(String(row[column])), `${column}: ${row[column]}`).toBe(true);
      }
    }
    const dump = JSON.stringify(rows) + JSON.stringify(await log(tenant.owner, tenant.id));
    for (const secret of secrets) expect(dump).not.toContain(secret);
  });
});
