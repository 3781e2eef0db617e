import { Arg, Ctx, ID, Int, Mutation, Resolver } from 'type-graphql';
import type { SessionIdentity } from '../accounts/session-identity';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { Admitted, TenantGate } from '../graphql/tenant-gate';
import type { MemberFacts } from '../two-factor/gate.service';
import { TwoFactorStatus } from '../two-factor/two-factor.types';
import { TenantAgent } from './admin.types';

@Resolver(() => TenantAgent)
export class AdminResolver {
  @Mutation(() => TwoFactorStatus, { description: "Removes the agent's authenticator and recovery codes in this tenant only." })
  @TenantGate('admin-step-up', { tenantArg: 'tenantId' })
  async resetAgentTwoFactor(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('agentId', () => ID) agentId: string,
    @CurrentSession() session: SessionIdentity,
    @Admitted() { role }: MemberFacts,
    @Ctx() { services }: GatewayContext,
  ): Promise<TwoFactorStatus> {
    return services.admin.resetAgentTwoFactor(session, role, tenantId, agentId);
  }

  @Mutation(() => Int, {
    description:
      "Every session of the agent loses its standing in this tenant (other tenants untouched) and must pass this tenant's challenge again; returns how many sessions were affected.",
  })
  @TenantGate('admin', { tenantArg: 'tenantId' })
  async revokeAgentSessions(
    @Arg('tenantId', () => ID) tenantId: string,
    @Arg('agentId', () => ID) agentId: string,
    @CurrentSession() session: SessionIdentity,
    @Admitted() { role }: MemberFacts,
    @Ctx() { services }: GatewayContext,
  ): Promise<number> {
    return services.admin.revokeAgentSessions(session, role, tenantId, agentId);
  }
}
