// Threat: another spelling of a real id acting on its row while the audit log records it as nobody (on MariaDB,
// utf8mb4_unicode_ci matched an upper-cased or space-padded agent id; the audit event's join did not).
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogDocument, EnterTenantDocument, ResetAgentTwoFactorDocument, RevokeAgentSessionsDocument, TenantDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant, enrol, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { EnrolledAgent, enrolledAgent } from '../helpers/two-factor';

/** Spellings of an id that name the same UUID, or that a case- and pad-insensitive collation matches. */
const SPELLINGS: Array<[string, (id: string) => string]> = [
  ['upper case', (id) => id.toUpperCase()],
  ['one upper-case letter', (id) => id.replace(/[a-f]/, (c) => c.toUpperCase())],
  ['a trailing space', (id) => `${id} `],
  ['surrounding spaces', (id) => ` ${id} `],
  ['braces', (id) => `{${id}}`],
  ['no dashes', (id) => id.replace(/-/g, '')],
  ['a urn', (id) => `urn:uuid:${id}`],
  ['fullwidth digits', (id) => id.replace(/[0-9]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0))],
  ['a trailing tab', (id) => `${id}\t`],
  ['a zero-width space inside', (id) => `${id.slice(0, 8)}\u200B${id.slice(8)}`],
];

describe.each(databaseKinds)('ids in their canonical form only, on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let target: EnrolledAgent;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id); // the owner's session passes step-up
    target = await enrolledAgent(t, tenant);
  });
  afterAll(() => t?.close());

  it.each(SPELLINGS)('refuses an agent id with %s in resetAgentTwoFactor and revokeAgentSessions as BAD_USER_INPUT, changing nothing', async (_label, spell) => {
    const before = await databaseSnapshot(t);
    const agentId = spell(target.agent.id);
    for (const response of [
      await tenant.owner.client.request(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId }),
      await tenant.owner.client.request(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId }),
      // Written into the document rather than sent as a variable.
      await tenant.owner.client.raw({ query: `mutation { revokeAgentSessions(tenantId: "${tenant.id}", agentId: ${JSON.stringify(agentId)}) }` }),
    ]) {
      expect(response.data ?? null, JSON.stringify(response)).toBeNull();
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.message).toMatch(/id/);
    }
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it.each(SPELLINGS)('refuses a tenant id with %s wherever an ID is taken: arguments, nested fields, input objects', async (_label, spell) => {
    const tenantId = spell(tenant.id);
    const responses = [
      await tenant.owner.client.request(TenantDocument, { id: tenantId }),
      await tenant.owner.client.request(EnterTenantDocument, { tenantId }),
      await tenant.owner.client.request(AuditLogDocument, { tenantId: tenant.id, filter: { agentId: spell(target.agent.id) } }),
      await tenant.owner.client.raw({ query: `query($id: ID!) { me { twoFactor(tenantId: $id) { state } } }`, variables: { id: tenantId } }),
    ];
    for (const response of responses) expect(response.errors?.[0]?.extensions?.code, JSON.stringify(response)).toBe('BAD_USER_INPUT');
  });

  it('answers the canonical id as before, and NOT_FOUND for a well-formed id that names nothing', async () => {
    const { tenant: found } = await tenant.owner.client.ok(TenantDocument, { id: tenant.id });
    expect(found?.id).toBe(tenant.id);
    const unknown = await tenant.owner.client.raw({ query: print(TenantDocument), variables: { id: '01890a5d-ac96-774b-bcce-b302099a8057' } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
