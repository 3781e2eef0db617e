// Threat: a stolen admin password alone weakens the tenant's 2FA or resets an agent's, against the gateway as deployed.
// A second proof of step-up, independent of rank-and-step-up.test.ts: `node dist/src/main.js` as its own
// process, with the real clock, read back through the API only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLogDocument,
  MyTwoFactorDocument,
  ResetAgentTwoFactorDocument,
  SetTenantRecoveryCodeVisibilityDocument,
  SetTenantTwoFactorDocument,
  SetWorkspaceTwoFactorDocument,
  TenantDocument,
} from '../../src/client/generated/graphql';
import { GraphQLClient } from '../helpers/client';
import { databaseKinds, ScratchDatabase, scratchDatabase } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { GatewayProcess, productionEnv, spawnGateway } from './harness';

/** What the fixtures need of a gateway, for a process on the real clock (codes are computed at the real time). */
const onRealTime = (client: GraphQLClient) => ({ client, clock: { get epochMs() { return Date.now(); }, advance: () => undefined } }) as unknown as TestGateway;

describe.each(databaseKinds)('step-up in a gateway process on %s (real clock)', (kind) => {
  let database: ScratchDatabase;
  let gateway: GatewayProcess;
  let t: TestGateway;
  beforeAll(async () => {
    database = await scratchDatabase(kind);
    gateway = await spawnGateway(productionEnv(database));
    t = onRealTime(new GraphQLClient(gateway.url));
  });
  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
    await database?.drop();
  });

  /** What the weakenings would change, as the owner reads it. */
  async function state(tenant: TestTenant, agent: TestAgent) {
    const { tenant: read } = await tenant.owner.client.ok(TenantDocument, { id: tenant.id });
    const log = await tenant.owner.client.ok(AuditLogDocument, { tenantId: tenant.id, first: 100 });
    return {
      twoFactorEnabled: read!.twoFactorEnabled,
      visibility: read!.recoveryCodeVisibility,
      requiring: read!.workspaces.filter((w) => w.twoFactorRequired).map((w) => w.id),
      agentState: (await agent.client.ok(MyTwoFactorDocument, { tenantId: tenant.id })).me!.twoFactor.state,
      events: log.tenant!.auditLog.edges.length,
    };
  }

  it('an ADMIN without a second factor gets TWO_FACTOR_ENROLMENT_REQUIRED for every weakening, and nothing changes; once enrolled it may', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id); // the owner's session keeps its standing for reading the audit log
    const [admin, agent] = [await signUp(t, 'admin'), await signUp(t, 'agent')];
    await addMember(tenant, admin, 'ADMIN');
    await addMember(tenant, agent);
    await enrol(t, agent, tenant.id);

    const weakenings = [
      () => admin.client.request(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false }),
      () => admin.client.request(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false }), // step-up before the hierarchy rule
      () => admin.client.request(SetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: 'VIEWABLE', replenish: false }),
      () => admin.client.request(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id }),
    ];
    const before = await state(tenant, agent);
    expect(before).toMatchObject({ twoFactorEnabled: true, visibility: 'SHOWN_ONCE', requiring: [tenant.secureWorkspaceId], agentState: 'ENABLED' });
    for (const weaken of weakenings) expect((await weaken()).errors?.[0].extensions?.code).toBe('TWO_FACTOR_ENROLMENT_REQUIRED');
    expect(await state(tenant, agent)).toEqual(before);

    await enrol(t, admin, tenant.id); // confirming enrolment gives this session the tenant's standing
    for (const weaken of weakenings) expect((await weaken()).errors).toBeUndefined();
    expect(await state(tenant, agent)).toMatchObject({ twoFactorEnabled: false, visibility: 'VIEWABLE', requiring: [], agentState: 'NOT_CONFIGURED' });
  }, 60_000);
});
