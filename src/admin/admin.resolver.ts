import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { SessionIdentity } from '../accounts/session-identity';
import { Agent, toAgent } from '../accounts/account.types';
import type { GatewayContext } from '../context';
import { CurrentSession } from '../graphql/current-session';
import { Admitted, TenantGate } from '../graphql/tenant-gate';
import type { MemberFacts } from '../two-factor/gate.service';
import { pairKey } from '../tenancy/pair-key';
import { TwoFactorStatus } from '../two-factor/two-factor.types';
import { SignInRecord, TenantAgent } from './admin.types';

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

  @FieldResolver(() => Agent)
  async agent(@Root() member: TenantAgent, @Ctx() { loaders }: GatewayContext): Promise<Agent> {
    return toAgent((await loaders.agent.load(member.agentId))!);
  }

  @FieldResolver(() => TwoFactorStatus)
  twoFactor(@Root() member: TenantAgent, @Ctx() { services, loaders }: GatewayContext): Promise<TwoFactorStatus> {
    return services.enrolment.status(member.tenantId, member.agentId, loaders);
  }

  @FieldResolver(() => SignInRecord, { nullable: true })
  lastSignIn(@Root() member: TenantAgent, @Ctx() { loaders }: GatewayContext): Promise<SignInRecord | null> {
    return loaders.lastSignIn.load(pairKey(member.tenantId, member.agentId));
  }
}
