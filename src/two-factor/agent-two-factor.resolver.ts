import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from 'type-graphql';
import { Agent } from '../accounts/account.types';
import { GatewayContext, requireSession } from '../context';
import { TwoFactorStatus } from './two-factor.types';

@Resolver(() => Agent)
export class AgentTwoFactorResolver {
  /** The agent itself may always read its own status (a blocked agent must see it to enrol); others need the admin gate. */
  @FieldResolver(() => TwoFactorStatus, { description: "The caller's own 2FA status in one tenant. Only the agent itself and that tenant's OWNER/ADMIN may read it." })
  async twoFactor(@Root() agent: Agent, @Arg('tenantId', () => ID) tenantId: string, @Ctx() { services, loaders, session }: GatewayContext): Promise<TwoFactorStatus> {
    const caller = requireSession({ session });
    if (caller.agentId === agent.id) await services.gate.member(loaders, tenantId);
    else await services.gate.admit(loaders, tenantId, 'admin');
    return services.enrolment.status(tenantId, agent.id, loaders);
  }
}
