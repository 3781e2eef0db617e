import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { GatewayContext, requireSession } from '../context';
import { DomainError } from '../errors/domain-error';
import { Agent, SessionInfo, toSessionInfo } from './account.types';

/** The caller's own sessions: listing them and signing them out. */
@Resolver(() => Agent)
export class SessionResolver {
  @FieldResolver(() => [SessionInfo], { description: "The agent's own live sessions, newest first; FORBIDDEN for anyone but the agent itself." })
  async sessions(@Root() agent: Agent, @Ctx() { services, session }: GatewayContext): Promise<SessionInfo[]> {
    const caller = requireSession({ session });
    if (caller.agentId !== agent.id) throw new DomainError('FORBIDDEN');
    return (await services.accounts.liveSessions(caller.agentId)).map((summary) => toSessionInfo(summary, caller.sessionId));
  }

  @Mutation(() => Boolean, { description: "Ends one of the caller's own live sessions (NOT_FOUND for any other)." })
  async signOutSession(@Arg('sessionId', () => ID) sessionId: string, @Ctx() { services, session, sessionCookie }: GatewayContext): Promise<boolean> {
    const caller = requireSession({ session });
    await services.accounts.signOutSession(caller, sessionId);
    if (sessionId === caller.sessionId) sessionCookie.clear();
    return true;
  }

  @Mutation(() => Int, { description: "Ends every live session of the caller but this one; returns how many ended." })
  async signOutOtherSessions(@Ctx() { services, session }: GatewayContext): Promise<number> {
    return services.accounts.signOutOtherSessions(requireSession({ session }));
  }
}
